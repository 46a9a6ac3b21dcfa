"""The Retry-After of a full queue is the time left until the next cycle, on the service's clock."""

from __future__ import annotations

import pytest

from service_monitoring import MonitoringPolicy, MonitoringRuntime
from service_monitoring.serve.intake_queue import Refusal
from service_monitoring.serve.service import MonitoringService
from service_monitoring.serve.settings import ServeSettings
from support import sample


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("elapsed", "expected"), [(0.0, 5), (1.2, 4), (4.5, 1), (7.0, 1)])
def test_a_full_queue_asks_for_the_seconds_left_until_the_next_cycle(
    elapsed: float, expected: int
) -> None:
    clock = FakeMonotonic()
    cycles, deliveries = MonitoringRuntime(), MonitoringRuntime()
    cycles.register_policy(MonitoringPolicy("checkout"))
    settings = ServeSettings(interval=5, queue_limit=1)
    with MonitoringService(
        settings, "checkout", cycles=cycles, deliveries=deliveries, clock=clock
    ) as service:
        assert service.offer([sample("cpu", 0.5)]).accepted
        clock.now = elapsed
        refused = service.offer([sample("cpu", 0.6)])
    assert (refused.refusal, refused.retry_after) == (Refusal.FULL, expected)
