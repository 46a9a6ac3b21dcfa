"""Value semantics the containers rely on: equality, hashing, no order, no aliasing.

The frozen values compare and hash by their normalised fields, so equal values
deduplicate in sets and dicts; they refuse every assignment, so a value used as
a key cannot change under its dict; and the objects that hold mutable state hand
out snapshots, never their own containers.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from operator import attrgetter

import pytest

from service_monitoring import (
    Alert,
    MetricSample,
    MonitoringPolicy,
    Severity,
    ThresholdRule,
)
from support import T0, latency_policy, sample


def test_equal_values_hash_equal_and_deduplicate_in_a_set() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    same_rule = ThresholdRule("latency", "http.latency_ms", 250.0, Severity.CRITICAL)
    noon_at_plus_two = datetime(2026, 11, 21, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    one = MetricSample("http.latency_ms", 320, T0)
    same_one = MetricSample("http.latency_ms", 320.0, noon_at_plus_two)
    alert = Alert.open("checkout", rule, one)
    same_alert = Alert.open("checkout", same_rule, same_one)
    for value, equal in ((rule, same_rule), (one, same_one), (alert, same_alert)):
        assert value is not equal
        assert value == equal
        assert hash(value) == hash(equal)
        assert len({value, equal}) == 1
        assert {value: "first"}[equal] == "first"
    other = Alert.open("checkout", rule, sample("http.latency_ms", 330))
    assert list(dict.fromkeys([alert, same_alert, other, alert])) == [alert, other]


def test_values_are_unequal_to_other_types_without_raising() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    assert rule != "latency"
    assert rule != None  # noqa: E711 -- the comparison itself is what is tested
    assert sample("cpu", 1.0) != ("cpu", 1.0, T0)
    assert [None, "latency", rule].index(rule) == 2


def test_severity_is_equal_to_and_hashes_like_its_string() -> None:
    assert Severity.CRITICAL == "critical"
    assert hash(Severity.CRITICAL) == hash("critical")
    counts = {"critical": 0}
    counts[Severity.CRITICAL] += 1
    assert counts == {"critical": 1}
    assert Severity.CRITICAL in {"critical", "warning"}
    assert len({Severity.CRITICAL, "critical"}) == 1


def test_rules_have_no_order_so_callers_sort_with_a_key() -> None:
    cpu = ThresholdRule("cpu", "cpu.utilisation", 0.9, "warning")
    latency = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    with pytest.raises(TypeError, match="'<' not supported"):
        sorted([latency, cpu])
    assert sorted([latency, cpu], key=attrgetter("metric")) == [cpu, latency]


@pytest.mark.parametrize(
    "value",
    [
        MetricSample("cpu", 1.0, T0),
        ThresholdRule("latency", "http.latency_ms", 250, "critical"),
        Alert.open(
            "checkout",
            ThresholdRule("latency", "http.latency_ms", 250, "critical"),
            MetricSample("http.latency_ms", 300, T0),
        ),
    ],
    ids=lambda value: type(value).__name__,
)
def test_every_field_of_a_value_refuses_assignment_so_a_key_stays_findable(value: object) -> None:
    index = {value: "found"}
    for field in dataclasses.fields(value):  # type: ignore[arg-type]
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field.name, getattr(value, field.name))
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(value, field.name)
    with pytest.raises((AttributeError, TypeError)):
        value.extra = 1  # type: ignore[attr-defined]  # slots: no room for a new attribute
    assert index[value] == "found"


def test_the_policy_hands_out_snapshots_that_later_changes_do_not_reach() -> None:
    policy = latency_policy(active=False)
    before = policy.rules()
    assert isinstance(before, tuple)
    policy.add_rule(ThresholdRule("cpu", "cpu.utilisation", 0.9, "warning"))
    assert [rule.rule_id for rule in before] == ["latency"]
    assert [rule.rule_id for rule in policy.rules()] == ["latency", "cpu"]
    assert before[0] is policy.rule("latency")  # a new tuple of the same frozen rules
    assert isinstance(policy.active_rules(), tuple)
    assert isinstance(policy.open_incidents(), tuple)


def test_a_policy_refuses_new_attributes_and_assignment_to_its_properties() -> None:
    policy = MonitoringPolicy("checkout")
    with pytest.raises(AttributeError, match="no setter"):
        policy.policy_id = "billing"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="polcy_id"):
        policy.polcy_id = "billing"  # type: ignore[attr-defined]
    assert policy.policy_id == "checkout"
