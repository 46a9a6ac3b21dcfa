"""Helpers shared by the capstone's tests: fixed moments, samples, a small policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from service_monitoring import DomainError, MetricSample, MonitoringPolicy, ThresholdRule, Verdict

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
