"""Helpers shared by the capstone's tests: fixed moments, samples, a small policy."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from service_monitoring import (
    STANDARD_MODES,
    DomainError,
    MetricSample,
    ModeRegistry,
    MonitoringPolicy,
    RuleState,
    ThresholdRule,
    Verdict,
)
from service_monitoring.storage import InMemoryStore, InMemoryUnitOfWork

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
#: An HTTP reason phrase that would retitle and clear a terminal if printed raw.
HOSTILE_REASON = "\x1b]0;owned\x07\x1b[2J\x9bDenied"


def at(minutes: float) -> datetime:
    """A moment *minutes* after T0."""
    return T0 + timedelta(minutes=minutes)


def sample(metric: str, value: float, minutes: float = 0) -> MetricSample:
    return MetricSample(metric, value, at(minutes))


def latency_policy(policy_id: str = "checkout", *, active: bool = True) -> MonitoringPolicy:
    """A policy with one rule: http.latency_ms above 250 is critical."""
    policy = MonitoringPolicy(policy_id)
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    if active:
        policy.activate_rule("latency")
    return policy


class Below:
    """A mode the standard registry lacks: breach when the value drops under the threshold."""

    name = "below"

    def check_rule(self, rule: ThresholdRule) -> None:
        if rule.window != 1:
            raise DomainError("below takes window=1")

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        first = next((s for s in samples if s.value < rule.threshold), None)
        return Verdict(first, samples[-1].value < rule.threshold)


class Exploding:
    """A mode with a bug: it raises on every evaluation."""

    name = "exploding"

    def check_rule(self, rule: ThresholdRule) -> None:
        pass

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        raise RuntimeError("a bug in a plug-in mode")


def two_draft_rules(policy_id: str = "checkout") -> MonitoringPolicy:
    """A policy with two draft rules: latency (> 250, critical) and errors (> 0.05, warning)."""
    policy = latency_policy(policy_id, active=False)
    policy.add_rule(ThresholdRule("errors", "http.error_rate", 0.05, "warning"))
    return policy


class HeldMode:
    """The threshold test, held inside ``evaluate`` until the test sets ``release``.

    ``entered`` is set once a cycle is inside it: the moment a test cancels, signals or
    reads while a cycle is under way.
    """

    name = "held"
    WAIT = 30.0

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def check_rule(self, rule: ThresholdRule) -> None:
        """Every rule suits it."""

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        self.entered.set()
        assert self.release.wait(self.WAIT), "the test never released the cycle"
        first = next((s for s in samples if s.value > rule.threshold), None)
        return Verdict(first, samples[-1].value > rule.threshold)


class ManualClock:
    """A wall clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def stored_state_after_a_stale_write(store: InMemoryStore) -> RuleState:
    """Two writers load version 1; the first activates, the second (stale) retires."""
    with InMemoryUnitOfWork(store) as uow:
        policy = MonitoringPolicy("checkout")
        policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
        uow.policies.add(policy)
        uow.commit()
    with InMemoryUnitOfWork(store) as first, InMemoryUnitOfWork(store) as second:
        first.policies.get("checkout").activate_rule("latency")
        second.policies.get("checkout").retire_rule("latency", "decided on a stale copy")
        first.commit()
        second.commit()
    return store.load("checkout")[1].rule_state("latency")


class AtOrAbove:
    """A mode the standard registry lacks: breach at or above the threshold."""

    name = "at_or_above"

    def check_rule(self, rule: ThresholdRule) -> None:
        """Every rule suits it."""

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        first = next((s for s in samples if s.value >= rule.threshold), None)
        return Verdict(first, samples[-1].value >= rule.threshold)


#: (name, mode, window, threshold) of the rules :func:`busy_policy` gives each metric.
BUSY_RULES = [
    ("t", "threshold", 1, 0.7),
    ("c2", "consecutive", 2, 0.6),
    ("c3", "consecutive", 3, 0.5),
    ("r1", "rate_of_change", 1, 0.001),
]


def busy_policy(modes: ModeRegistry = STANDARD_MODES) -> MonitoringPolicy:
    """Policy "p" with every rule of BUSY_RULES active on metrics "a" and "b", no events pending."""
    policy = MonitoringPolicy("p", modes=modes)
    for metric in ("a", "b"):
        for name, mode, window, threshold in BUSY_RULES:
            rule_id = f"{metric}-{name}"
            policy.add_rule(
                ThresholdRule(rule_id, metric, threshold, "warning", window=window, mode=mode)
            )
            policy.activate_rule(rule_id)
    policy.collect_events()
    return policy
