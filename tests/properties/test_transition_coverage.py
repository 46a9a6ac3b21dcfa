"""Transition coverage: which (from, to) moves of the rule lifecycle a suite actually asks for.

Every move a caller can ask for passes through ``check_transition``; a recording wrapper
collects the pairs it is asked about, allowed or refused, so coverage is measured in moves
of the state machine rather than in lines of code.
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

import service_monitoring.domain.policy as policy_module
from properties.test_rule_lifecycle_stateful import RuleLifecycle
from service_monitoring import InvalidTransition, MonitoringPolicy, RuleState, ThresholdRule
from service_monitoring.domain.lifecycle import ALLOWED

DRAFT, ACTIVE, RETIRED = RuleState
#: No public method asks for a move into DRAFT: a new rule id enters as a draft.
ASKABLE = frozenset((current, target) for current in RuleState for target in (ACTIVE, RETIRED))

Pair = tuple[RuleState, RuleState]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> set[Pair]:
    pairs: set[Pair] = set()
    real = policy_module.check_transition

    def recording(rule_id: str, current: RuleState, target: RuleState) -> None:
        pairs.add((current, target))
        real(rule_id, current, target)

    monkeypatch.setattr(policy_module, "check_transition", recording)
    return pairs


def test_the_askable_moves_are_the_allowed_ones_and_three_refusals() -> None:
    assert ALLOWED < ASKABLE
    assert sorted((a.value, b.value) for a, b in ASKABLE - ALLOWED) == [
        ("active", "active"),
        ("retired", "active"),
        ("retired", "retired"),
    ]


def test_a_happy_path_example_asks_for_two_of_the_six_askable_moves(asked: set[Pair]) -> None:
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    policy.activate_rule("latency")
    policy.retire_rule("latency", "replaced")
    assert asked == {(DRAFT, ACTIVE), (ACTIVE, RETIRED)}


def test_the_lifecycle_state_machine_asks_for_every_askable_move(asked: set[Pair]) -> None:
    run_state_machine_as_test(
        RuleLifecycle,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            derandomize=True,
            database=None,
            deadline=None,
        ),
    )
    assert asked == ASKABLE


def test_the_recorder_sees_refused_moves_too(asked: set[Pair]) -> None:
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    policy.retire_rule("latency", "never needed")
    with pytest.raises(InvalidTransition):
        policy.activate_rule("latency")
    assert asked == {(DRAFT, RETIRED), (RETIRED, ACTIVE)}
