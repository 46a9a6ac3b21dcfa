"""Typestate in the capstone: the lifecycle table, refusals that change nothing, who holds state."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from service_monitoring import (
    DomainError,
    InvalidTransition,
    MonitoringPolicy,
    MonitoringRuntime,
    RuleState,
    StoreUnavailable,
    ThresholdRule,
)
from service_monitoring.domain.lifecycle import ALLOWED, check_transition
from support import latency_policy


def test_a_refused_transition_leaves_the_revision_unchanged() -> None:
    policy = latency_policy()
    policy.add_rule(ThresholdRule("errors", "http.error_rate", 0.05, "warning"))
    policy.retire_rule("errors", "never switched on")
    policy.collect_events()
    before = policy.revision
    for refused in (
        lambda: policy.activate_rule("latency"),
        lambda: policy.activate_rule("errors"),
        lambda: policy.retire_rule("errors", "retired twice"),
    ):
        with pytest.raises(InvalidTransition):
            refused()
    assert policy.revision == before
    assert not policy.has_pending_events
    assert policy.rule_state("latency") is RuleState.ACTIVE
    assert policy.rule_state("errors") is RuleState.RETIRED


def test_no_public_move_returns_a_rule_to_draft() -> None:
    # The table: nothing enters DRAFT, nothing leaves RETIRED.
    assert all(target is not RuleState.DRAFT for _, target in ALLOWED)
    assert all(source is not RuleState.RETIRED for source, _ in ALLOWED)
    with pytest.raises(InvalidTransition, match="is active; it cannot become draft"):
        check_transition("latency", RuleState.ACTIVE, RuleState.DRAFT)
    # The API: adding the same rule again is the only way to ask for a draft, and it is refused.
    policy = latency_policy()
    policy.collect_events()
    with pytest.raises(DomainError, match="already has a rule 'latency'"):
        policy.add_rule(policy.rule("latency"))
    assert policy.rule_state("latency") is RuleState.ACTIVE
    assert policy.collect_events() == []


def test_a_rule_carries_no_state_and_each_policy_keeps_its_own() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    assert "state" not in {field.name for field in dataclasses.fields(rule)}
    live = MonitoringPolicy("checkout")
    live.add_rule(rule)
    live.activate_rule("latency")
    trial = copy.copy(live)
    trial.retire_rule("latency", "trying without it")
    assert live.rule("latency") is trial.rule("latency") is rule
    assert live.rule_state("latency") is RuleState.ACTIVE
    assert trial.rule_state("latency") is RuleState.RETIRED


def test_a_closed_runtime_refuses_changes_and_units_of_work() -> None:
    with MonitoringRuntime() as runtime:
        runtime.register_policy(latency_policy(active=False))
    for use in (
        lambda: runtime.activate_rule("checkout", "latency"),
        runtime.unit_of_work,
    ):
        with pytest.raises(StoreUnavailable, match="the runtime is closed"):
            use()
