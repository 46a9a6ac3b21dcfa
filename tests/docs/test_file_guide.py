"""The Capstone File Guide names every file it should, and every path it names exists.

Paths are read from the guide's inline code spans (`` `src/…` ``, `` `tests/…` ``,
`` `benchmarks/…` ``); a ``::name`` suffix after a test path is ignored here
(tests/docs/test_proof_guide.py checks those names).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "capstone" / "file-guide.md"
PATH = re.compile(r"`((?:src|tests|benchmarks)/[^`\s:]*)(?:::[^`]*)?`")


def named_paths() -> set[str]:
    return set(PATH.findall(GUIDE.read_text(encoding="utf-8")))


def test_the_guide_names_paths() -> None:
    assert "src/service_monitoring/runtime.py" in named_paths()


def test_every_package_module_is_in_the_guide() -> None:
    named = named_paths()
    modules = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "src" / "service_monitoring").rglob("*.py")
        if "__pycache__" not in path.parts
    )
    assert [module for module in modules if module not in named] == []


def test_every_test_module_is_in_the_guide() -> None:
    named = named_paths()
    files = sorted(
        path.relative_to(ROOT).as_posix()
        for folder in ("tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )
    assert [file for file in files if file not in named] == []


def test_every_path_the_guide_names_exists() -> None:
    missing = sorted(path for path in named_paths() if not (ROOT / path).exists())
    assert missing == []
