"""A learner can paste every example of a page, in order, into a fresh Python session.

The doctest builder runs a page's examples after its hidden ``{testsetup}`` blocks, so an
example that uses a name only the hidden setup defines passes the build and fails the reader.
``test_page_examples_run_in_order`` runs what the page *shows*, and nothing else:

* the ``{doctest}`` and ``{testcode}`` blocks, in page order, also inside dropdowns and other
  directives; never ``{testsetup}`` or ``{testcleanup}`` (nor a block marked ``:hide:``);
* a ``{doctest}`` block statement by statement, as the REPL runs it: prompts stripped by the
  doctest parser the builder uses, each statement compiled in ``single`` mode;
* a ``{testcode}`` block as one ``exec``, as the builder runs it;
* each page in its own fresh interpreter (a subprocess, ``python -c``, so ``sys.path[0]`` is
  the working directory as in the REPL) with a fresh ``__main__`` namespace, in a temporary
  working directory that holds links to the checkout's ``conf``, ``docs``, ``src`` and
  ``tests``: a page may read the repository as from its root, and what it writes is thrown
  away. The pages run in parallel; each takes about a second.

Expected output is not compared: the doctest builder does that. An example whose expected
output is a traceback (a ``>>>`` example, or a ``{testoutput}`` starting with
``Traceback (most recent call last):``) may raise, and the page goes on, as the doctest
builder goes on; any other exception fails the page, naming it and the example's line.

``test_copied_examples_paste_into_the_repl`` takes each of those blocks as the copy button
copies it (sphinx-copybutton's ``formatCopyText``, with the settings of ``conf/conf.py``) and
reads it as the interactive interpreter reads a paste (:class:`code.InteractiveConsole`,
whose compiler is the REPL's): a blank line inside a class body, or a statement straight
after a compound statement, is a SyntaxError there although the doctest builder accepts
both. ``tests/browser/test_copy_paste.py`` pastes the real clipboard into a real
``python -i`` on a few pages.

``test_scanner_reads_what_the_doctest_builder_reads`` proves the scanner on the session's
html build: for every page, the blocks it finds are the blocks the doctest builder collects.
"""

from __future__ import annotations

import ast
import code
import doctest
import json
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Build

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SHOWN = frozenset({"doctest", "testcode", "testoutput"})
HIDDEN = frozenset({"testsetup", "testcleanup"})
# Directives whose body is literal text, not Markdown: fences in them are not blocks.
LITERAL = frozenset(
    {"code-block", "code", "sourcecode", "literalinclude", "mermaid", "math", "raw", "csv-table"}
)
# What a page may read from the checkout, seen from its working directory as from the root.
REPOSITORY = ("conf", "docs", "src", "tests")
PAGE_TIMEOUT = 60  # seconds; a page takes about one

FENCE = re.compile(r"^(?P<indent>\s*)(?P<marker>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}")
OPTION = re.compile(r"^:[\w-]+:")
RST_EXECUTED = re.compile(r"^\s*\.\.\s+(doctest|testcode|testoutput|testsetup|testcleanup)::")
TRACEBACK = re.compile(r"^Traceback \((most recent call last|innermost last)\):", re.MULTILINE)


# --- the blocks of a page ------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One executed directive of a page."""

    kind: str  # doctest, testcode, testoutput, testsetup or testcleanup
    line: int  # 1-based line of the opening fence
    first: int  # 1-based line of the first line of the body
    text: str
    options: frozenset[str]


def _closing_line(lines: list[str], start: int, marker: str) -> int:
    closing = re.compile(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$")
    for index in range(start, len(lines)):
        if closing.match(lines[index]):
            return index
    return len(lines)


def _dedent(line: str, width: int) -> str:
    """*line* without the up to *width* spaces of its fence's indentation."""
    kept = len(line) - len(line.lstrip(" "))
    return line[min(width, kept) :]


def _split_options(body: list[str]) -> tuple[list[str], int, frozenset[str]]:
    """A MyST directive body without its options: (content, lines skipped, option names)."""
    if body and body[0].strip() == "---":
        end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), len(body) - 1)
        names = {line.split(":", 1)[0].strip() for line in body[1:end] if ":" in line}
        return body[end + 1 :], end + 1, frozenset(names)
    skipped = 0
    while skipped < len(body) and OPTION.match(body[skipped]):
        skipped += 1
    names = {line.split(":")[1] for line in body[:skipped]}
    return body[skipped:], skipped, frozenset(names)


