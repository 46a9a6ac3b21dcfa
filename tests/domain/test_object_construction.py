"""Object semantics the Module 01 lessons rely on: identity, attribute storage, construction."""

from __future__ import annotations

import dataclasses
import gc

import pytest

from service_monitoring import (
    Alert,
    DomainError,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    RuleState,
    ThresholdRule,
)
from support import latency_policy, sample


def test_the_runtime_hands_out_a_new_private_copy_on_every_call() -> None:
    with MonitoringRuntime() as runtime:
        runtime.register_policy(latency_policy(active=False))
        first, second = runtime.policy("checkout"), runtime.policy("checkout")
        assert first is not second
        assert first.policy_id == second.policy_id == "checkout"
        first.activate_rule("latency")
        assert runtime.active_rules("checkout") == ()
        assert runtime.policy("checkout").rule_state("latency") is RuleState.DRAFT


def test_registering_a_policy_stores_a_copy_not_the_callers_object() -> None:
    policy = latency_policy(active=False)
    with MonitoringRuntime() as runtime:
        runtime.register_policy(policy)
        policy.activate_rule("latency")  # the caller's object, after registration
        assert runtime.policy("checkout") is not policy
        assert runtime.active_rules("checkout") == ()


def test_policies_compare_by_identity_not_by_policy_id() -> None:
    one, other = MonitoringPolicy("checkout"), MonitoringPolicy("checkout")
    assert one == one
    assert one != other
    assert one.policy_id == other.policy_id


def test_values_keep_their_fields_in_slots_not_in_an_instance_dictionary() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    for value in (rule, sample("cpu", 1.0)):
        assert not hasattr(value, "__dict__")
        for field in dataclasses.fields(value):
            descriptor = type(value).__dict__[field.name]
            assert type(descriptor).__name__ == "member_descriptor"
            assert descriptor.__get__(value, type(value)) == getattr(value, field.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        del rule.threshold  # type: ignore[misc]


def _live_rules() -> int:
    return sum(type(candidate) is ThresholdRule for candidate in gc.get_objects())


@pytest.mark.parametrize(
    "bad",
    [
        {"threshold": float("nan")},
        {"metric": "line\nbreak"},
        {"severity": "loud"},
        {"window": 0},
        {"window": True},
    ],
)
def test_a_failed_construction_leaves_no_instance_alive(bad: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "rule_id": "r",
        "metric": "m",
        "threshold": 1.0,
        "severity": "warning",
    }
    arguments.update(bad)
    before = _live_rules()
    with pytest.raises(DomainError):
        ThresholdRule(**arguments)  # type: ignore[arg-type]
    assert _live_rules() == before


def test_alert_open_builds_the_value_the_validating_constructor_builds() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    observed = MetricSample("http.latency_ms", 300, sample("cpu", 0.0).observed_at)
    opened = Alert.open("checkout", rule, observed)
    rebuilt = Alert(
        **{field.name: getattr(opened, field.name) for field in dataclasses.fields(opened)}
    )
    assert opened == rebuilt
    assert hash(opened) == hash(rebuilt)
