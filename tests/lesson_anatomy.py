"""What a lesson page is made of: prose, executed examples, API links, cited tests, exercises.

Shared by ``tests/docs/test_lesson_pages.py``, which holds every lesson to the course's bar, and
``scripts/lesson_table.py``, which prints the figures per lesson. A lesson is any page of a
``docs/module-NN-*/`` folder except the module's ``index.md`` and ``glossary.md``; Module 00's
pages are maps of the course, not lessons.

>>> page = Anatomy.of("# T\\n\\nSome words here.\\n\\n```{doctest}\\n>>> 1\\n1\\n```\\n")
>>> page.words, page.examples
(4, 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
MAPS = "module-00-orientation"

# An opening or closing fence: ``` or ~~~ (code and directives) or ::: (MyST colon directives).
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<marker>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_EXECUTED = frozenset({"doctest", "testcode"})
_NOT_PROSE = frozenset(
    {"doctest", "testcode", "testoutput", "testsetup", "testcleanup", "literalinclude", "mermaid"}
    | {"code", "code-block", "toctree", "eval-rst", "math", "csv-table"}
)
_API_LINK = re.compile(r"\{py:\w+\}`[^`]*service_monitoring[^`]*`")
_CITED_TEST = re.compile(r"tests/[\w./-]+\.py(?:::\w+)+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Anatomy:
    """The countable parts of one page."""

    words: int  # prose words: code, output, diagrams and directive options left out
    examples: int  # executed {doctest} and {testcode} blocks a reader sees
    api_links: int  # cross-references to the capstone's API
    cited_tests: int  # pytest node ids under tests/
    literalincludes: int  # real capstone source shown on the page
    headings: tuple[str, ...]  # the ## headings, in order
    exercises: int  # numbered items of the "Exercises" section
    solutions: int  # dropdowns of that section that hold an executed block

    @classmethod
    def of(cls, markdown: str) -> Anatomy:
        lines = markdown.splitlines()
        prose: list[str] = []
        examples = includes = 0
        stack: list[tuple[str, str]] = []  # (marker, directive) of the fences we are inside
        for line in lines:
            fence = _FENCE.match(line)
            if fence and stack and fence["marker"] == stack[-1][0] and not fence["info"].strip():
                stack.pop()
                continue
            if fence:
                directive = re.match(r"\{([\w:-]+)\}", fence["info"].strip())
                name = directive.group(1) if directive else "code"
                examples += name in _EXECUTED
                includes += name == "literalinclude"
                stack.append((fence["marker"], name))
                continue
            if any(kind in _NOT_PROSE for _, kind in stack):
                continue  # inside code, output, a diagram or a toctree
            if re.match(r"^\s*:[\w-]+:", line):
                continue  # a directive option
            prose.append(line)
        text = "\n".join(prose)
        headings = tuple(_HEADING.findall(markdown))
        exercises, solutions = _exercises(markdown)
        return cls(
            words=len(_WORD.findall(re.sub(r"\{[\w:]+\}`[^`]*`|`[^`]*`", " x ", text))),
            examples=examples,
            api_links=len(_API_LINK.findall(markdown)),
            cited_tests=len(set(_CITED_TEST.findall(markdown))),
            literalincludes=includes,
            headings=headings,
            exercises=exercises,
            solutions=solutions,
        )

    @classmethod
    def of_page(cls, page: Path) -> Anatomy:
        return cls.of(page.read_text(encoding="utf-8"))


def _exercises(markdown: str) -> tuple[int, int]:
    """(numbered exercises, dropdowns holding an executed block) of the Exercises section."""
    match = re.search(r"^## Exercises\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    if match is None:
        return 0, 0
    section = match.group(1)
    # Exercise numbers at the left margin; numbered lists inside solutions are indented or fenced.
    outside_fences = re.sub(
        r"^[ \t]*(:{3,}|`{3,}).*?^[ \t]*\1[ \t]*$", "", section, flags=re.MULTILINE | re.DOTALL
    )
    exercises = len(re.findall(r"^\d+\. ", outside_fences, re.MULTILINE))
    bodies = re.finditer(
        r"^[ \t]*(?P<m>:{3,})\{dropdown\}(?P<body>.*?)^[ \t]*(?P=m)[ \t]*$",
        section,
        re.MULTILINE | re.DOTALL,
    )
    solutions = sum(
        1 for body in bodies if re.search(r"\{(doctest|testcode)\}", body.group("body"))
    )
    return exercises, solutions


def lesson_pages() -> list[Path]:
    """Every lesson of every module folder, in module then file order."""
    return [
        page
        for module in sorted(DOCS.glob("module-*"))
        if module.name != MAPS
        for page in sorted(module.glob("*.md"))
        if page.stem not in {"index", "glossary"}
    ]
