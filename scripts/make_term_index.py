"""Rewrite the "Every term" index of docs/reference/glossary.md from every glossary of the site.

    python scripts/make_term_index.py

``tests/docs/test_glossary.py`` fails until the index lists every defined term.
"""

from __future__ import annotations

import sys
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "docs"))

from test_glossary import DOCS, defined_terms  # noqa: E402


def main() -> None:
    page = DOCS / "reference" / "glossary.md"
    head, tail = page.read_text(encoding="utf-8").split("## Every term", 1)
    intro = tail.split("\n**", 1)[0]
    terms = sorted(set(defined_terms()), key=str.lower)
    lines = [
        f"**{letter}**: " + ", ".join(f"{{term}}`{term}`" for term in group)
        for letter, group in groupby(terms, key=lambda term: term[0].upper())
    ]
    page.write_text(head + "## Every term" + intro + "\n" + "\n\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    main()
