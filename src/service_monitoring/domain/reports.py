"""What one evaluation cycle did: the facts the runtime reports after it committed.

Internal module: import :class:`CycleReport` from :mod:`service_monitoring`.

>>> report = CycleReport("checkout", samples_evaluated=3, alerts=(), alerts_published=0,
...                      active_rule_count=2, open_incident_count=0, pending_deliveries=0)
>>> report.alerts_opened
0
"""

from __future__ import annotations

from dataclasses import dataclass

from .values import Alert

__all__ = ["CycleReport"]


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one :meth:`~service_monitoring.MonitoringRuntime.run_cycle` did, after it committed."""

    policy_id: str
    samples_evaluated: int
    alerts: tuple[Alert, ...]
    alerts_published: int
    active_rule_count: int
    open_incident_count: int
    pending_deliveries: int

    @property
    def alerts_opened(self) -> int:
        """How many incidents this cycle opened."""
        return len(self.alerts)
