"""MonitoringPolicy owns the rule lifecycle and the incidents; refused changes record nothing."""

from __future__ import annotations

import copy

import pytest

from service_monitoring import (
    STANDARD_MODES,
    DomainError,
    IncidentClosed,
    IncidentOpened,
    InvalidTransition,
    MonitoringPolicy,
    RuleActivated,
    RuleAdded,
    RuleRetired,
    RuleState,
    ThresholdRule,
    UnknownRule,
)
from support import Exploding, at, latency_policy, sample


def draft_policy() -> MonitoringPolicy:
    policy = latency_policy(active=False)
    policy.collect_events()
    return policy


def test_allowed_transitions_record_one_event_each() -> None:
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("a", "cpu", 0.9, "warning"))
    policy.add_rule(ThresholdRule("b", "mem", 0.9, "warning"))
    policy.activate_rule("a")
    policy.retire_rule("a", "replaced")
    policy.retire_rule("b", "never needed")
    assert policy.rule_state("a") is RuleState.RETIRED
    assert policy.rule_state("b") is RuleState.RETIRED
    assert [type(event) for event in policy.collect_events()] == [
        RuleAdded,
        RuleAdded,
        RuleActivated,
        RuleRetired,
        RuleRetired,
    ]
    assert policy.collect_events() == []


@pytest.mark.parametrize(
    ("moves", "refused", "message"),
    [
        (["activate"], "activate", "rule 'latency' is active; it cannot become active"),
        (["retire"], "retire", "rule 'latency' is retired; it cannot become retired"),
        (["retire"], "activate", "rule 'latency' is retired; it cannot become active"),
        (["activate", "retire"], "activate", "is retired; it cannot become active"),
    ],
)
def test_refused_transitions_raise_and_record_nothing(
    moves: list[str], refused: str, message: str
) -> None:
    policy = draft_policy()

    def move(name: str) -> None:
        if name == "activate":
            policy.activate_rule("latency")
        else:
            policy.retire_rule("latency", "done")

    for name in moves:
        move(name)
    state_before = policy.rule_state("latency")
    policy.collect_events()
    with pytest.raises(InvalidTransition, match=message):
        move(refused)
    assert policy.collect_events() == []
    assert policy.rule_state("latency") is state_before


def test_unknown_rules_are_reported_by_id() -> None:
    policy = draft_policy()
    with pytest.raises(UnknownRule, match="policy 'checkout' has no rule 'nope'"):
        policy.activate_rule("nope")
    with pytest.raises(UnknownRule):
        policy.rule_state(["not", "hashable"])  # type: ignore[arg-type]


def test_duplicate_rule_ids_are_refused() -> None:
    policy = draft_policy()
    with pytest.raises(DomainError, match="already has a rule 'latency'"):
        policy.add_rule(ThresholdRule("latency", "other", 1, "warning"))


def test_two_active_rules_may_not_watch_the_same_metric_window_and_mode() -> None:
    policy = latency_policy()
    policy.add_rule(ThresholdRule("twin", "http.latency_ms", 900, "warning"))
    policy.collect_events()
    with pytest.raises(DomainError, match="like active rule 'latency'"):
        policy.activate_rule("twin")
    assert policy.rule_state("twin") is RuleState.DRAFT
    assert policy.collect_events() == []
    # another window or another mode on the same metric is fine
    policy.add_rule(
        ThresholdRule("slow", "http.latency_ms", 250, "warning", window=3, mode="consecutive")
    )
    policy.activate_rule("slow")
    # once the first rule retires, the twin may take its place
    policy.retire_rule("latency", "superseded")
    policy.activate_rule("twin")
    assert {rule.rule_id for rule in policy.active_rules()} == {"slow", "twin"}


def test_unknown_modes_and_unsuitable_windows_are_refused_when_the_rule_is_added() -> None:
    policy = MonitoringPolicy("p")
    with pytest.raises(
        DomainError, match="unknown evaluation mode 'median'; known modes: threshold"
    ):
        policy.add_rule(ThresholdRule("r", "cpu", 1, "warning", mode="median"))
    with pytest.raises(DomainError, match="mode 'threshold' takes window=1, got 5"):
        policy.add_rule(ThresholdRule("r", "cpu", 1, "warning", window=5))
    with pytest.raises(DomainError, match="mode 'consecutive' needs window >= 2"):
        policy.add_rule(ThresholdRule("r", "cpu", 1, "warning", mode="consecutive"))
    assert policy.rules() == ()
    assert policy.collect_events() == []


@pytest.mark.parametrize("bad", [None, 3, "latency", ["rule"], object()])
def test_bad_arguments_are_domain_errors_never_type_errors(bad: object) -> None:
    policy = latency_policy()
    with pytest.raises(DomainError):
        policy.add_rule(bad)  # type: ignore[arg-type]
    with pytest.raises(DomainError):
        policy.evaluate([bad])  # type: ignore[list-item]
    with pytest.raises(DomainError):
        policy.activate_rule(bad)  # type: ignore[arg-type]
    if not isinstance(bad, str):
        with pytest.raises(DomainError):
            policy.retire_rule("latency", bad)  # type: ignore[arg-type]
        with pytest.raises(DomainError):
            MonitoringPolicy(bad)  # type: ignore[arg-type]


def test_evaluate_refuses_a_non_iterable() -> None:
    with pytest.raises(DomainError, match="iterable of MetricSample, got int"):
        latency_policy().evaluate(5)  # type: ignore[arg-type]


