"""Every test a page cites exists: ``tests/….py::name`` anywhere under docs/ is a test pytest runs.

Pages cite proof as pytest node ids: ``tests/runtime/test_runtime_semantics.py::test_…``, or
``…::TestClass`` and ``…::TestClass::test_method``. A citation is real when pytest, collecting
the cited files, collects a test under that id or under it (a parametrised test's cases,
``test_x[memory]``, and a class's tests count for ``test_x`` and for the class). A citation that
pytest cannot collect sends the reader to a command that runs nothing: a renamed or deleted
test, a helper, or a Hypothesis state machine named by its class instead of its ``TestCase``.
The cited files are collected once per session, with ``pytest --collect-only -q``.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CITATION = re.compile(r"(tests/[\w./-]+\.py)((?:::\w+)+)")


def citations() -> list[tuple[str, str, tuple[str, ...]]]:
    """(page, file, names) for every citation in every page, in page order."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for match in CITATION.finditer(page.read_text(encoding="utf-8")):
            names = tuple(match.group(2).strip(":").split("::"))
            found.append((page.relative_to(DOCS).as_posix(), match.group(1), names))
    return found


@functools.cache
def collected(files: tuple[str, ...]) -> frozenset[str]:
    """The node ids pytest collects from *files*, without parameters (``test_x[a]``: ``test_x``)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ids = {
        re.sub(r"\[.*\]$", "", line.strip())
        for line in result.stdout.splitlines()
        if line.startswith("tests/") and "::" in line
    }
    return frozenset(ids)


def is_collected(citation: str, ids: frozenset[str]) -> bool:
    """A test under exactly this id, or a test inside it (a class, a state machine's TestCase)."""
    return citation in ids or any(node.startswith(citation + "::") for node in ids)


def cited_files() -> tuple[str, ...]:
    return tuple(sorted({file for _, file, _ in citations() if (ROOT / file).is_file()}))


def test_pages_cite_tests() -> None:
    pages = {page for page, _, _ in citations()}
    assert "capstone/proof-guide.md" in pages


def test_every_cited_test_exists() -> None:
    ids = collected(cited_files())
    broken = []
    for page, file, names in citations():
        citation = "::".join((file, *names))
        if not (ROOT / file).is_file():
            broken.append(f"{page}: {file} does not exist")
        elif not is_collected(citation, ids):
            broken.append(f"{page}: pytest collects no test {citation}")
    assert not broken, "citations of missing tests:\n" + "\n".join(sorted(set(broken)))


def test_the_check_refuses_what_pytest_cannot_collect() -> None:
    stateful = "tests/properties/test_rule_lifecycle_stateful.py"
    ids = collected(cited_files())
    assert is_collected(f"{stateful}::TestRuleLifecycle", ids)
    assert not is_collected(f"{stateful}::RuleLifecycle", ids)
    assert not is_collected("tests/support.py::sample", ids)
    parametrised = "tests/runtime/test_runtime_semantics.py::test_concurrent_writers_lose_no_update"
    assert is_collected(parametrised, ids)
    assert not is_collected(parametrised[:-1], ids)
