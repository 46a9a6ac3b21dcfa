"""A ``>>>`` prompt appears in docs/ only where the doctest builder runs it.

A prompt anywhere else shows the reader output that no test checked. Executed
blocks are the ``{doctest}``, ``{testcode}``, ``{testoutput}``, ``{testsetup}``
and ``{testcleanup}`` directives, in MyST fences or in ``{eval-rst}`` blocks.
The scanner follows CommonMark fences (backticks and tildes) and MyST colon
fences, including directives nested in directives with longer markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXECUTED = frozenset({"doctest", "testcode", "testoutput", "testsetup", "testcleanup"})

PROMPT = re.compile(r"^\s*>>>(\s|$)")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<marker>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}")
RST_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:-]+)::")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _closing_line(lines: list[str], start: int, marker: str) -> int:
    """Index of the line closing a fence opened with ``marker`` (len(lines) if none)."""
    closing = re.compile(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$")
    for index in range(start, len(lines)):
        if closing.match(lines[index]):
            return index
    return len(lines)


def stray_rst_prompts(lines: list[str]) -> Iterator[int]:
    """Prompts in reStructuredText that are not inside an executed directive."""
    executed_indent: int | None = None
    for index, line in enumerate(lines):
        if line.strip() and executed_indent is not None and _indent(line) <= executed_indent:
            executed_indent = None  # the directive's body ended
        directive = RST_DIRECTIVE.match(line)
        if directive:
            if directive["name"] in EXECUTED:
                executed_indent = len(directive["indent"])
            continue
        if executed_indent is None and PROMPT.match(line):
            yield index


def stray_prompts(lines: list[str]) -> Iterator[int]:
    """Indexes of the lines of a MyST page holding a prompt no doctest runs."""
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None or (fence["marker"][0] == "`" and "`" in fence["info"]):
            if PROMPT.match(lines[index]):
                yield index
            index += 1
            continue
        close = _closing_line(lines, index + 1, fence["marker"])
        body = lines[index + 1 : close]
        directive = DIRECTIVE.match(fence["info"].strip())
        if directive is None:  # a plain code fence: nothing in it is executed
            found: Iterator[int] = (k for k, line in enumerate(body) if PROMPT.match(line))
        elif directive["name"] in EXECUTED:
            found = iter(())
        elif directive["name"] == "eval-rst":
            found = stray_rst_prompts(body)
        else:  # any other directive: its body is Markdown that may nest fences
            found = stray_prompts(body)
        yield from (index + 1 + k for k in found)
        index = close + 1


def lines_with_stray_prompts(text: str) -> list[int]:
    """1-based line numbers, as an editor shows them."""
    return [index + 1 for index in stray_prompts(text.splitlines())]


# --- the scanner itself -----------------------------------------------------------

ALLOWED = {
    "doctest fence": """
```{doctest}
>>> 1 + 1
2
```
""",
    "testcode in a colon fence": """
:::{testcode}
>>> print("a prompt in testcode is odd, but it is executed")
:::
""",
    "doctest nested in a dropdown with a longer marker": """
::::{dropdown} Solution
```{doctest}
>>> 2 * 3
6
```
::::
""",
    "backtick fence nested in a longer backtick directive": """
````{admonition} Try it
```{doctest}
>>> "ok"
'ok'
```
````
""",
    "doctest directive in eval-rst": """
```{eval-rst}
.. doctest::

   >>> 40 + 2
   42
```
""",
    "tilde fence": """
~~~{doctest}
>>> True
True
~~~
""",
    "prose mentioning the prompt inline": "Lines that start with `>>>` are executed.\n",
}

STRAY = {
    "bare prompt in prose": (">>> 1 + 1\n2\n", [1]),
    "python fence": ("```python\n>>> 1 + 1\n```\n", [2]),
    "pycon fence": ("```pycon\nx = 1\n>>> x\n```\n", [3]),
    "code-block directive": ("```{code-block} python\n>>> x\n```\n", [2]),
    "python fence inside a dropdown": (
        "::::{dropdown} Solution\n```python\n>>> 3\n```\n::::\n",
        [3],
    ),
    "a shorter inner fence does not close the outer one": (
        "````{note}\n```\n```\n>>> inside the note, outside any doctest\n````\n",
        [4],
    ),
    "after the doctest closes": ("```{doctest}\n>>> 1\n1\n```\n>>> 2\n", [5]),
    "eval-rst outside a doctest directive": (
        "```{eval-rst}\n.. code-block:: python\n\n   >>> 1\n\n>>> 2\n```\n",
        [4, 6],
    ),
    "eval-rst after the doctest body ends": (
        "```{eval-rst}\n.. doctest::\n\n   >>> 1\n   1\n\nText.\n\n   >>> 2\n```\n",
        [9],
    ),
    "unclosed plain fence runs to the end": ("```\n>>> 1\n", [2]),
}


@pytest.mark.parametrize("text", ALLOWED.values(), ids=ALLOWED.keys())
def test_scanner_accepts_executed_prompts(text: str) -> None:
    assert lines_with_stray_prompts(text) == []


@pytest.mark.parametrize(("text", "expected"), STRAY.values(), ids=STRAY.keys())
def test_scanner_finds_stray_prompts(text: str, expected: list[int]) -> None:
    assert lines_with_stray_prompts(text) == expected


# --- the real pages ---------------------------------------------------------------


def test_prompts_only_in_executed_blocks() -> None:
    pages = sorted(DOCS.rglob("*.md"))
    assert pages, f"no pages under {DOCS}"
    stray = [
        f"{page.relative_to(DOCS)}:{line}"
        for page in pages
        for line in lines_with_stray_prompts(page.read_text())
    ]
    assert not stray, (
        "'>>>' outside a block the doctest builder runs (use {doctest}, or "
        "{testcode} + {testoutput}):\n" + "\n".join(stray)
    )