def test_a_breach_opens_one_incident_that_stays_open_while_breaching() -> None:
    policy = latency_policy()
    policy.collect_events()
    opened = policy.evaluate([sample("http.latency_ms", 300, 0), sample("http.latency_ms", 320, 1)])
    assert [alert.observed_value for alert in opened] == [300.0]
    assert [type(event) for event in policy.collect_events()] == [IncidentOpened]
    assert policy.evaluate([sample("http.latency_ms", 400, 2)]) == []
    assert policy.collect_events() == []
    assert [alert.incident_id for alert in policy.open_incidents()] == [opened[0].incident_id]


def test_the_same_samples_evaluated_twice_open_nothing_the_second_time() -> None:
    policy = latency_policy()
    policy.collect_events()
    batch = [sample("http.latency_ms", 300, 0), sample("http.latency_ms", 100, 1)]
    assert len(policy.evaluate(batch)) == 1
    events = policy.collect_events()
    assert policy.evaluate(batch) == []
    assert policy.evaluate(list(reversed(batch))) == []
    assert policy.collect_events() == []
    assert len(events) == 2  # opened, then closed by the recovery at minute 1


def test_recovery_closes_the_incident_and_a_new_breach_opens_a_new_one() -> None:
    policy = latency_policy()
    first = policy.evaluate([sample("http.latency_ms", 300, 0)])
    policy.evaluate([sample("http.latency_ms", 100, 1)])
    assert policy.open_incidents() == ()
    second = policy.evaluate([sample("http.latency_ms", 301, 2)])
    assert first[0].incident_id != second[0].incident_id
    kinds = [type(event) for event in policy.collect_events()]
    assert kinds[-3:] == [IncidentOpened, IncidentClosed, IncidentOpened]


def test_samples_are_judged_in_time_order_whatever_order_they_arrive_in() -> None:
    policy = latency_policy()
    opened = policy.evaluate(
        [
            sample("http.latency_ms", 320, 2),
            sample("http.latency_ms", 100, 3),
            sample("http.latency_ms", 300, 1),
        ]
    )
    assert opened[0].observed_at == at(1)
    assert policy.open_incidents() == ()  # the newest sample (minute 3) is healthy


def test_late_samples_older_than_the_evaluated_ones_are_ignored() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 100, 10)])
    assert policy.last_evaluated("http.latency_ms") == at(10)
    assert policy.evaluate([sample("http.latency_ms", 999, 5)]) == []
    assert policy.last_evaluated("http.latency_ms") == at(10)


def test_samples_of_unwatched_metrics_are_ignored() -> None:
    policy = latency_policy()
    assert policy.evaluate([sample("cpu", 1e9)]) == []
    assert policy.last_evaluated("cpu") is None


def test_retiring_a_rule_closes_its_open_incident() -> None:
    policy = latency_policy()
    [alert] = policy.evaluate([sample("http.latency_ms", 300)])
    policy.collect_events()
    policy.retire_rule("latency", "moved to SLO burn alerts")
    assert policy.open_incidents() == ()
    assert policy.collect_events() == [
        RuleRetired("checkout", "latency", "moved to SLO burn alerts"),
        IncidentClosed("checkout", "latency", alert.incident_id, "rule retired"),
    ]
    assert policy.evaluate([sample("http.latency_ms", 300, 1)]) == []


def test_consecutive_mode_counts_breaches_across_cycles() -> None:
    policy = MonitoringPolicy("p")
    policy.add_rule(ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="consecutive"))
    policy.activate_rule("hot")
    assert policy.evaluate([sample("cpu", 0.95, 0), sample("cpu", 0.96, 1)]) == []
    assert len(policy.recent_samples("hot")) == 2
    [alert] = policy.evaluate([sample("cpu", 0.97, 2)])
    assert alert.observed_at == at(2)
    policy.evaluate([sample("cpu", 0.5, 3)])
    assert policy.open_incidents() == ()
    assert policy.recent_samples("hot") == ()


def test_rate_of_change_mode_measures_units_per_second_across_cycles() -> None:
    policy = MonitoringPolicy("p")
    policy.add_rule(ThresholdRule("surge", "queue", 1.0, "critical", mode="rate_of_change"))
    policy.activate_rule("surge")
    assert policy.evaluate([sample("queue", 100, 0)]) == []
    assert policy.evaluate([sample("queue", 130, 1)]) == []  # 0.5 per second
    [alert] = policy.evaluate([sample("queue", 400, 2)])  # 4.5 per second
    assert alert.observed_value == 400.0


def test_evaluate_is_atomic_when_a_mode_fails_half_way() -> None:
    policy = MonitoringPolicy("p", modes=STANDARD_MODES.extended(Exploding()))
    policy.add_rule(ThresholdRule("first", "a", 1, "warning"))
    policy.add_rule(ThresholdRule("boom", "b", 1, "warning", mode="exploding"))
    policy.activate_rule("first")
    policy.activate_rule("boom")
    policy.collect_events()
    before = policy.revision
    with pytest.raises(RuntimeError, match="a bug in a plug-in mode"):
        policy.evaluate([sample("a", 5, 0), sample("b", 5, 0)])
    assert policy.revision == before
    assert policy.open_incidents() == ()
    assert policy.last_evaluated("a") is None
    assert policy.collect_events() == []


def test_a_copy_is_independent_of_the_original() -> None:
    policy = latency_policy()
    twin = copy.copy(policy)
    twin.add_rule(ThresholdRule("extra", "cpu", 1, "warning"))
    twin.retire_rule("latency", "only in the copy")
    twin.evaluate([sample("cpu", 5)])
    assert [rule.rule_id for rule in policy.rules()] == ["latency"]
    assert policy.rule_state("latency") is RuleState.ACTIVE
    assert policy.last_evaluated("cpu") is None
    assert len(policy.collect_events()) == 2  # the original's own events are untouched


def test_repr_summarises_the_policy() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 300)])
    assert repr(policy) == "MonitoringPolicy('checkout', rules=1, active=1, open_incidents=1)"
