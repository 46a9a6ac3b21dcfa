"""Runtime contracts: the checks a caller relies on are named errors that ``python -O`` keeps,
and each one is the only thing between a caller and a silent wrong result.

The first test runs the checks in an interpreter started with ``-O``, where every ``assert``
statement is removed. The others remove one check at a time (a hand-made mutant) and show
what a caller would then get, so a test that expects the named error is known to depend on
exactly that check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from service_monitoring import (
    ConcurrencyConflict,
    MonitoringPolicy,
    MonitoringRuntime,
    RuleState,
    StoreUnavailable,
    ThresholdRule,
)
from service_monitoring.storage import InMemoryStore
from service_monitoring.storage import memory as memory_store
from support import stored_state_after_a_stale_write

PROBE = textwrap.dedent(
    """
    import sys
    from datetime import datetime

    from service_monitoring import (
        DomainError, MetricSample, ModeRegistry, MonitoringPolicy, MonitoringRuntime,
        ServiceMonitoringError, ThresholdRule,
    )
    from service_monitoring.storage import InMemoryStore

    sys.path.insert(0, TESTS)
    from support import stored_state_after_a_stale_write


    def closed_runtime():
        runtime = MonitoringRuntime()
        runtime.close()
        runtime.unit_of_work()


    def stale_writer():
        stored_state_after_a_stale_write(InMemoryStore())


    checks = {
        "naive timestamp": lambda: MetricSample("cpu", 0.5, datetime(2026, 11, 21, 10, 0)),
        "not a mode": lambda: ModeRegistry().register(5),
        "closed runtime": closed_runtime,
        "stale writer": stale_writer,
    }
    print("asserts run:", __debug__)
    for name, check in checks.items():
        try:
            check()
        except ServiceMonitoringError as error:
            print(f"{name}: {type(error).__name__}")
        else:
            print(f"{name}: accepted")
    """
)


def test_the_checks_callers_rely_on_hold_under_python_dash_o() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONOPTIMIZE"}
    result = subprocess.run(
        [
            sys.executable,
            "-O",
            "-c",
            PROBE.replace("TESTS", repr(str(Path(__file__).resolve().parents[1]))),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "asserts run: False",
        "naive timestamp: DomainError",
        "not a mode: DomainError",
        "closed runtime: StoreUnavailable",
        "stale writer: ConcurrencyConflict",
    ]


def test_with_the_version_check_a_stale_writer_is_refused() -> None:
    store = InMemoryStore()
    with pytest.raises(ConcurrencyConflict, match="loaded at version 1, stored version is 2"):
        stored_state_after_a_stale_write(store)
    assert store.load("checkout")[1].rule_state("latency") is RuleState.ACTIVE


def test_without_the_version_check_a_stale_writer_overwrites_silently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory_store, "check_version", lambda change, stored: None)
    assert stored_state_after_a_stale_write(InMemoryStore()) is RuleState.RETIRED


def test_without_the_open_check_a_closed_in_memory_runtime_keeps_changing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    runtime = MonitoringRuntime()
    runtime.register_policy(policy)
    runtime.close()
    with pytest.raises(StoreUnavailable, match="the runtime is closed"):
        runtime.activate_rule("checkout", "latency")
    monkeypatch.setattr(MonitoringRuntime, "_check_open", lambda self: None)
    runtime.activate_rule("checkout", "latency")  # accepted, on a runtime that says it is closed
    assert runtime.closed
    assert runtime.active_rules("checkout") == ("latency",)
