"""What the value classes promise through the data model: copies, evolution, protocols."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import timedelta, timezone

import pytest

from service_monitoring import (
    STANDARD_MODES,
    Alert,
    CycleReport,
    DomainError,
    Severity,
    ThresholdRule,
)
from support import T0, sample


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy])
def test_copying_a_frozen_value_gives_an_equal_new_object(
    copier: Callable[[object], object],
) -> None:
    rule = ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="consecutive")
    for value in (rule, sample("cpu", 0.5)):
        twin = copier(value)
        assert twin == value and hash(twin) == hash(value)
        assert twin is not value  # the copy module does not know the class is immutable
    assert copy.copy(Severity.CRITICAL) is Severity.CRITICAL  # enum members copy to themselves


def test_replace_on_a_rule_runs_its_own_init_and_keeps_the_keyword_only_fields() -> None:
    rule = ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="consecutive")
    raised = dataclasses.replace(rule, threshold=95, severity="critical")  # type: ignore[arg-type]
    assert (raised.threshold, raised.severity) == (95.0, Severity.CRITICAL)
    assert (raised.window, raised.mode) == (3, "consecutive")
    assert rule.threshold == 0.9  # the original is untouched


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"threshold": float("nan")}, "threshold must be finite, got nan"),
        ({"window": 0}, "window must be a whole number from 1 to 1000, got 0"),
        ({"severity": "fatal"}, "severity must be one of warning, critical; got 'fatal'"),
        ({"rule_id": "line\nforged"}, "rule_id must use printable characters only"),
    ],
)
def test_replace_on_a_rule_validates_like_the_constructor(
    changes: dict[str, object], message: str
) -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    with pytest.raises(DomainError, match=message):
        dataclasses.replace(rule, **changes)  # type: ignore[arg-type]


def test_replace_on_a_sample_validates_and_normalises_like_the_constructor() -> None:
    one = sample("cpu", 0.5)
    with pytest.raises(DomainError, match="value must be a real number, got bool"):
        dataclasses.replace(one, value=True)
    later = dataclasses.replace(one, observed_at=T0.astimezone(timezone(timedelta(hours=2))))
    assert later.observed_at.tzinfo is not None and later.observed_at.utcoffset() == timedelta(0)
    assert later == one


def test_replace_on_an_alert_keeps_an_incident_id_no_longer_derived_from_its_fields() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    alert = Alert.open("checkout", rule, sample("http.latency_ms", 300))
    edited = dataclasses.replace(alert, observed_value=999)
    assert edited.incident_id == alert.incident_id
    rebuilt = Alert.open("checkout", rule, sample("http.latency_ms", 999))
    assert rebuilt.incident_id != alert.incident_id


def test_the_mode_registry_answers_membership_but_has_no_length_or_iteration() -> None:
    assert "threshold" in STANDARD_MODES
    assert "below" not in STANDARD_MODES
    with pytest.raises(TypeError):
        len(STANDARD_MODES)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        iter(STANDARD_MODES)  # type: ignore[call-overload]


def test_a_report_of_a_quiet_cycle_is_still_true() -> None:
    quiet = CycleReport(
        "checkout",
        samples_evaluated=3,
        alerts=(),
        alerts_published=0,
        active_rule_count=1,
        open_incident_count=0,
        pending_deliveries=0,
    )
    assert quiet and quiet.alerts_opened == 0


def test_severity_members_are_their_strings_and_order_as_strings() -> None:
    assert Severity.CRITICAL == "critical"  # type: ignore[comparison-overlap]
    assert f"{Severity.WARNING}" == "warning"
    assert {"critical": 1}[Severity.CRITICAL] == 1
    assert sorted(Severity) == [Severity.CRITICAL, Severity.WARNING]  # alphabetical, not urgency
