"""A short run of the policy-file fuzzer of ``tox -e fuzz`` finds no unexpected exception."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_policy_file_fuzz_run_finds_no_unexpected_exception() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/fuzz_policy_file.py", "--inputs", "1500", "--seed", "7"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.match(r"policy file: (\d+) inputs, 0 unexpected exceptions \(", result.stdout)
    assert match is not None, result.stdout
    assert int(match[1]) >= 1500


def test_the_fuzz_environment_runs_the_policy_file_fuzzer_too() -> None:
    """`tox -e fuzz` runs fuzz_decode.py, which fuzzes the policy file after the payloads."""
    result = subprocess.run(
        [sys.executable, "benchmarks/fuzz_decode.py", "--inputs", "200", "--atheris-runs", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^policy file: \d+ inputs, 0 unexpected exceptions", result.stdout, re.M)
