"""Which states the values exclude, how, and where the exclusion ends.

The claims of Module 03's lessons on dataclass traps and on invalid states made
unrepresentable: the dataclass choices the public values share, the checks a rule
cannot make alone, and the ``object.__setattr__`` bypass that Python leaves open.
"""

from __future__ import annotations

import dataclasses
import math
import weakref

import pytest

import service_monitoring
from service_monitoring import (
    STANDARD_MODES,
    Alert,
    DomainError,
    MetricSample,
    MonitoringPolicy,
    ThresholdRule,
)
from support import T0, Below, sample

PUBLIC_DATACLASSES = sorted(
    (
        getattr(service_monitoring, name)
        for name in service_monitoring.__all__
        if dataclasses.is_dataclass(getattr(service_monitoring, name))
    ),
    key=lambda cls: cls.__name__,
)


def test_the_public_api_has_dataclasses_to_check() -> None:
    names = {cls.__name__ for cls in PUBLIC_DATACLASSES}
    assert {"Alert", "MetricSample", "ThresholdRule", "DeliveryPolicy", "RuleAdded"} <= names


@pytest.mark.parametrize("cls", PUBLIC_DATACLASSES, ids=lambda cls: cls.__name__)
def test_every_public_dataclass_is_frozen_slotted_unordered_and_inherits_no_dataclass(
    cls: type,
) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and params.eq and not params.order
    assert "__slots__" in cls.__dict__
    assert cls.__hash__ is not None  # frozen and eq: hashable
    assert [base for base in cls.__mro__[1:] if dataclasses.is_dataclass(base)] == []


def test_values_cannot_be_weakly_referenced_because_their_slots_have_no_weakref() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    one = sample("http.latency_ms", 300.0)
    for value in (rule, one, Alert.open("checkout", rule, one)):
        assert "__weakref__" not in type(value).__slots__
        with pytest.raises(TypeError, match="cannot create weak reference"):
            weakref.ref(value)


def test_rule_window_and_mode_can_only_be_passed_by_keyword() -> None:
    with pytest.raises(TypeError, match="positional"):
        ThresholdRule("hot", "cpu", 0.9, "warning", 3, "consecutive")  # type: ignore[call-arg]
    assert ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="consecutive").window == 3


def test_the_window_bound_belongs_to_the_rule_and_its_fit_to_the_mode() -> None:
    with pytest.raises(DomainError, match="from 1 to 1000, got 1001"):
        ThresholdRule("hot", "cpu", 0.9, "warning", window=1001, mode="consecutive")
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("hot", "cpu", 0.9, "warning", window=1000, mode="consecutive"))
    policy.add_rule(ThresholdRule("surge", "cpu", 0.9, "warning", mode="rate_of_change"))
    misfit = ThresholdRule("wide", "cpu", 0.9, "warning", window=2)  # a valid value...
    with pytest.raises(DomainError, match="mode 'threshold' takes window=1, got 2"):
        policy.add_rule(misfit)  # ...that this policy refuses
    assert [rule.rule_id for rule in policy.rules()] == ["hot", "surge"]


def test_a_rule_with_an_unregistered_mode_is_a_value_that_only_some_policies_accept() -> None:
    rule = ThresholdRule("low", "disk.free", 0.1, "warning", mode="below")
    assert "below" not in STANDARD_MODES
    with pytest.raises(DomainError, match="unknown evaluation mode 'below'"):
        MonitoringPolicy("checkout").add_rule(rule)
    extended = MonitoringPolicy("checkout", modes=STANDARD_MODES.extended(Below()))
    extended.add_rule(rule)
    assert extended.rule("low") is rule


def test_object_setattr_bypasses_the_frozen_guard_and_every_check() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    object.__setattr__(rule, "threshold", math.nan)
    assert math.isnan(rule.threshold)
    reading = MetricSample("cpu", 0.5, T0)
    object.__setattr__(reading, "observed_at", T0.replace(tzinfo=None))
    assert reading.observed_at.tzinfo is None


def test_the_next_trip_through_the_constructor_refuses_a_tampered_value() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    object.__setattr__(rule, "window", 0)
    with pytest.raises(DomainError, match="window must be a whole number from 1 to 1000, got 0"):
        dataclasses.replace(rule, threshold=300)
    with pytest.raises(DomainError, match="mode 'threshold' takes window=1, got 0"):
        MonitoringPolicy("checkout").add_rule(rule)


def test_a_policy_does_not_recheck_the_fields_a_rule_checked_itself() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    object.__setattr__(rule, "threshold", math.nan)
    policy = MonitoringPolicy("checkout")
    policy.add_rule(rule)  # add_rule asks the mode about window and mode, not the threshold
    assert math.isnan(policy.rule("latency").threshold)