def scan(lines: list[str], offset: int = 0) -> Iterator[Block]:
    """The executed blocks of MyST *lines*, in order, nested directives included."""
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None or (fence["marker"][0] == "`" and "`" in fence["info"]):
            index += 1
            continue
        close = _closing_line(lines, index + 1, fence["marker"])
        body = [_dedent(line, len(fence["indent"])) for line in lines[index + 1 : close]]
        directive = DIRECTIVE.match(fence["info"].strip())
        name = directive["name"] if directive else None
        if name in SHOWN | HIDDEN:
            content, skipped, options = _split_options(body)
            yield Block(
                kind=str(name),
                line=offset + index + 1,
                first=offset + index + 2 + skipped,
                text="\n".join(content).strip("\n") + "\n",
                options=options,
            )
        elif name == "eval-rst":
            executed = [line for line in body if RST_EXECUTED.match(line)]
            assert not executed, (
                f"line {offset + index + 1}: executed directives in {{eval-rst}} are not "
                "supported by this test; write them as MyST fences"
            )
        elif name is not None and name not in LITERAL:
            content, skipped, _ = _split_options(body)
            yield from scan(content, offset + index + 1 + skipped)
        index = close + 1


def blocks(page: Path) -> list[Block]:
    return list(scan(page.read_text(encoding="utf-8").splitlines()))


def shown_blocks(page: Path) -> list[Block]:
    """The executed blocks a reader sees: no setup, cleanup or hidden block."""
    return [b for b in blocks(page) if b.kind not in HIDDEN and "hide" not in b.options]


# --- running a page's examples in order -----------------------------------------------


@dataclass(frozen=True)
class Example:
    """One thing a learner pastes: a ``>>>`` statement or a whole ``{testcode}`` block."""

    line: int  # 1-based page line where it starts
    source: str
    mode: str  # "single" for a >>> statement, "exec" for a testcode block
    raises: bool  # the page shows a traceback as its output


def shown_examples(page_blocks: list[Block]) -> list[Example]:
    """What a learner pastes from the page, in order: no hidden setup or cleanup."""
    parser = doctest.DocTestParser()
    examples: list[Example] = []
    last_testcode: int | None = None  # index in examples of a testcode still without output
    for block in page_blocks:
        if block.kind in HIDDEN or "hide" in block.options:
            continue
        if block.kind == "doctest":
            last_testcode = None
            for found in parser.get_examples(block.text):
                examples.append(
                    Example(
                        line=block.first + found.lineno,
                        source=found.source,
                        mode="single",
                        raises=found.exc_msg is not None,
                    )
                )
        elif block.kind == "testcode":
            examples.append(Example(block.first, block.text, "exec", raises=False))
            last_testcode = len(examples) - 1
        elif block.kind == "testoutput" and last_testcode is not None:
            # The builder pairs a {testoutput} with the {testcode} before it.
            if TRACEBACK.match(block.text):
                shown = examples[last_testcode]
                examples[last_testcode] = Example(shown.line, shown.source, shown.mode, True)
            last_testcode = None
    return examples


# The interpreter a page runs in. It reads the examples from a file, runs them in a fresh
# __main__ module (the runner's own names stay out of it, as they are not in a learner's
# session) and writes the first unexpected exception to the result file.
RUNNER = """
import json, os, sys, traceback, types

with open(sys.argv[1], encoding="utf-8") as file:
    examples = json.load(file)
result_path = sys.argv[2]
sys.argv = [""]
main = types.ModuleType("__main__")
sys.modules["__main__"] = main


def report(result):
    with open(result_path, "w", encoding="utf-8") as file:
        json.dump(result, file)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # threads or atexit hooks an example left behind must not hold the page


for number, example in enumerate(examples):
    try:
        exec(compile(example["source"], example["name"], example["mode"]), main.__dict__)
    except BaseException as error:
        if not example["raises"]:
            report({"failed": number, "traceback": traceback.format_exc(), "error": repr(error)})
report({"failed": None, "ran": len(examples)})
"""


@dataclass(frozen=True)
class Outcome:
    examples: list[Example]
    result: dict[str, Any] | None
    output: str


