"""What an evaluation did: the facts a policy and the runtime report.

Internal module: import :class:`Evaluation` and :class:`CycleReport` from
:mod:`service_monitoring`.

>>> report = CycleReport("checkout", samples_evaluated=3, alerts=(), alerts_published=0,
...                      active_rule_count=2, open_incident_count=0, pending_deliveries=0)
>>> report.alerts_opened
0
"""

from __future__ import annotations

from dataclasses import dataclass

from .values import Alert

__all__ = ["CycleReport", "Evaluation"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What :meth:`~service_monitoring.MonitoringPolicy.evaluate_batch` did to one batch.

    ``opened`` are the incidents it opened; ``skipped`` counts the samples of watched
    metrics that were at or before their metric's watermark, so were not evaluated again.
    """

    opened: tuple[Alert, ...]
    skipped: int


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one :meth:`~service_monitoring.MonitoringRuntime.run_cycle` did, after it committed.

    ``samples_evaluated`` counts the samples that reached the rules;
    ``samples_skipped`` those of watched metrics at or before their metric's
    watermark (already evaluated, or older than something that was).
    """

    policy_id: str
    samples_evaluated: int
    alerts: tuple[Alert, ...]
    alerts_published: int
    active_rule_count: int
    open_incident_count: int
    pending_deliveries: int
    samples_skipped: int = 0

    @property
    def alerts_opened(self) -> int:
        """How many incidents this cycle opened."""
        return len(self.alerts)
