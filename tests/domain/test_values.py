"""Value objects validate themselves: an object that exists is valid."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from service_monitoring import (
    Alert,
    DomainError,
    MetricSample,
    MonitoringPolicy,
    RuleState,
    Severity,
    ThresholdRule,
    incident_id_for,
)
from support import T0, at, sample


def test_samples_are_normalised_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    local = MetricSample("cpu", 1, datetime(2026, 11, 21, 12, 0, tzinfo=plus_two))
    assert local.observed_at == T0
    assert local.observed_at.tzinfo is not None
    assert local.observed_at.utcoffset() == timedelta(0)
    assert local.value == 1.0 and isinstance(local.value, float)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "value must be a real number, got bool"),
        ("0.5", "value must be a real number, got str"),
        (None, "value must be a real number, got NoneType"),
        (float("nan"), "value must be finite, got nan"),
        (float("inf"), "value must be finite, got inf"),
        (10**400, "value must be finite, got inf"),
    ],
)
def test_sample_values_must_be_finite_real_numbers(value: object, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        MetricSample("cpu", value, T0)  # type: ignore[arg-type]


def test_sample_accepts_any_real_number_type() -> None:
    assert MetricSample("cpu", Fraction(1, 4), T0).value == 0.25


def test_a_time_that_has_no_utc_equivalent_is_a_domain_error() -> None:
    ahead = timezone(timedelta(hours=5))
    with pytest.raises(DomainError, match="observed_at is outside the range of UTC datetimes"):
        MetricSample("cpu", 1, datetime(1, 1, 1, tzinfo=ahead))
    behind = timezone(timedelta(hours=-5))
    with pytest.raises(DomainError, match="observed_at is outside the range"):
        MetricSample("cpu", 1, datetime(9999, 12, 31, 23, 0, tzinfo=behind))


def test_naive_timestamps_are_a_domain_error_not_a_type_error() -> None:
    with pytest.raises(DomainError, match="timezone-aware"):
        MetricSample("cpu", 1.0, datetime(2026, 11, 21, 10, 0))
    with pytest.raises(DomainError, match="must be a datetime, got str"):
        MetricSample("cpu", 1.0, "2026-11-21T10:00:00+00:00")  # type: ignore[arg-type]


@pytest.mark.parametrize("metric", ["", " cpu", "cpu ", 7, None])
def test_metric_names_must_be_clean_strings(metric: object) -> None:
    with pytest.raises(DomainError, match="metric"):
        MetricSample(metric, 1.0, T0)  # type: ignore[arg-type]


def test_samples_are_immutable() -> None:
    one = sample("cpu", 1.0)
    with pytest.raises(AttributeError):
        one.value = 2.0  # type: ignore[misc]


def test_rule_normalises_severity_and_threshold() -> None:
    rule = ThresholdRule("r", "latency", 250, "warning")
    assert rule.severity is Severity.WARNING
    assert rule.threshold == 250.0 and isinstance(rule.threshold, float)
    assert (rule.window, rule.mode) == (1, "threshold")
    assert ThresholdRule("r", "latency", -3.5, Severity.CRITICAL).threshold == -3.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"severity": "fatal"}, "severity must be one of warning, critical; got 'fatal'"),
        ({"severity": None}, "severity must be one of"),
        ({"threshold": float("nan")}, "threshold must be finite"),
        ({"threshold": False}, "threshold must be a real number, got bool"),
        ({"window": 0}, "window must be a whole number from 1 to 1000, got 0"),
        ({"window": True}, "window must be a whole number from 1 to 1000, got True"),
        ({"window": 2.0}, "window must be a whole number from 1 to 1000"),
        ({"mode": "Threshold"}, "mode must be a lower-case name"),
        ({"mode": 3}, "mode must be a lower-case name"),
        ({"rule_id": ""}, "rule_id must be non-empty"),
        ({"rule_id": ["r"]}, "rule_id must be a string, got list"),
        ({"window": 10**9}, "window must be a whole number from 1 to 1000, got 1000000000"),
        ({"window": 1001}, "window must be a whole number from 1 to 1000, got 1001"),
        ({"rule_id": "line\nforged"}, "rule_id must use printable characters only"),
        ({"rule_id": "\x1b[31mred"}, "rule_id must use printable characters only"),
        ({"rule_id": "evil\u202eexe"}, "rule_id must use printable characters only"),
        ({"rule_id": "lone\ud800"}, "rule_id must use printable characters only"),
        ({"rule_id": "r" * 257}, "rule_id must be at most 256 characters, got 257"),
        ({"metric": "cpu\x07"}, "metric must use printable characters only"),
    ],
)
def test_rule_rejects_bad_arguments_with_a_domain_error(
    kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "rule_id": "r",
        "metric": "latency",
        "threshold": 1.0,
        "severity": "warning",
    }
    arguments.update(kwargs)
    with pytest.raises(DomainError, match=message):
        ThresholdRule(**arguments)  # type: ignore[arg-type]


def test_rule_state_values_follow_the_lifecycle() -> None:
    assert [state.value for state in RuleState] == ["draft", "active", "retired"]


def test_incident_ids_are_stable_and_precise() -> None:
    first = incident_id_for("p", "r", sample("cpu", 1.0))
    assert first == incident_id_for("p", "r", sample("cpu", 1.0))
    one_microsecond_later = MetricSample("cpu", 1.0, T0 + timedelta(microseconds=1))
    assert first != incident_id_for("p", "r", one_microsecond_later)
    assert first != incident_id_for("p", "r", sample("cpu", 1.5))
    assert first != incident_id_for("p2", "r", sample("cpu", 1.0))


def test_incident_ids_cannot_be_confused_by_separator_characters() -> None:
    one = sample("cpu", 1.0)
    assert incident_id_for("a:b", "c", one) != incident_id_for("a", "b:c", one)
    assert incident_id_for('a","b', "c", one) != incident_id_for("a", 'b","c', one)
    assert incident_id_for("a1:", "b", one) != incident_id_for("a", "1:b", one)


def test_alert_open_copies_the_rule_and_the_observation() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    alert = Alert.open("checkout", rule, sample("http.latency_ms", 300.0, 5))
    assert alert.policy_id == "checkout"
    assert alert.rule_id == "latency"
    assert alert.severity is Severity.CRITICAL
    assert (alert.threshold, alert.observed_value) == (250.0, 300.0)
    assert alert.observed_at == T0 + timedelta(minutes=5)
    assert alert.incident_id == incident_id_for(
        "checkout", "latency", sample("http.latency_ms", 300, 5)
    )


def test_alert_constructor_validates_its_fields() -> None:
    with pytest.raises(DomainError, match="timezone-aware"):
        Alert("i", "p", "r", "m", Severity.WARNING, 1.0, 2.0, datetime(2026, 1, 1))
    with pytest.raises(DomainError, match="severity"):
        Alert("i", "p", "r", "m", "loud", 1.0, 2.0, T0)  # type: ignore[arg-type]


def test_incident_id_for_checks_its_arguments() -> None:
    with pytest.raises(DomainError, match="policy_id must be a string, got int"):
        incident_id_for(1, "r", sample("cpu", 1.0))  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="sample must be a MetricSample, got int"):
        incident_id_for("p", "r", 3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["a\nb", "\x1b]0;title\x07", "\u202e", "x\udc80", "p" * 257])
def test_every_kind_of_id_refuses_what_would_forge_output_or_crash_storage(bad: str) -> None:
    with pytest.raises(DomainError, match="policy_id"):
        MonitoringPolicy(bad)
    with pytest.raises(DomainError, match="metric"):
        MetricSample(bad, 1.0, at(0))
    with pytest.raises(DomainError, match="policy_id"):
        incident_id_for(bad, "r", MetricSample("m", 2.0, at(0)))


def test_printable_ids_of_any_script_are_accepted() -> None:
    for good in ("checkout api", "zahlung-ü", "支付", "p" * 256):
        assert MonitoringPolicy(good).policy_id == good
