"""Every test a page cites exists: ``tests/….py::name`` anywhere under docs/ is a real test.

Pages cite proof as ``tests/runtime/test_runtime_semantics.py::test_…`` (or
``…::TestClass`` and ``…::TestClass::test_method``). For each citation the file
must exist and define every name in it as a ``def``, a ``class``, or a
module-level assignment (a Hypothesis state machine's ``TestX = X.TestCase``). A citation of a
test that was renamed or deleted would send a reader to proof that is not there.
"""

from __future__ import annotations

import re
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


def defines(source: str, name: str) -> bool:
    """A ``def`` or ``class`` called *name*, or a module-level assignment to it."""
    name = re.escape(name)
    definition = rf"^\s*(?:async\s+)?(?:def|class)\s+{name}\b|^{name}\s*="
    return re.search(definition, source, re.MULTILINE) is not None


def test_pages_cite_tests() -> None:
    pages = {page for page, _, _ in citations()}
    assert "capstone/proof-guide.md" in pages


def test_every_cited_test_exists() -> None:
    broken = []
    for page, file, names in citations():
        path = ROOT / file
        if not path.is_file():
            broken.append(f"{page}: {file} does not exist")
            continue
        source = path.read_text(encoding="utf-8")
        broken += [
            f"{page}: {file} defines no {name}" for name in names if not defines(source, name)
        ]
    assert not broken, "citations of missing tests:\n" + "\n".join(sorted(set(broken)))
