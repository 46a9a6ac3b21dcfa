"""The docstring gate is proven: pytest runs the docstring examples, and a wrong one fails.

``pyproject.toml`` gives pytest ``--doctest-modules`` in ``addopts``, so the ``>>>`` examples in
the package's docstrings run in ``tox -e tests`` with no flag on the command line. Nothing else
would notice if that option were dropped: the examples would simply stop running. These tests
collect the examples of one module under the project's configuration, then run a module whose
docstring shows a wrong result and require pytest to fail it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VALUES = "src/service_monitoring/domain/values.py"

LYING = '''
def percent(part, whole):
    """Return *part* as a percentage of *whole*, rounded to one decimal.

    >>> percent(1, 4)
    25.0
    >>> percent(2, 3)
    66.6
    """
    return round(100 * part / whole, 1)
'''


def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a child process, from the repository's root, with only the project's options."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_pytest_collects_and_passes_the_docstring_examples_of_the_capstone() -> None:
    collected = pytest_run("--collect-only", "-q", VALUES)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert f"{VALUES}::service_monitoring.domain.values.incident_id_for" in collected.stdout
    ran = pytest_run("-q", f"{VALUES}::service_monitoring.domain.values.incident_id_for")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout


def test_a_docstring_example_that_lies_fails_under_the_project_configuration(
    tmp_path: Path,
) -> None:
    module = tmp_path / "lying.py"
    module.write_text(LYING, encoding="utf-8")
    # A file outside the checkout finds no configuration of its own: name the project's.
    result = pytest_run("-c", "pyproject.toml", "--rootdir", ".", "-q", str(module))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "Expected:\n    66.6\nGot:\n    66.7" in result.stdout