def run_page(page: Path, workdir: Path) -> Outcome:
    """Run the shown examples of *page* in a fresh interpreter, in *workdir*."""
    examples = shown_examples(blocks(page))
    name = page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else page.name
    workdir.mkdir(parents=True)
    for entry in REPOSITORY:
        (workdir / entry).symlink_to(ROOT / entry, target_is_directory=True)
    examples_file = workdir.parent / f"{workdir.name}.json"
    result_file = workdir.parent / f"{workdir.name}.result.json"
    examples_file.write_text(
        json.dumps(
            [
                {
                    "name": f"{name}:{example.line}",
                    "source": example.source,
                    "mode": example.mode,
                    "raises": example.raises,
                }
                for example in examples
            ]
        ),
        encoding="utf-8",
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    try:
        completed = subprocess.run(
            [sys.executable, "-c", RUNNER, str(examples_file), str(result_file)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PAGE_TIMEOUT,
            check=False,
        )
        output = completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as expired:
        output = f"timed out after {PAGE_TIMEOUT} s\n{expired.stderr or ''}"
    result = json.loads(result_file.read_text()) if result_file.exists() else None
    return Outcome(examples, result, output)


# --- what the copy button copies, read as the REPL reads it -----------------------------


@dataclass(frozen=True)
class CopyButton:
    """sphinx-copybutton's formatCopyText (copybutton_funcs.js), with conf.py's settings."""

    prompt_text: str = ""
    prompt_is_regexp: bool = False
    only_copy_prompt_lines: bool = True
    remove_prompts: bool = True
    copy_empty_lines: bool = True
    line_continuation_character: str = ""
    here_doc_delimiter: str = ""

    @classmethod
    def from_conf(cls, conf: Path) -> CopyButton:
        settings = {
            target.id.removeprefix("copybutton_"): ast.literal_eval(node.value)
            for node in ast.parse(conf.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and target.id.startswith("copybutton_")
        }
        button = cls(**settings)
        assert not (button.line_continuation_character or button.here_doc_delimiter), (
            "this copy of formatCopyText does not follow continuation lines or here-documents"
        )
        return button

    def copy(self, text: str) -> str:
        prompt = self.prompt_text if self.prompt_is_regexp else re.escape(self.prompt_text)
        regexp = re.compile(f"^({prompt})(.*)")
        copied: list[str] = []
        prompt_found = False
        for line in text.split("\n"):
            match = regexp.match(line)
            if match:
                prompt_found = True
                copied.append(match[2] if self.remove_prompts else line)
            elif not self.only_copy_prompt_lines or (self.copy_empty_lines and not line.strip()):
                copied.append(line)
        result = "\n".join(copied) if prompt_found else text
        return result.removesuffix("\n")  # copybutton drops one, so a paste does not run


class _PastedIntoTheRepl(code.InteractiveConsole):
    """Reads pasted lines as the REPL does (codeop), compiling but never running them."""

    def __init__(self) -> None:
        super().__init__(filename="<stdin>")
        self.errors: list[str] = []

    def runcode(self, code: Any) -> None:
        pass

    def showsyntaxerror(self, *args: Any, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        self.errors.append(f"{type(error).__name__}: {error}")


def repl_errors(pasted: str) -> list[str]:
    """The SyntaxErrors and IndentationErrors the REPL shows for *pasted*, then Enter twice."""
    console = _PastedIntoTheRepl()
    for line in (pasted + "\n\n").split("\n"):
        console.push(line)
    return console.errors


# --- the pages ------------------------------------------------------------------------


def pages_with_examples() -> list[Path]:
    return [
        page
        for page in sorted(DOCS.rglob("*.md"))
        if any(block.kind in {"doctest", "testcode"} for block in blocks(page))
    ]


PAGES = pages_with_examples()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Future[Outcome]]]:
    """Every page's run, started at once on a few threads (each page is its own process)."""
    root = tmp_path_factory.mktemp("paste-in-order")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        yield {
            page: pool.submit(run_page, page, root / f"page-{number}")
            for number, page in enumerate(PAGES)
        }


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(DOCS).as_posix())
def test_page_examples_run_in_order(page: Path, outcomes: dict[Path, Future[Outcome]]) -> None:
    outcome = outcomes[page].result()
    where = page.relative_to(ROOT).as_posix()
    assert outcome.examples, f"{where}: no examples found"
    result = outcome.result
    assert result is not None, f"{where}: the interpreter did not finish:\n{outcome.output[-3000:]}"
    if result["failed"] is not None:
        example = outcome.examples[result["failed"]]
        pytest.fail(
            f"{where}:{example.line}: pasted in order, without the page's hidden setup, "
            f"this example raises {result['error']}\n\n{example.source}\n{result['traceback']}",
            pytrace=False,
        )
    assert result["ran"] == len(outcome.examples)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(DOCS).as_posix())
def test_copied_examples_paste_into_the_repl(page: Path) -> None:
    button = CopyButton.from_conf(ROOT / "conf" / "conf.py")
    broken = [
        f"{page.relative_to(ROOT).as_posix()}:{block.line} ({block.kind}): {errors[0]}\n"
        f"--- copied ---\n{copied}\n"
        for block in shown_blocks(page)
        if block.kind in {"doctest", "testcode"}
        for copied in [button.copy(block.text)]
        for errors in [repl_errors(copied)]
        if errors
    ]
    assert not broken, (
        "what the copy button copies does not paste into the REPL: no blank line inside an "
        "indented block (no bare '...' there), and a blank line (a bare '...') after a "
        "compound statement before the next statement\n\n" + "\n".join(broken)
    )


def test_every_page_with_examples_is_covered() -> None:
    """Pages are found by their blocks; a fence the scanner missed would shrink this list."""
    fences = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\{(doctest|testcode)\}", re.MULTILINE)
    by_grep = {page for page in DOCS.rglob("*.md") if fences.search(page.read_text())}
    assert set(PAGES) == by_grep


