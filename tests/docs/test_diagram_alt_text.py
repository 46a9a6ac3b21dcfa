"""Every diagram has a text alternative: a screen reader gets what the picture says.

A mermaid block is rendered as an SVG drawn in the browser; without ``:alt:`` a reader who
cannot see it gets nothing. The alternative must describe the diagram, so it has to be a
sentence, not a label.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
MERMAID = re.compile(r"^(?P<fence>`{3,})\s*(?:\{mermaid\}|mermaid)\s*$", re.MULTILINE)
MIN_WORDS = 8


def diagrams(text: str) -> list[tuple[int, list[str]]]:
    """(line number, leading option lines) of every mermaid block of a page."""
    found = []
    lines = text.splitlines()
    for match in MERMAID.finditer(text):
        start = text.count("\n", 0, match.start())
        options = []
        for line in lines[start + 1 :]:
            if not line.startswith(":"):
                break
            options.append(line)
        found.append((start + 1, options))
    return found


def alt_text(options: list[str]) -> str:
    for option in options:
        if option.startswith(":alt:"):
            return option.removeprefix(":alt:").strip()
    return ""


PAGES = sorted(page for page in DOCS.rglob("*.md") if diagrams(page.read_text(encoding="utf-8")))


def test_the_site_has_diagrams() -> None:
    assert len(PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(DOCS).as_posix())
def test_every_diagram_has_a_descriptive_alt_text(page: Path) -> None:
    missing = [
        f"line {line}: {alt_text(options)!r}"
        for line, options in diagrams(page.read_text(encoding="utf-8"))
        if len(alt_text(options).split()) < MIN_WORDS
    ]
    assert not missing, f"{page.relative_to(DOCS)}: diagrams without a descriptive :alt: {missing}"


def test_the_check_reads_options_and_flags_a_bare_diagram() -> None:
    described = (
        "```{mermaid}\n:alt: Three boxes in a row, each pointing to the next one.\n\nA-->B\n```"
    )
    bare = "```mermaid\nflowchart LR\n  A --> B\n```"
    assert [alt_text(o) for _, o in diagrams(described)] == [
        "Three boxes in a row, each pointing to the next one."
    ]
    assert [alt_text(o) for _, o in diagrams(bare)] == [""]
