"""The built-in scenario of ``service-monitoring demo``: fixed rules, samples and clock.

Internal module: the command line runs it (:func:`run_demo`); the docs quote its
output, which never changes because every timestamp in it is fixed.

>>> [rule.rule_id for rule in demo_policy().active_rules()]
['latency-p99', 'error-burst', 'queue-surge']
>>> [len(samples) for samples in demo_cycles()]
[7, 3]
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final, TextIO

from ..delivery.sinks import CollectingIncidentSink
from ..domain.policy import MonitoringPolicy
from ..domain.values import MetricSample, ThresholdRule
from ..runtime import MonitoringRuntime
from ..telemetry.signals import Telemetry
from .render import alert_line, count, print_cycle, print_line, rule_line

__all__ = ["DEMO_CLOCK", "DEMO_START", "demo_cycles", "demo_policy", "run_demo"]

#: When the scenario's first sample is observed.
DEMO_START: Final = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
#: What the demo's clock always answers (commits and deliveries are stamped with it).
DEMO_CLOCK: Final = DEMO_START + timedelta(minutes=30)


def demo_policy() -> MonitoringPolicy:
    """Policy ``checkout``: three active rules, one per mode, a draft and a retired rule."""
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("latency-p99", "http.latency_ms", 250, "critical"))
    policy.add_rule(
        ThresholdRule(
            "error-burst", "http.error_rate", 0.05, "warning", window=3, mode="consecutive"
        )
    )
    policy.add_rule(
        ThresholdRule("queue-surge", "queue.depth", 5, "critical", mode="rate_of_change")
    )
    policy.add_rule(ThresholdRule("cpu-hot", "cpu.utilisation", 0.9, "warning"))
    policy.add_rule(ThresholdRule("disk-full", "disk.used_ratio", 0.8, "warning"))
    for rule_id in ("latency-p99", "error-burst", "queue-surge"):
        policy.activate_rule(rule_id)
    policy.retire_rule("disk-full", "replaced by a storage policy")
    return policy


def demo_cycles() -> tuple[list[MetricSample], ...]:
    """The samples of two cycles.

    Cycle 1: latency breaches (an incident opens); errors run high twice; the
    queue grows slowly; the draft cpu rule sees a hot sample and stays silent.
    Cycle 2: latency recovers (its incident closes); a third high error rate
    makes ``error-burst`` breach; the queue jumps 280 in 10 s and
    ``queue-surge`` breaches.
    """

    def at(seconds: int, metric: str, value: float) -> MetricSample:
        return MetricSample(metric, value, DEMO_START + timedelta(seconds=seconds))

    first = [
        at(0, "http.latency_ms", 180),
        at(60, "http.latency_ms", 320),
        at(0, "http.error_rate", 0.07),
        at(60, "http.error_rate", 0.08),
        at(0, "queue.depth", 100),
        at(10, "queue.depth", 120),
        at(60, "cpu.utilisation", 0.97),
    ]
    second = [
        at(120, "http.latency_ms", 210),
        at(120, "http.error_rate", 0.09),
        at(20, "queue.depth", 400),
    ]
    return first, second


def run_demo(out: TextIO, telemetry: Telemetry) -> None:
    """Register :func:`demo_policy` in memory, run :func:`demo_cycles`, print the report."""
    sink = CollectingIncidentSink()
    with MonitoringRuntime(sink=sink, telemetry=telemetry, clock=lambda: DEMO_CLOCK) as runtime:
        runtime.register_policy(demo_policy())
        print_line(out, "service-monitoring demo: policy 'checkout', in-memory store, fixed clock")
        print_line(out, "")
        policy = runtime.policy("checkout")
        print_line(out, "Rules")
        for rule in policy.rules():
            print_line(out, "  " + rule_line(rule, policy.rule_state(rule.rule_id).value))
        for number, samples in enumerate(demo_cycles(), start=1):
            print_line(out, "")
            print_cycle(out, runtime.run_cycle("checkout", samples), title=f"Cycle {number}")
        incidents = runtime.open_incidents("checkout")
        print_line(out, "")
        print_line(out, f"Open incidents ({len(incidents)})")
        for alert in incidents:
            print_line(out, "  " + alert_line(alert))
        print_line(out, "")
        print_line(out, f"Delivered to the demo sink: {count(len(sink.alerts), 'alert')}")