# --- the checks themselves ----------------------------------------------------------

SAMPLE = """\
# Page

```{testsetup}
hidden = 1
```

```{doctest}
>>> def f(x):
...     return x
...
>>> f(2)
2
>>> 1 / 0
Traceback (most recent call last):
ZeroDivisionError: division by zero
```

::::{dropdown} Solution
:open:
```{testcode}
raise ValueError("shown")
```

```{testoutput}
Traceback (most recent call last):
ValueError: shown
```
::::

````markdown
```{doctest}
>>> "inside a plain fence: not executed"
```
````

````{code-block} markdown
```{testcode}
print("inside a literal directive: not executed")
```
````

```{testcleanup}
del hidden
```
"""


def test_scanner_finds_blocks_in_order_and_nested() -> None:
    found = scan(SAMPLE.splitlines())
    assert [(block.kind, block.line, block.first) for block in found] == [
        ("testsetup", 3, 4),
        ("doctest", 7, 8),
        ("testcode", 20, 21),
        ("testoutput", 24, 25),
        ("testcleanup", 42, 43),
    ]


def test_shown_examples_are_statements_without_the_hidden_blocks() -> None:
    examples = shown_examples(list(scan(SAMPLE.splitlines())))
    assert [(e.line, e.mode, e.raises) for e in examples] == [
        (8, "single", False),
        (11, "single", False),
        (13, "single", True),
        (21, "exec", True),
    ]
    assert examples[0].source == "def f(x):\n    return x\n"
    assert examples[1].source == "f(2)\n"


def test_a_name_from_hidden_setup_fails_the_page(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```{testsetup}\nhelper = 1\n```\n\n"
        "```{doctest}\n>>> 1 / 0\nTraceback (most recent call last):\nZeroDivisionError: x\n"
        ">>> helper\n1\n```\n"
    )
    outcome = run_page(page, tmp_path / "work")
    assert outcome.result is not None
    assert outcome.result["failed"] == 1  # the expected ZeroDivisionError is passed over
    assert "NameError: name 'helper' is not defined" in outcome.result["traceback"]


def test_the_copy_of_a_block_is_what_the_repl_needs() -> None:
    button = CopyButton(r">>> |\.\.\.(?: |$)|\$ ", prompt_is_regexp=True)
    doctest_block = ">>> for n in range(2):\n...     n\n...\n0\n1\n>>> print(n)\n1\n"
    assert button.copy(doctest_block) == "for n in range(2):\n    n\n\nprint(n)"
    assert repl_errors(button.copy(doctest_block)) == []
    assert [e.split(":")[0] for e in repl_errors("for n in range(2):\n    n\nprint(n)")] == [
        "SyntaxError"
    ]
    blank_line_in_class = "class A:\n    x = 1\n\n    y = 2\n"
    assert button.copy(blank_line_in_class) == blank_line_in_class.removesuffix("\n")
    assert [e.split(":")[0] for e in repl_errors(blank_line_in_class)] == ["IndentationError"]
    assert repl_errors('text = """a\n\nb"""\nclass A:\n    x = 1\n    y = 2\n\nA.y') == []


# --- the scanner reads what the doctest builder reads -------------------------------


def _read(kind: str, text: str) -> tuple[str, ...]:
    """What must agree: the code; of an expected output only its length, since
    test_doctest_gate_is_proven changes one output on the copy and builds it again."""
    lines = text.strip().splitlines()
    if kind == "testoutput":
        return (str(len(lines)),)
    if kind == "doctest":
        return tuple(line for line in lines if line.startswith((">>>", "...")))
    return tuple(lines)


def test_scanner_reads_what_the_doctest_builder_reads(html_build: Build, site_root: Path) -> None:
    """The doctrees of the session's build hold the nodes the doctest builder runs."""
    doctrees = site_root / "_build" / "doctrees"
    docs = site_root / "docs"  # the pages as they were built
    mismatched = []
    for page in sorted(docs.rglob("*.md")):
        docname = page.relative_to(docs).with_suffix("").as_posix()
        doctree_file = doctrees / f"{docname}.doctree"
        if not doctree_file.exists():
            continue
        doctree = pickle.loads(doctree_file.read_bytes())  # our own build
        from_sphinx = [
            (
                node["testnodetype"],
                node.line,
                _read(node["testnodetype"], node.get("test") or node.astext()),
            )
            for node in doctree.findall(lambda n: "testnodetype" in getattr(n, "attributes", {}))
        ]
        from_scanner = [(b.kind, b.line, _read(b.kind, b.text)) for b in blocks(page)]
        if from_sphinx != from_scanner:
            mismatched.append(docname)
    assert not mismatched, f"the scanner and the doctest builder disagree on: {mismatched}"
