"""Helpers shared by the capstone's tests: fixed moments, samples, a small policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service_monitoring import MetricSample, MonitoringPolicy, ThresholdRule

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


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
