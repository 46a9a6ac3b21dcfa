"""A clear threshold (hysteresis): an incident opens above the threshold, closes only below it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service_monitoring import DomainError, MonitoringPolicy, ThresholdRule
from service_monitoring.cli.policy_file import parse_policy

from ..support import sample

HOVERING = [260, 240, 255, 245, 258, 190, 260]  # around the 250 line, one dip below 200


def _policy(
    clear_threshold: float | None, *, mode: str = "threshold", window: int = 1
) -> MonitoringPolicy:
    policy = MonitoringPolicy("checkout")
    policy.add_rule(
        ThresholdRule(
            "latency",
            "http.latency_ms",
            250,
            "critical",
            window=window,
            mode=mode,
            clear_threshold=clear_threshold,
        )
    )
    policy.activate_rule("latency")
    return policy


def _opened_per_cycle(policy: MonitoringPolicy, values: list[float]) -> list[int]:
    return [
        len(policy.evaluate([sample("http.latency_ms", value, minute)]))
        for minute, value in enumerate(values)
    ]


def test_without_a_clear_threshold_a_hovering_value_flaps() -> None:
    assert _opened_per_cycle(_policy(None), HOVERING) == [1, 0, 1, 0, 1, 0, 1]


def test_with_a_clear_threshold_a_hovering_value_holds_one_incident() -> None:
    policy = _policy(200)
    assert _opened_per_cycle(policy, HOVERING) == [1, 0, 0, 0, 0, 0, 1]


def test_the_incident_stays_open_at_the_clear_threshold_and_closes_below_it() -> None:
    policy = _policy(200)
    policy.evaluate([sample("http.latency_ms", 300, 0)])
    policy.evaluate([sample("http.latency_ms", 200, 1)])
    assert len(policy.open_incidents()) == 1
    policy.evaluate([sample("http.latency_ms", 199.5, 2)])
    assert policy.open_incidents() == ()


def test_hysteresis_holds_for_the_consecutive_mode_too() -> None:
    policy = _policy(200, mode="consecutive", window=2)
    opened = _opened_per_cycle(policy, [260, 270, 240, 230, 180])
    assert opened == [0, 1, 0, 0, 0]
    assert policy.open_incidents() == ()


def test_a_closing_event_names_recovery_once_the_value_falls_below() -> None:
    policy = _policy(200)
    policy.evaluate([sample("http.latency_ms", 300, 0)])
    policy.evaluate([sample("http.latency_ms", 240, 1)])
    policy.evaluate([sample("http.latency_ms", 150, 2)])
    kinds = [type(event).__name__ for event in policy.collect_events()]
    assert kinds[-2:] == ["IncidentOpened", "IncidentClosed"]


@pytest.mark.parametrize(
    ("clear", "message"),
    [
        (250, "clear_threshold must be below threshold (250.0), got 250.0"),
        (300, "clear_threshold must be below threshold (250.0), got 300.0"),
        (float("nan"), "clear_threshold must be finite, got nan"),
        ("200", "clear_threshold must be a real number, got str"),
    ],
)
def test_a_clear_threshold_that_is_not_below_the_threshold_is_refused(
    clear: object, message: str
) -> None:
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ThresholdRule("latency", "http.latency_ms", 250, "critical", clear_threshold=clear)  # type: ignore[arg-type]


def test_the_rate_of_change_mode_refuses_a_clear_threshold() -> None:
    policy = MonitoringPolicy("checkout")
    rule = ThresholdRule(
        "surge", "queue.depth", 5, "warning", mode="rate_of_change", clear_threshold=1
    )
    with pytest.raises(DomainError, match="compares rates, so it takes no clear_threshold"):
        policy.add_rule(rule)


def test_a_policy_file_may_set_a_clear_threshold() -> None:
    policy = parse_policy(
        'id = "checkout"\n[[rules]]\nrule_id = "latency"\nmetric = "http.latency_ms"\n'
        'threshold = 250\nseverity = "critical"\nclear_threshold = 200\n'
    )
    assert policy.rule("latency").clear_threshold == 200.0


def test_a_policy_file_with_a_text_clear_threshold_names_the_key() -> None:
    with pytest.raises(DomainError, match=r"rules\[0\]\.clear_threshold: expected a number"):
        parse_policy(
            'id = "checkout"\n[[rules]]\nrule_id = "latency"\nmetric = "http.latency_ms"\n'
            'threshold = 250\nseverity = "critical"\nclear_threshold = "low"\n'
        )


values = st.lists(st.floats(min_value=0, max_value=500, allow_nan=False), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(values=values, clear=st.floats(min_value=0, max_value=249.5))
def test_a_clear_threshold_never_opens_more_incidents(values: list[float], clear: float) -> None:
    assert sum(_opened_per_cycle(_policy(clear), values)) <= sum(
        _opened_per_cycle(_policy(None), values)
    )
