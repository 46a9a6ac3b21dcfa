"""Properties of the policy model for any history of batches: repeats and copies change nothing."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from service_monitoring import MetricSample, MonitoringPolicy
from support import at, busy_policy

BATCH = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.floats(0, 1), st.integers(0, 40)), max_size=10
)
HISTORY = st.lists(BATCH, max_size=4)

Observation = tuple[object, ...]


def samples(batch: list[tuple[str, float, int]]) -> list[MetricSample]:
    return [MetricSample(metric, value, at(minute)) for metric, value, minute in batch]


def fed(history: list[list[tuple[str, float, int]]]) -> MonitoringPolicy:
    """A policy with four active rules per metric that has evaluated *history*."""
    policy = busy_policy()
    for batch in history:
        policy.evaluate(samples(batch))
    return policy


def observe(policy: MonitoringPolicy) -> Observation:
    """Everything a caller can read from the policy without draining its events."""
    return (
        [(rule.rule_id, policy.rule_state(rule.rule_id)) for rule in policy.rules()],
        policy.open_incidents(),
        [policy.last_evaluated(metric) for metric in ("a", "b")],
        [policy.recent_samples(rule.rule_id) for rule in policy.rules()],
        policy.revision,
        policy.has_pending_events,
    )


@settings(max_examples=150, deadline=None)
@given(HISTORY, BATCH)
def test_evaluating_the_same_samples_again_changes_nothing(
    history: list[list[tuple[str, float, int]]], batch: list[tuple[str, float, int]]
) -> None:
    policy = fed(history)
    policy.evaluate(samples(batch))
    policy.collect_events()
    before = observe(policy)
    assert policy.evaluate(samples(batch)) == []
    assert policy.evaluate(samples(batch)[::-1]) == []
    assert policy.collect_events() == []
    assert observe(policy) == before


@settings(max_examples=150, deadline=None)
@given(HISTORY, BATCH)
def test_a_copy_evolves_without_touching_the_original(
    history: list[list[tuple[str, float, int]]], batch: list[tuple[str, float, int]]
) -> None:
    original = fed(history)
    before = observe(original)
    twin = copy.copy(original)
    twin.evaluate(samples(batch))
    twin.retire_rule("a-t", "only in the copy")
    twin.collect_events()
    assert observe(original) == before
    untouched = fed(history)
    assert original.evaluate(samples(batch)) == untouched.evaluate(samples(batch))
    assert original.collect_events() == untouched.collect_events()
