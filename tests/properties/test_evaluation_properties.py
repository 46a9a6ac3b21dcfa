"""Properties of evaluation that must hold for any input."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from service_monitoring import (
    STANDARD_MODES,
    EvaluationMode,
    MetricSample,
    ModeRegistry,
    ThresholdRule,
    Verdict,
)
from support import at, busy_policy


class Unflagged:
    """The same mode without the optimisation flag: always called."""

    def __init__(self, inner: EvaluationMode) -> None:
        self.inner = inner
        self.name = inner.name

    def check_rule(self, rule: ThresholdRule) -> None:
        self.inner.check_rule(rule)

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        return self.inner.evaluate(rule, recent, samples)


PLAIN = ModeRegistry(Unflagged(STANDARD_MODES.get(name)) for name in STANDARD_MODES.names())

BATCHES = st.lists(
    st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.floats(0, 1), st.integers(0, 40)), max_size=12
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(BATCHES)
def test_skipping_quiet_rules_changes_no_verdict(
    batches: list[list[tuple[str, float, int]]],
) -> None:
    fast, plain = busy_policy(STANDARD_MODES), busy_policy(PLAIN)
    for batch in batches:
        samples = [MetricSample(metric, value, at(minute)) for metric, value, minute in batch]
        assert fast.evaluate(samples) == plain.evaluate(samples)
        assert fast.collect_events() == plain.collect_events()
        assert fast.open_incidents() == plain.open_incidents()


@settings(max_examples=100, deadline=None)
@given(BATCHES, st.randoms(use_true_random=False))
def test_arrival_order_within_a_batch_does_not_matter(
    batches: list[list[tuple[str, float, int]]], shuffle: random.Random
) -> None:
    ordered, shuffled = busy_policy(STANDARD_MODES), busy_policy(STANDARD_MODES)
    for batch in batches:
        # distinct timestamps per metric, so the time order is unambiguous
        unique = {(metric, minute): value for metric, value, minute in batch}
        samples = [MetricSample(m, v, at(minute)) for (m, minute), v in unique.items()]
        mixed = list(samples)
        shuffle.shuffle(mixed)
        assert ordered.evaluate(samples) == shuffled.evaluate(mixed)
    assert ordered.open_incidents() == shuffled.open_incidents()
