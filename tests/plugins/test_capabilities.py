"""Optional capabilities: code that has one is used through it, code without one still works.

Three capabilities sit beside the required protocols: a store may lease its outbox
(:class:`~service_monitoring.storage.LeasingStore`), a sink may have ``close()``, and a mode
may promise ``breaches_only_above_threshold``. Each test shows the absent case still works and
the present case is honoured only as declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from service_monitoring import (
    STANDARD_MODES,
    CollectingIncidentSink,
    DeliveryPolicy,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    Telemetry,
    ThresholdRule,
    Verdict,
)
from service_monitoring.delivery.outbox import OutboxDelivery
from service_monitoring.storage import (
    InMemoryStore,
    LeasingStore,
    PendingDelivery,
    StoreUnitOfWork,
)
from service_monitoring.testing import ContractViolation, LeasingStoreContract, StoreContract
from support import T0, latency_policy, sample


class StoreWithoutLeases:
    """Every method of ``Store`` from an in-memory store, and not the leasing two."""

    def __init__(self) -> None:
        self._inner = InMemoryStore()
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name in ("claim_pending", "release"):
            raise AttributeError(name)
        return getattr(self._inner, name)

    def pending_deliveries(self, limit: int) -> list[PendingDelivery]:
        self.calls.append(f"pending_deliveries({limit})")
        return self._inner.pending_deliveries(limit)


def _with_one_incident(store: StoreWithoutLeases) -> None:
    with StoreUnitOfWork(store, clock=lambda: T0) as uow:
        uow.policies.add(latency_policy())
        uow.commit()
    with StoreUnitOfWork(store, clock=lambda: T0) as uow:
        assert uow.policies.get("checkout").evaluate([sample("http.latency_ms", 320)])
        uow.commit()


def test_a_store_without_the_leasing_capability_is_drained_through_pending_deliveries() -> None:
    store = StoreWithoutLeases()
    assert not isinstance(store, LeasingStore)
    _with_one_incident(store)
    sink = CollectingIncidentSink()
    outbox = OutboxDelivery(store, sink, DeliveryPolicy(), telemetry=Telemetry())

    outcome = outbox.drain()

    assert (outcome.delivered, outcome.failure) == (1, None)
    assert store.calls == ["pending_deliveries(1)"]
    assert [alert.rule_id for alert in sink.alerts] == ["latency"]
    assert store.pending_count() == 0


def test_the_leasing_contract_refuses_a_store_that_does_not_lease_and_the_plain_one_passes() -> (
    None
):
    class TestPlain(StoreContract):
        def make_store(self) -> Any:
            return StoreWithoutLeases()

    class TestClaimsLeasing(LeasingStoreContract):
        def make_store(self) -> Any:
            return StoreWithoutLeases()

    TestPlain().test_an_opened_incident_waits_in_the_outbox_until_delivered()
    with pytest.raises(ContractViolation, match="which does not lease"):
        TestClaimsLeasing().test_a_release_or_a_delivery_ends_the_lease()


def test_a_sink_is_closed_only_when_it_has_a_callable_close() -> None:
    closed: list[str] = []

    class ClosingSink(CollectingIncidentSink):
        def close(self) -> None:
            closed.append("closed")

    class FlagSink(CollectingIncidentSink):
        close = True  # an attribute, not a method: nothing to call

    for sink in (CollectingIncidentSink(), FlagSink(), ClosingSink()):
        runtime = MonitoringRuntime(sink=sink)
        runtime.close()
        runtime.close()
        assert runtime.closed
    assert closed == ["closed"]


class CountingAbove:
    """Breach when a sample is above the threshold; counts the calls to ``evaluate``."""

    name = "counting_above"

    def __init__(self) -> None:
        self.calls = 0

    def check_rule(self, rule: ThresholdRule) -> None:
        pass

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        self.calls += 1
        first = next((s for s in samples if s.value > rule.threshold), None)
        return Verdict(first, samples[-1].value > rule.threshold)


def _calls_per_batch(mode: CountingAbove, values: Sequence[float]) -> list[int]:
    policy = MonitoringPolicy("checkout", modes=STANDARD_MODES.extended(mode))
    policy.add_rule(ThresholdRule("cpu", "cpu", 0.9, "warning", mode=mode.name))
    policy.activate_rule("cpu")
    calls = []
    for minute, value in enumerate(values):
        before = mode.calls
        policy.evaluate([sample("cpu", value, minute)])
        calls.append(mode.calls - before)
    return calls


def test_a_promising_mode_is_skipped_for_a_quiet_batch_only_while_its_rule_holds_no_state() -> None:
    class Promising(CountingAbove):
        breaches_only_above_threshold = True

    quiet, breach, recovered, quiet_again = 0.5, 0.95, 0.5, 0.5
    values = [quiet, breach, recovered, quiet_again]
    assert _calls_per_batch(CountingAbove(), values) == [1, 1, 1, 1]
    # the open incident is state: the quiet batch that closes it must reach the mode
    assert _calls_per_batch(Promising(), values) == [0, 1, 1, 0]


@pytest.mark.parametrize("declared", [1, "yes", 1.0])
def test_only_the_value_true_declares_the_promise(declared: object) -> None:
    mode = CountingAbove()
    mode.breaches_only_above_threshold = declared  # type: ignore[attr-defined]
    assert _calls_per_batch(mode, [0.5]) == [1]
