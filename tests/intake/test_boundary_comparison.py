"""The samples boundary is hand-written: no validation library behind it, first refusal reported.

Module 03's lesson on validation libraries compares ``decode_samples`` with a library model.
These tests pin the two claims it makes about the capstone itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service_monitoring import PayloadRejected, decode_samples

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
LIBRARIES = ("pydantic", "pydantic_core", "marshmallow", "attrs", "cattrs", "msgspec")


def test_the_package_imports_and_declares_no_validation_library() -> None:
    probe = (
        "import sys, service_monitoring, service_monitoring.cli.app; "
        f"print(sorted(set({LIBRARIES!r}) & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
    with (ROOT / "pyproject.toml").open("rb") as file:
        declared = tomllib.load(file)["project"]["dependencies"]
    assert not [name for name in declared if name.startswith(LIBRARIES)]


def test_only_the_first_refusal_is_reported() -> None:
    later_ones_bad = json.dumps(
        {
            "samples": [
                {"metric": "cpu", "value": 0.5, "observed_at": "2026-11-21T09:59:00Z"},
                {"metric": "cpu", "value": True, "observed_at": "2026-11-21T09:59:00Z"},
                {"metric": "cpu", "value": 0.5, "observed_at": "2026-11-21T10:00:00"},
            ]
        }
    )
    with pytest.raises(PayloadRejected) as caught:
        decode_samples(later_ones_bad, now=NOW)
    assert caught.value.position == "samples[1].value"
    assert "samples[2]" not in str(caught.value)
