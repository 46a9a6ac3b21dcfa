"""The lines the commands print: one place that decides what an operator reads.

Internal module: the commands of :mod:`service_monitoring.cli.app` print through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from ..domain.reports import CycleReport
from ..domain.values import Alert, ThresholdRule

__all__ = ["alert_line", "count", "print_cycle", "print_line", "rule_line"]


def print_line(out: TextIO, line: str) -> None:
    """Write one line to *out*."""
    print(line, file=out)


def print_cycle(
    out: TextIO,
    report: CycleReport,
    *,
    title: str = "Cycle",
    alerts: Sequence[Alert] | None = None,
) -> None:
    """The cycle's summary, then *alerts* (default: the alerts it opened)."""
    print_line(
        out,
        f"{title}: {count(report.samples_evaluated, 'sample')}, "
        f"{count(report.alerts_opened, 'alert')} opened, {report.alerts_published} published, "
        f"{report.pending_deliveries} pending, {report.open_incident_count} open",
    )
    for alert in report.alerts if alerts is None else alerts:
        print_line(out, "  " + alert_line(alert))


def alert_line(alert: Alert) -> str:
    """One incident on one line: id, severity, where, what was seen, when."""
    return (
        f"{alert.incident_id}  {alert.severity.value:<8}  {alert.policy_id}/{alert.rule_id}  "
        f"{alert.metric}={alert.observed_value:g} (threshold {alert.threshold:g}) "
        f"at {alert.observed_at:%Y-%m-%dT%H:%M:%SZ}"
    )


def count(number: int, noun: str) -> str:
    """*number* and *noun*, plural unless it is one.

    >>> count(1, "alert"), count(3, "sample")
    ('1 alert', '3 samples')
    """
    return f"{number} {noun}" + ("" if number == 1 else "s")


def rule_line(rule: ThresholdRule, state: str) -> str:
    """One rule on one line: id, state, severity, condition and mode."""
    how = rule.mode if rule.window == 1 else f"{rule.mode}, window {rule.window}"
    return (
        f"{rule.rule_id:<12} {state:<8} {rule.severity.value:<9} "
        f"{rule.metric} > {rule.threshold:g} ({how})"
    )
