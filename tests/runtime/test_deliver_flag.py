"""``run_cycle(..., deliver=False)``: commit the incidents and their outbox entries, offer nothing.

``serve`` runs its cycles that way and delivers from another runtime on the same database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from service_monitoring import Alert, DomainError, MonitoringRuntime
from support import latency_policy, sample


class CountingSink:
    """Remembers every batch it was offered; fails while ``down`` is true."""

    def __init__(self) -> None:
        self.offers: list[tuple[Alert, ...]] = []
        self.down = False

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.offers.append(tuple(alerts))
        if self.down:
            raise ConnectionRefusedError("sink unreachable")


def test_a_cycle_that_does_not_deliver_commits_and_leaves_the_incident_pending(
    database: Path | None,
) -> None:
    sink = CountingSink()
    with MonitoringRuntime(database=database, sink=sink) as runtime:
        runtime.register_policy(latency_policy())
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 300)], deliver=False)
        assert (report.alerts_opened, report.alerts_published) == (1, 0)
        assert report.pending_deliveries == 1
        assert sink.offers == []
        assert runtime.open_incidents("checkout") == report.alerts
        assert [entry.alert for entry in runtime.pending_deliveries()] == list(report.alerts)
        assert runtime.deliver_pending() == 1
        assert sink.offers == [report.alerts]


def test_a_backlog_is_not_offered_either(database: Path | None) -> None:
    sink = CountingSink()
    with MonitoringRuntime(database=database, sink=sink) as runtime:
        runtime.register_policy(latency_policy())
        runtime.register_policy(latency_policy("billing"))
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300)], deliver=False)
        sink.down = True  # would raise PublicationFailed if anything were offered
        report = runtime.run_cycle("billing", [sample("http.latency_ms", 400)], deliver=False)
        assert report.pending_deliveries == 2
        assert sink.offers == []


def test_another_runtime_on_the_same_file_delivers_what_the_cycle_committed(
    tmp_path: Path,
) -> None:
    database = tmp_path / "monitoring.db"
    sink = CountingSink()
    with (
        MonitoringRuntime(database=database) as cycles,
        MonitoringRuntime(database=database, sink=sink) as deliveries,
    ):
        cycles.register_policy(latency_policy())
        report = cycles.run_cycle("checkout", [sample("http.latency_ms", 300)], deliver=False)
        assert deliveries.deliver_pending() == 1
        assert sink.offers == [report.alerts]
        assert cycles.pending_count() == 0


def test_the_default_still_delivers(database: Path | None) -> None:
    sink = CountingSink()
    with MonitoringRuntime(database=database, sink=sink) as runtime:
        runtime.register_policy(latency_policy())
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        assert report.alerts_published == 1
        assert sink.offers == [report.alerts]


@pytest.mark.parametrize("deliver", [0, 1, "no", None])
def test_deliver_must_be_a_bool(deliver: object) -> None:
    with MonitoringRuntime() as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(DomainError, match="deliver must be True or False"):
            runtime.run_cycle("checkout", [], deliver=deliver)  # type: ignore[arg-type]
