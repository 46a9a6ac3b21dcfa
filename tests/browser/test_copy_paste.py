"""What the copy button copies pastes into the Python REPL.

On a few representative lesson pages, every executed example block (``{doctest}`` and
``{testcode}``, the visible setup in its dropdown included) is copied with its copy
button, in page order, and what reached the clipboard is pasted into one real
interactive interpreter (``python -i``, reading the paste from a pipe as it reads a
terminal: a blank line ends a compound statement). A blank line inside a class body, or
a statement straight after a compound one, is a SyntaxError or an IndentationError
there, although the doctest builder accepts both. The pages' own expected exceptions
are fine: only errors the REPL raises while *compiling* the paste fail the test.

Blocks that ``literalinclude`` shows from the repository are not examples to paste (a
method is indented as in its class, a docstring's ``>>>`` lines are its module's
doctests); they are recognised by the text they show, a verbatim part of a repository
file.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page

if TYPE_CHECKING:
    from conftest import ContextFactory

ROOT = Path(__file__).resolve().parents[2]
INCLUDED_FROM = ("src", "tests", "conf", "benchmarks", "scripts")
PAGES = [
    # the page: a >>> def followed at once by a >>> call; a setup with functions
    "module-10-performance-observability-security-review/input-hardening.html",
    # classes with several methods in {testcode}; compound >>> statements before a traceback
    "module-05-resources-failures-safe-evolution/compatibility-and-evolution.html",
    # a retry loop, a class per sink, the outbox: the other page the issue names
    "module-05-resources-failures-safe-evolution/idempotency-and-retries.html",
]
EXAMPLES = "article div.highlight-pycon, article div.highlight-python"
# ClipboardJS copies through a hidden textarea and document.execCommand("copy"); the
# copy event shows what went to the clipboard.
CAPTURE_COPIES = """() => {
    window.copiedTexts = [];
    document.addEventListener('copy', (event) => {
        const source = event.target;
        const text = source && typeof source.value === 'string'
            ? source.value.substring(source.selectionStart, source.selectionEnd)
            : String(document.getSelection());
        window.copiedTexts.push(text);
    }, true);
}"""
# A compile error in the REPL names <stdin> and a line, but no function: a traceback of
# an exception raised while running names the frame (", in <module>").
COMPILE_ERROR = re.compile(
    r'File "<stdin>", line \d+\n(?:.*\n){0,3}?(SyntaxError|IndentationError)'
)
DONE = "pasted to the end"


def _repository_text() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for folder in INCLUDED_FROM
        for path in sorted((ROOT / folder).rglob("*.py"))
    )


@pytest.fixture(scope="module")
def repository_text() -> str:
    return _repository_text()


def copied_examples(page: Page, repository_text: str) -> Iterator[str]:
    """Click the copy button of each example block, in page order; yield the clipboard text."""
    page.evaluate(CAPTURE_COPIES)
    # Setup and solutions sit in closed dropdowns; open them all, as a reader would.
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    blocks = page.locator(EXAMPLES)
    for index in range(blocks.count()):
        block = blocks.nth(index)
        block.scroll_into_view_if_needed()
        block.hover()
        block.locator("button.copybtn").click()
        page.wait_for_function(f"() => window.copiedTexts.length > {index}", timeout=10_000)
        text: str = page.evaluate(f"() => window.copiedTexts[{index}]")
        shown = block.locator("pre").inner_text().strip()
        if text.strip() and shown not in repository_text:
            yield text


def paste_into_repl(texts: list[str], workdir: Path) -> str:
    """Paste each text into one interactive interpreter, pressing Enter twice after each."""
    paste = "".join(text + "\n\n" for text in texts) + f"print({DONE!r})\n"
    completed = subprocess.run(
        [sys.executable, "-i", "-q"],
        input=paste,
        capture_output=True,
        text=True,
        cwd=workdir,
        timeout=120,
        check=False,
    )
    return completed.stdout + completed.stderr


def test_the_repl_reports_a_paste_that_breaks(tmp_path: Path) -> None:
    """The check itself: both ways the issue names fail, an expected exception does not."""
    blank_line_in_class = "class A:\n    x = 1\n\n    y = 2"
    statement_after_loop = "for n in range(2):\n    n\nprint(n)"
    for broken in (blank_line_in_class, statement_after_loop):
        assert COMPILE_ERROR.search(paste_into_repl([broken], tmp_path)), broken
    fine = paste_into_repl(["class A:\n    x = 1\n    y = 2", "1 / 0", "print(A.y)"], tmp_path)
    assert not COMPILE_ERROR.search(fine)
    assert "ZeroDivisionError" in fine and DONE in fine


@pytest.mark.parametrize("address", PAGES)
def test_copied_examples_paste_into_the_repl(
    address: str,
    new_context: ContextFactory,
    base_url: str,
    repository_text: str,
    tmp_path: Path,
) -> None:
    context = new_context()
    page = context.new_page()
    page.goto(base_url + address)
    texts = list(copied_examples(page, repository_text))
    assert len(texts) >= 5, f"{address}: only {len(texts)} examples copied"
    assert not any(line.startswith((">>>", "...")) for text in texts for line in text.split("\n"))
    output = paste_into_repl(texts, tmp_path)
    error = COMPILE_ERROR.search(output)
    if error:
        start = max(0, error.start() - 800)
        pytest.fail(
            f"{address}: the pasted examples do not compile:\n{output[start : error.end()]}"
        )
    assert DONE in output, f"{address}: the paste did not run to its end:\n{output[-2000:]}"
