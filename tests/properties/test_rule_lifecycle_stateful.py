"""A Hypothesis state machine drives the rule lifecycle and checks the aggregate against a model."""

from __future__ import annotations

import copy

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from service_monitoring import (
    DomainError,
    IncidentClosed,
    IncidentOpened,
    InvalidTransition,
    MetricSample,
    MonitoringPolicy,
    RuleActivated,
    RuleAdded,
    RuleRetired,
    RuleState,
    ThresholdRule,
)
from service_monitoring.storage.codec import decode_policy, encode_policy
from support import at

RULE_IDS = st.sampled_from(["a", "b", "c", "d", "e"])
METRICS = st.sampled_from(["cpu", "mem"])
ALLOWED = {
    (RuleState.DRAFT, RuleState.ACTIVE),
    (RuleState.DRAFT, RuleState.RETIRED),
    (RuleState.ACTIVE, RuleState.RETIRED),
}


class RuleLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.policy = MonitoringPolicy("p")
        self.states: dict[str, RuleState] = {}
        self.rules: dict[str, ThresholdRule] = {}
        self.clock = 0

    @rule(rule_id=RULE_IDS, metric=METRICS, window=st.integers(1, 3))
    def add(self, rule_id: str, metric: str, window: int) -> None:
        mode = "threshold" if window == 1 else "consecutive"
        new = ThresholdRule(rule_id, metric, 0.5, "warning", window=window, mode=mode)
        if rule_id in self.states:
            try:
                self.policy.add_rule(new)
            except DomainError:
                assert self.policy.collect_events() == []
                return
            raise AssertionError("duplicate rule accepted")
        self.policy.add_rule(new)
        self.states[rule_id] = RuleState.DRAFT
        self.rules[rule_id] = new
        assert self.policy.collect_events() == [RuleAdded("p", new)]

    def _move(self, rule_id: str, target: RuleState) -> None:
        current = self.states[rule_id]
        clash = target is RuleState.ACTIVE and any(
            state is RuleState.ACTIVE
            and (other.metric, other.window, other.mode)
            == (self.rules[rule_id].metric, self.rules[rule_id].window, self.rules[rule_id].mode)
            for other_id, state in self.states.items()
            if other_id != rule_id
            for other in [self.rules[other_id]]
        )
        had_incident = any(alert.rule_id == rule_id for alert in self.policy.open_incidents())
        try:
            if target is RuleState.ACTIVE:
                self.policy.activate_rule(rule_id)
            else:
                self.policy.retire_rule(rule_id, "test")
        except InvalidTransition:
            assert (current, target) not in ALLOWED
            assert self.policy.collect_events() == []
            return
        except DomainError:
            assert clash
            assert self.policy.collect_events() == []
            return
        assert (current, target) in ALLOWED and not clash
        self.states[rule_id] = target
        events = self.policy.collect_events()
        if target is RuleState.ACTIVE:
            assert events == [RuleActivated("p", rule_id)]
        else:
            assert events[0] == RuleRetired("p", rule_id, "test")
            assert [type(e) for e in events[1:]] == ([IncidentClosed] if had_incident else [])

    @precondition(lambda self: bool(self.states))
    @rule(data=st.data())
    def activate(self, data: st.DataObject) -> None:
        self._move(data.draw(st.sampled_from(sorted(self.states))), RuleState.ACTIVE)

    @precondition(lambda self: bool(self.states))
    @rule(data=st.data())
    def retire(self, data: st.DataObject) -> None:
        self._move(data.draw(st.sampled_from(sorted(self.states))), RuleState.RETIRED)

    @rule(values=st.lists(st.tuples(METRICS, st.floats(0, 1)), max_size=6))
    def evaluate(self, values: list[tuple[str, float]]) -> None:
        batch = []
        for metric, value in values:
            self.clock += 1
            batch.append(MetricSample(metric, value, at(self.clock)))
        opened = self.policy.evaluate(batch)
        events = self.policy.collect_events()
        assert [e.alert for e in events if isinstance(e, IncidentOpened)] == opened
        # evaluating the same batch again is a no-op
        assert self.policy.evaluate(batch) == []
        assert self.policy.collect_events() == []

    @invariant()
    def states_match_the_model(self) -> None:
        for rule_id, state in self.states.items():
            assert self.policy.rule_state(rule_id) is state

    @invariant()
    def incidents_belong_to_active_rules_one_each(self) -> None:
        owners = [alert.rule_id for alert in self.policy.open_incidents()]
        assert len(owners) == len(set(owners))
        assert all(self.states[owner] is RuleState.ACTIVE for owner in owners)

    @invariant()
    def active_rules_never_share_a_watch(self) -> None:
        watches = [(r.metric, r.window, r.mode) for r in self.policy.active_rules()]
        assert len(watches) == len(set(watches))
        assert {r.rule_id for r in self.policy.active_rules()} == {
            rule_id for rule_id, state in self.states.items() if state is RuleState.ACTIVE
        }

    @invariant()
    def the_codec_and_copies_preserve_everything(self) -> None:
        document = encode_policy(self.policy)
        assert encode_policy(decode_policy(document)) == document
        assert encode_policy(copy.copy(self.policy)) == document


TestRuleLifecycle = RuleLifecycle.TestCase
TestRuleLifecycle.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
