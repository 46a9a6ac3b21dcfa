"""Delivery cut short resumes: attempts accumulate, a released or expired lease is taken over."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from service_monitoring import (
    Alert,
    CollectingIncidentSink,
    DeliveryRejected,
    MonitoringRuntime,
    PublicationFailed,
)
from service_monitoring.serve.worker import DeliveryWorker
from support import T0, ManualClock, latency_policy, sample

WAIT = 30.0


class Refuses:
    def publish(self, alerts: Sequence[Alert]) -> None:
        raise DeliveryRejected("HTTP 400")


class Unreachable:
    def publish(self, alerts: Sequence[Alert]) -> None:
        raise ConnectionRefusedError("connection refused")


class StuckSink:
    """Holds its first batch until released: a deliverer alive but slower than its lease."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.taken: list[str] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.entered.set()
        assert self.release.wait(WAIT), "the test never released the sink"
        self.taken.extend(alert.incident_id for alert in alerts)


def one_pending(path: Path, clock: ManualClock) -> None:
    with MonitoringRuntime(database=path, clock=clock) as cycles:
        cycles.register_policy(latency_policy())
        cycles.run_cycle("checkout", [sample("http.latency_ms", 320)], deliver=False)


def test_failed_attempts_accumulate_and_the_next_deliverer_resumes_at_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "monitoring.db"
    one_pending(path, ManualClock(T0))
    slept: list[float] = []
    with MonitoringRuntime(database=path, sink=Refuses(), sleep=slept.append) as first:
        with pytest.raises(DeliveryRejected):
            first.deliver_pending()
        assert [entry.attempts for entry in first.pending_deliveries()] == [1]
    assert slept == []  # a rejection is not retried
    with MonitoringRuntime(database=path, sink=Unreachable(), sleep=slept.append) as second:
        with pytest.raises(PublicationFailed, match="after 3 attempt"):
            second.deliver_pending()
        assert [entry.attempts for entry in second.pending_deliveries()] == [4]
    assert slept == [0.05, 0.1]
    sink = CollectingIncidentSink()
    with MonitoringRuntime(database=path, sink=sink) as third:
        assert third.deliver_pending() == 1  # both failures released their leases
        assert third.pending_count() == 0


def test_a_lease_outlived_by_a_slow_holder_is_taken_over_and_sent_twice(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    clock = ManualClock(T0)
    one_pending(path, clock)
    stuck = StuckSink()
    slow = MonitoringRuntime(database=path, clock=clock, sink=stuck)
    holder = threading.Thread(target=slow.deliver_pending)
    holder.start()
    try:
        assert stuck.entered.wait(WAIT)
        sink = CollectingIncidentSink()
        with MonitoringRuntime(database=path, clock=clock, sink=sink) as survivor:
            worker = DeliveryWorker(survivor, interval=60)
            assert worker.deliver_once() == 0 and len(worker.pending) == 1
            clock.advance(299)
            assert worker.deliver_once() == 0
            clock.advance(1)
            assert worker.deliver_once() == 1 and not worker.pending
    finally:
        stuck.release.set()
        holder.join(WAIT)
        slow.close()
    delivered = [alert.incident_id for batch in sink.batches for alert in batch]
    assert delivered == stuck.taken  # at least once: the same id, twice
