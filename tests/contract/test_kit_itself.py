"""The kit's own promises: strategies draw what they say and refuse bad pins, and the kit
builds on the domain, storage and delivery only."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import service_monitoring.testing
from service_monitoring import (
    STANDARD_MODES,
    Alert,
    DomainError,
    MetricSample,
    MonitoringPolicy,
    ThresholdRule,
)
from service_monitoring.testing import (
    alerts,
    identifiers,
    policies,
    rules,
    sample_series,
    samples,
)
from support import T0

KIT = Path(service_monitoring.testing.__file__).parent


@given(identifiers())
def test_an_identifier_is_accepted_wherever_an_id_is(name: str) -> None:
    assert MonitoringPolicy(name).policy_id == name
    assert MetricSample(name, 1.0, T0).metric == name
    assert ThresholdRule(name, name, 1.0, "warning").rule_id == name


@given(rules(metric="cpu"))
def test_a_rule_without_a_pinned_mode_suits_its_standard_mode(rule: ThresholdRule) -> None:
    STANDARD_MODES.check(rule)
    assert rule.metric == "cpu"


@given(rules(mode="rate_of_change", window=7, rule_id="surge"))
def test_pins_are_kept(rule: ThresholdRule) -> None:
    assert (rule.rule_id, rule.mode, rule.window) == ("surge", "rate_of_change", 7)


@given(samples("disk", values=st.just(0.5)))
def test_a_values_strategy_draws_the_value(sample: MetricSample) -> None:
    assert (sample.metric, sample.value) == ("disk", 0.5)


@given(sample_series("cpu", min_size=0, max_size=3))
def test_a_series_is_in_time_order_and_may_be_empty_when_asked(series: list[MetricSample]) -> None:
    times = [sample.observed_at for sample in series]
    assert len(series) <= 3 and times == sorted(set(times))


@given(alerts("checkout"))
def test_an_alert_names_its_policy(alert: Alert) -> None:
    assert alert.policy_id == "checkout"


@given(policies("checkout", metric="cpu", max_rules=3))
def test_a_policy_watches_only_the_pinned_metric(policy: MonitoringPolicy) -> None:
    assert policy.policy_id == "checkout"
    assert len(policy.rules()) <= 3
    assert {rule.metric for rule in policy.rules()} <= {"cpu"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: samples(" cpu"), "metric must be non-empty without surrounding whitespace"),
        (lambda: rules(mode="Loud"), "mode must be a lower-case name"),
        (lambda: rules(window=0), "window must be a whole number from 1 to 1000, got 0"),
        (lambda: rules(rule_id=""), "rule_id must be non-empty"),
        (lambda: alerts("bad\nid"), "policy_id must use printable characters only"),
        (lambda: sample_series(min_size=3, max_size=2), r"max_size \(2\) must be at least"),
        (lambda: sample_series(min_size=-1), "sizes must be whole numbers >= 0, got -1"),
        (lambda: policies(max_rules=-1), "max_rules must be a whole number >= 0, got -1"),
        (lambda: policies(modes="standard"), "modes must be a ModeRegistry, got str"),
    ],
)
def test_a_bad_pin_is_refused_at_once_naming_the_argument(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        make()


def test_the_kit_imports_neither_the_runtime_nor_the_command_line() -> None:
    reached = set()
    for path in KIT.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                reached.add(node.module.split(".")[0])
    assert reached == {"domain", "storage", "delivery"}
