"""The layers are enforced by import-linter (``tox -e lint``): shown here to fail when broken.

Each test lints a copy of ``src/`` with the contracts of ``pyproject.toml``: unchanged, the
contracts are kept; with one import that points the wrong way, the run fails and names it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_of_src(tmp_path: Path) -> Path:
    """A copy of src/ and pyproject.toml in *tmp_path*; returns the package folder."""
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path / "src" / "service_monitoring"


def lint(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the copy in *tmp_path*."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(autouse=True)
def _needs_the_linter() -> None:
    assert LINT_IMPORTS.exists(), "import-linter belongs to the test environment"


def test_the_real_tree_keeps_every_contract(tmp_path: Path) -> None:
    copy_of_src(tmp_path)
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        (
            "domain/values.py",
            "from ..storage import port",
            "service_monitoring.domain.values -> service_monitoring.storage.port",
        ),
        (
            "storage/codec.py",
            "from ..delivery import payload",
            "service_monitoring.storage.codec -> service_monitoring.delivery.payload",
        ),
        (
            "delivery/outbox.py",
            "from .. import runtime",
            "service_monitoring.delivery.outbox -> service_monitoring.runtime",
        ),
        ("domain/policy.py", "import sqlite3", "service_monitoring.domain.policy -> sqlite3"),
    ],
    ids=["domain-to-storage", "storage-to-delivery", "delivery-to-runtime", "domain-to-sqlite3"],
)
def test_an_import_against_the_layers_fails_the_lint_and_is_named(
    tmp_path: Path, module: str, line: str, named: str
) -> None:
    target = copy_of_src(tmp_path) / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert named in result.stdout


def test_a_module_outside_every_layer_fails_the_lint(tmp_path: Path) -> None:
    (copy_of_src(tmp_path) / "helpers.py").write_text('"""Belongs to no layer."""\n')
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "service_monitoring.helpers" in result.stdout
