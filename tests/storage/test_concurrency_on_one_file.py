"""Two connections to one SQLite file race for one policy (Module 06, optimistic concurrency)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service_monitoring import (
    ConcurrencyConflict,
    MetricSample,
    MonitoringRuntime,
)
from service_monitoring.storage import SqliteStore, SqliteUnitOfWork
from support import two_draft_rules

AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class LetsARivalIn:
    """A clock that runs a rival's change on its first *times* calls."""

    def __init__(self, rival_change: Callable[[], object], times: int) -> None:
        self.rival_change, self.times = rival_change, times

    def __call__(self) -> datetime:
        if self.times:
            self.times -= 1
            self.rival_change()
        return AT


@pytest.fixture
def path(tmp_path: Path) -> Path:
    database = tmp_path / "monitoring.db"
    with SqliteUnitOfWork(database) as uow:
        uow.policies.add(two_draft_rules())
        uow.commit()
    return database


def test_a_stale_writer_on_a_second_connection_gets_a_conflict(path: Path) -> None:
    with SqliteStore(path) as one, SqliteStore(path) as two:
        with SqliteUnitOfWork(one) as first, SqliteUnitOfWork(two) as second:
            first.policies.get("checkout").activate_rule("latency")
            second.policies.get("checkout").activate_rule("errors")
            first.commit()
            with pytest.raises(
                ConcurrencyConflict, match="loaded at version 1, stored version is 2"
            ):
                second.commit()
        version, stored = two.load("checkout")
    assert version == 2
    assert stored.rule_state("errors").value == "draft"


def test_the_runtime_reapplies_a_change_after_a_rival_process_commits(path: Path) -> None:
    with MonitoringRuntime(database=path, clock=lambda: AT) as rival:
        clock = LetsARivalIn(lambda: rival.retire_rule("checkout", "latency", "moved"), times=1)
        with MonitoringRuntime(database=path, clock=clock) as runtime:
            runtime.activate_rule("checkout", "errors")
            assert runtime.active_rules("checkout") == ("errors",)
            assert runtime.policy("checkout").rule_state("latency").value == "retired"
        with SqliteStore(path, read_only=True) as reader:
            assert reader.load("checkout")[0] == 3


def test_a_cycle_of_a_rival_exhausts_a_single_attempt(path: Path) -> None:
    with MonitoringRuntime(database=path, clock=lambda: AT) as rival:
        rival.activate_rule("checkout", "errors")

        def quiet_cycle() -> object:
            return rival.run_cycle("checkout", [MetricSample("http.error_rate", 0.01, AT)])

        clock = LetsARivalIn(quiet_cycle, times=1)
        with MonitoringRuntime(database=path, clock=clock, conflict_attempts=1) as runtime:
            with pytest.raises(ConcurrencyConflict):
                runtime.retire_rule("checkout", "errors", "noisy")
            assert runtime.policy("checkout").rule_state("errors").value == "active"
