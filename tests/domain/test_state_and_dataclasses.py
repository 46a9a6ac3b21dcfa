"""State surfaces the Module 03 lessons rely on: properties, descriptors and dataclass fields."""

from __future__ import annotations

import dataclasses

import pytest

from service_monitoring import (
    STANDARD_MODES,
    Alert,
    CycleReport,
    DeliveryPolicy,
    IncidentClosed,
    IncidentOpened,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    RuleActivated,
    RuleAdded,
    RuleRetired,
    ThresholdRule,
)
from support import latency_policy, sample

EVENTS = (RuleAdded, RuleActivated, RuleRetired, IncidentOpened, IncidentClosed)


def test_reading_the_policy_properties_changes_nothing() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 320)])
    revision = policy.revision
    for _ in range(3):
        assert policy.policy_id == "checkout"
        assert policy.modes is STANDARD_MODES
        assert policy.has_pending_events
        assert policy.revision == revision
    events = policy.collect_events()
    assert [type(event) for event in events] == [RuleAdded, RuleActivated, IncidentOpened]
    assert not policy.has_pending_events
    assert policy.revision == revision  # handing out events is not a change of state
    assert policy.collect_events() == []


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (MonitoringPolicy, "policy_id"),
        (MonitoringPolicy, "modes"),
        (MonitoringPolicy, "revision"),
        (MonitoringPolicy, "has_pending_events"),
        (MonitoringRuntime, "closed"),
        (CycleReport, "alerts_opened"),
        (IncidentOpened, "policy_id"),
    ],
)
def test_state_the_capstone_shows_is_a_read_only_property(cls: type, name: str) -> None:
    attribute = cls.__dict__[name]
    assert isinstance(attribute, property)
    assert attribute.fset is None and attribute.fdel is None


def test_a_report_derives_alerts_opened_and_refuses_it_as_an_argument() -> None:
    policy = latency_policy()
    alerts = tuple(policy.evaluate([sample("http.latency_ms", 320)]))
    counts = dict(alerts_published=1, active_rule_count=1, open_incident_count=1)
    report = CycleReport("checkout", 1, alerts, pending_deliveries=0, **counts)
    assert report.alerts_opened == len(report.alerts) == 1
    assert "alerts_opened" not in {field.name for field in dataclasses.fields(report)}
    with pytest.raises(TypeError, match="unexpected keyword argument 'alerts_opened'"):
        CycleReport(  # type: ignore[call-arg]
            "checkout", 1, alerts, pending_deliveries=0, alerts_opened=3, **counts
        )


def test_a_closed_runtime_says_so_and_cannot_be_reopened_by_assignment() -> None:
    runtime = MonitoringRuntime()
    assert not runtime.closed
    runtime.close()
    assert runtime.closed
    with pytest.raises(AttributeError, match="has no setter"):
        runtime.closed = False  # type: ignore[misc]
    assert runtime.closed


def test_value_fields_are_member_descriptors_and_methods_are_non_data_descriptors() -> None:
    for cls in (MetricSample, ThresholdRule, Alert, *EVENTS):
        for field in dataclasses.fields(cls):
            slot = cls.__dict__[field.name]
            assert type(slot).__name__ == "member_descriptor"
            assert hasattr(type(slot), "__set__")
    for function in (MonitoringPolicy.__dict__["add_rule"], MetricSample.__dict__["__post_init__"]):
        assert hasattr(type(function), "__get__") and not hasattr(type(function), "__set__")
    assert isinstance(Alert.__dict__["open"], classmethod)


def test_events_are_frozen_hashable_values_that_match_by_position() -> None:
    retired = RuleRetired("checkout", "latency", "replaced")
    assert retired == RuleRetired("checkout", "latency", "replaced")
    assert len({retired, RuleRetired("checkout", "latency", "replaced")}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        retired.reason = "other"  # type: ignore[misc]
    for cls in EVENTS:
        assert cls.__match_args__ == tuple(field.name for field in dataclasses.fields(cls))
        assert "__dict__" not in cls.__dict__  # slotted: instances have no dictionary
    match retired:
        case RuleRetired(_, rule_id, reason):
            assert (rule_id, reason) == ("latency", "replaced")
        case _:
            pytest.fail("a RuleRetired must match its own class pattern")


def test_delivery_policy_takes_keyword_arguments_only() -> None:
    assert all(field.kw_only for field in dataclasses.fields(DeliveryPolicy))
    with pytest.raises(TypeError, match="positional argument"):
        DeliveryPolicy(5)  # type: ignore[misc]
    assert DeliveryPolicy(attempts=5).attempts == 5


def test_only_the_skipped_count_of_a_report_has_a_default() -> None:
    defaults = {
        field.name: field.default
        for field in dataclasses.fields(CycleReport)
        if field.default is not dataclasses.MISSING
    }
    assert defaults == {"samples_skipped": 0}
