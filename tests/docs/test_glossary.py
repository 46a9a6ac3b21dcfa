"""Each term is defined once, course-wide, and the course glossary's index lists every one.

Terms live in ``{glossary}`` blocks: the course glossary's object-model terms and one glossary
per module. Sphinx warns about a term defined twice, but only where both definitions are in one
build; this test also keeps the "Every term" index of ``reference/glossary.md`` complete and in
alphabetical order, so a learner can find a term without knowing which module defined it.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
GLOSSARY = re.compile(r"^```\{glossary\}\n(.*?)^```", re.MULTILINE | re.DOTALL)
LISTED = re.compile(r"\{term\}`([^`<]+?)`")


def defined_terms() -> list[str]:
    """Every term of every glossary block, in page order (a term line starts at the margin)."""
    terms = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in GLOSSARY.findall(page.read_text(encoding="utf-8")):
            terms += [line.strip() for line in block.splitlines() if line and not line[0].isspace()]
    return terms


def index_terms() -> list[str]:
    text = (DOCS / "reference" / "glossary.md").read_text(encoding="utf-8")
    section = text.split("## Every term", 1)[1]
    return [term.strip() for term in LISTED.findall(section)]


def test_no_term_is_defined_twice() -> None:
    terms = defined_terms()
    assert len(terms) > 50
    assert sorted({t for t in terms if terms.count(t) > 1}) == []


def test_the_index_lists_every_term_once_in_alphabetical_order() -> None:
    listed = index_terms()
    assert listed == sorted(listed, key=str.lower)
    assert sorted(listed) == sorted(defined_terms())
