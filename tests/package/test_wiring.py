"""How the runtime is wired, and how far its interface checks reach.

Module 02's lessons on the composition root and on interfaces cite these tests: a runtime given
the policy's registry evaluates a custom mode; a runtime-checkable protocol checks method names,
not signatures, so a sink with the wrong ``publish`` is accepted and fails at delivery; only the
protocols marked runtime-checkable answer ``isinstance``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from service_monitoring import (
    STANDARD_MODES,
    Alert,
    CollectingIncidentSink,
    DeliveryPolicy,
    EvaluationMode,
    IncidentSink,
    MonitoringPolicy,
    MonitoringRuntime,
    PublicationFailed,
    ThresholdRule,
)
from service_monitoring.storage import InMemoryStore, LeasingStore, SqliteStore, Store
from support import T0, Below, latency_policy, sample


class NoArgumentSink:
    """Has a ``publish`` method, but one that takes no alerts."""

    def publish(self) -> None:
        raise AssertionError("never reached: the call itself fails")


class TicketSink:
    """Unrelated to IncidentSink by inheritance; matches it by shape."""

    def __init__(self) -> None:
        self.tickets: list[str] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.tickets.extend(alert.rule_id for alert in alerts)


def test_a_runtime_given_the_policys_registry_evaluates_its_custom_mode() -> None:
    modes = STANDARD_MODES.extended(Below())
    policy = MonitoringPolicy("disk", modes=modes)
    policy.add_rule(ThresholdRule("low", "disk.free_ratio", 0.1, "critical", mode="below"))
    policy.activate_rule("low")
    sink = CollectingIncidentSink()
    with MonitoringRuntime(modes=modes, sink=sink, clock=lambda: T0) as runtime:
        runtime.register_policy(policy)
        report = runtime.run_cycle("disk", [sample("disk.free_ratio", 0.04)])
    assert report.alerts_published == 1
    assert [alert.rule_id for alert in sink.alerts] == ["low"]


def test_a_structurally_matching_sink_is_accepted_without_inheriting_the_protocol() -> None:
    sink = TicketSink()
    assert IncidentSink not in type(sink).__mro__
    assert isinstance(sink, IncidentSink)
    with MonitoringRuntime(sink=sink, clock=lambda: T0) as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    assert sink.tickets == ["latency"]


def test_a_sink_with_the_wrong_publish_signature_is_accepted_and_fails_at_delivery() -> None:
    sink = NoArgumentSink()
    assert isinstance(sink, IncidentSink)  # the runtime check sees only the name
    with MonitoringRuntime(sink=sink, delivery=DeliveryPolicy(attempts=1)) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed, match="TypeError") as raised:
            runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
        assert isinstance(raised.value.__cause__, TypeError)
        assert runtime.pending_count() == 1  # committed, owed, not lost


def test_a_mode_with_the_wrong_evaluate_signature_is_registered() -> None:
    class NoSamples:
        name = "no_samples"

        def check_rule(self, rule: ThresholdRule) -> None:
            pass

        def evaluate(self) -> None:
            raise AssertionError("never reached: the call itself fails")

    mode = NoSamples()
    assert isinstance(mode, EvaluationMode)
    assert "no_samples" in STANDARD_MODES.extended(mode)  # type: ignore[arg-type]


def test_only_runtime_checkable_protocols_answer_isinstance() -> None:
    store = InMemoryStore()
    with pytest.raises(TypeError, match="runtime_checkable"):
        isinstance(store, Store)
    assert isinstance(store, LeasingStore)
    assert LeasingStore not in type(store).__mro__
    assert issubclass(SqliteStore, LeasingStore)

    class HalfAStore:
        def claim_pending(self) -> None: ...

        def release(self) -> None: ...

    assert not isinstance(HalfAStore(), LeasingStore)
