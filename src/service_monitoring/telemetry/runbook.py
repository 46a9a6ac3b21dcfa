"""The runbook: each failure the design predicts, how it shows, and how to recover.

Internal module: the command guide and the runbook lesson print it; the tests
check every entry against the real error, log event, metric and exit code.

>>> [entry.log_event for entry in RUNBOOK]
['delivery.failed', 'delivery.failed', 'payload.rejected', 'policy.conflict', 'store.unavailable']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..domain.errors import (
    ConcurrencyConflict,
    DeliveryRejected,
    PayloadRejected,
    PublicationFailed,
    ServiceMonitoringError,
    StoreUnavailable,
)

__all__ = ["RUNBOOK", "RunbookEntry"]


@dataclass(frozen=True, slots=True)
class RunbookEntry:
    """One failure the design predicts: how it shows and how to recover."""

    failure: str
    error: type[ServiceMonitoringError]
    log_event: str
    metric: str
    exit_code: int
    recovery: str


#: Each predicted failure, the log event and metric that reveal it, and the recovery.
RUNBOOK: Final[tuple[RunbookEntry, ...]] = (
    RunbookEntry(
        failure="sink unreachable (down, timing out, answering 5xx, 408 or 429)",
        error=PublicationFailed,
        log_event="delivery.failed",
        metric="service_monitoring.publication.failures",
        exit_code=3,
        recovery="service-monitoring deliver --database PATH --webhook URL",
    ),
    RunbookEntry(
        failure="sink rejects the batch (HTTP 4xx: bad URL or token)",
        error=DeliveryRejected,
        log_event="delivery.failed",
        metric="service_monitoring.publication.failures",
        exit_code=3,
        recovery="fix the URL or SERVICE_MONITORING_TOKEN, then "
        "service-monitoring deliver --database PATH --webhook URL",
    ),
    RunbookEntry(
        failure="payload rejected (samples file not in the documented format)",
        error=PayloadRejected,
        log_event="payload.rejected",
        metric="service_monitoring.payloads.rejected",
        exit_code=2,
        recovery="fix the samples at the position the error names (nothing was stored), "
        "then service-monitoring run --policy FILE --samples FILE --database PATH",
    ),
    RunbookEntry(
        failure="concurrency conflict (another writer changed the policy first)",
        error=ConcurrencyConflict,
        log_event="policy.conflict",
        metric="service_monitoring.conflicts",
        exit_code=4,
        recovery="run the same command again: a cycle re-applied to fresh state is harmless",
    ),
    RunbookEntry(
        failure="database locked or unreadable",
        error=StoreUnavailable,
        log_event="store.unavailable",
        metric="service_monitoring.store.errors",
        exit_code=4,
        recovery="stop the other writer or restore the file from a backup, then check with "
        "service-monitoring incidents --database PATH",
    ),
)
