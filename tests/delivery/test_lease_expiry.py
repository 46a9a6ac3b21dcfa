"""A lease held by a deliverer that died ends on the injected wall clock, not before."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from service_monitoring import Alert, CollectingIncidentSink, DeliveryPolicy, MonitoringRuntime
from support import T0, ManualClock, latency_policy, sample


class DiesMidPublish:
    """Stands for a process killed while sending: no ``except Exception`` catches it."""

    def publish(self, alerts: Sequence[Alert]) -> None:
        raise SystemExit("killed while sending")


@pytest.mark.parametrize("lease_seconds", [300.0, 30.0])
def test_a_dead_deliverers_lease_ends_after_lease_seconds_of_the_clock(
    tmp_path: Path, lease_seconds: float
) -> None:
    path = tmp_path / "monitoring.db"
    clock = ManualClock(T0)
    policy = DeliveryPolicy(lease_seconds=lease_seconds)
    with MonitoringRuntime(database=path, clock=clock) as cycles:
        cycles.register_policy(latency_policy())
        cycles.run_cycle("checkout", [sample("http.latency_ms", 300)], deliver=False)
    with (
        pytest.raises(SystemExit),
        MonitoringRuntime(
            database=path, clock=clock, sink=DiesMidPublish(), delivery=policy
        ) as dying,
    ):
        dying.deliver_pending()
    sink = CollectingIncidentSink()
    with MonitoringRuntime(database=path, clock=clock, sink=sink, delivery=policy) as survivor:
        assert survivor.deliver_pending() == 0  # the dead deliverer's lease still holds
        clock.advance(lease_seconds - 1)
        assert survivor.deliver_pending() == 0
        clock.advance(1)
        assert survivor.deliver_pending() == 1  # the lease ended by itself
        assert survivor.pending_count() == 0
    assert len(sink.batches) == 1
