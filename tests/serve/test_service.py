"""The service in process: a failed cycle loses nothing, a failing sink stops nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from serve_support import wait_until
from service_monitoring import (
    STANDARD_MODES,
    Alert,
    DeliveryPolicy,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    ThresholdRule,
    Verdict,
)
from service_monitoring.serve.service import MonitoringService
from service_monitoring.serve.settings import ServeSettings
from support import sample


class FailsFirst:
    """A threshold mode whose first *failures* evaluations raise, as a flaky plug-in might."""

    name = "fails_first"

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def check_rule(self, rule: ThresholdRule) -> None:
        """Every rule suits it."""

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("a passing fault")
        first = next((s for s in samples if s.value > rule.threshold), None)
        return Verdict(first, samples[-1].value > rule.threshold)


class DownFirst:
    """A sink that refuses its first *failures* batches, then takes everything."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.taken: list[Alert] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("sink down")
        self.taken.extend(alerts)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "service.db"


@contextmanager
def start(
    database: Path, *, mode: FailsFirst | None = None, sink: DownFirst | None = None
) -> Iterator[MonitoringService]:
    modes = STANDARD_MODES if mode is None else STANDARD_MODES.extended(mode)
    policy = MonitoringPolicy("checkout", modes=modes)
    policy.add_rule(
        ThresholdRule(
            "latency", "http.latency_ms", 250, "critical", mode=mode.name if mode else "threshold"
        )
    )
    policy.activate_rule("latency")
    cycles = MonitoringRuntime(database=database, modes=modes)
    cycles.register_policy(policy)
    deliveries = MonitoringRuntime(
        database=database,
        modes=modes,
        sink=sink,
        delivery=DeliveryPolicy(attempts=1),
    )
    settings = ServeSettings(interval=0.05, delivery_interval=0.05)
    with MonitoringService(settings, "checkout", cycles=cycles, deliveries=deliveries) as service:
        service.start()
        yield service


def test_samples_of_a_failed_cycle_are_committed_by_a_later_one(database: Path) -> None:
    with start(database, mode=FailsFirst(2)) as service:
        assert service.offer([sample("http.latency_ms", 320)]).accepted
        wait_until(lambda: service.uncommitted == 0, "a cycle that commits")
        summary = service.shutdown()
    assert (summary.accepted, summary.committed) == (1, 1)
    with MonitoringRuntime(database=database, read_only=True) as runtime:
        assert [a.rule_id for a in runtime.open_incidents("checkout")] == ["latency"]


def test_a_failing_sink_is_retried_at_the_next_wake_and_the_service_goes_on(
    database: Path,
) -> None:
    sink = DownFirst(3)
    with start(database, sink=sink) as service:
        assert service.offer([sample("http.latency_ms", 320)]).accepted
        wait_until(lambda: len(sink.taken) == 1, "the sink to take the incident")
        wait_until(lambda: service.health()["pending_deliveries"] == 0, "nothing pending")
        assert service.health()["status"] == "ok"
        assert service.offer([sample("http.latency_ms", 330, minutes=1)]).accepted
        summary = service.shutdown()
    assert summary.delivered == 1 and summary.pending == 0
    assert summary.committed == 2
    assert service.health()["status"] == "stopping"
