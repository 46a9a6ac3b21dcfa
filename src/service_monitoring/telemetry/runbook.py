"""The runbook: each failure the design predicts, how it shows, and how to recover.

Internal module: the command guide and the runbook lesson print it; the tests
check every entry against the real error, log event, metric and exit code.

>>> [entry.log_event for entry in RUNBOOK]  # doctest: +NORMALIZE_WHITESPACE
['delivery.failed', 'delivery.failed', 'payload.rejected', 'policy.conflict',
 'store.unavailable', 'store.unavailable', 'store.unavailable', 'cycle.completed',
 'delivery.leased']
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
    """One failure the design predicts: how it shows and how to recover.

    ``error`` is the exception the failure raises, or ``None`` for a silent failure:
    one that raises nothing and shows only in its log event and metric.
    """

    failure: str
    error: type[ServiceMonitoringError] | None
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
    RunbookEntry(
        failure="database written by an older release (schema version 1): every command that "
        "writes refuses it, read-only commands still read it",
        error=StoreUnavailable,
        log_event="store.unavailable",
        metric="service_monitoring.store.errors",
        exit_code=4,
        recovery="upgrade it once, keeping a backup (--dry-run first says what it rewrites): "
        "service-monitoring migrate --database PATH",
    ),
    RunbookEntry(
        failure="serve's last cycle could not commit (database locked or unreadable at "
        "shutdown): standard error counts the accepted samples that were not stored",
        error=StoreUnavailable,
        log_event="store.unavailable",
        metric="service_monitoring.store.errors",
        exit_code=4,
        recovery="restore the file or stop the other writer, then have the producers send the "
        "counted samples again to service-monitoring serve --policy FILE --database PATH",
    ),
    RunbookEntry(
        failure="samples skipped: a metric's watermark lies in the future (a producer's clock "
        "ran ahead before samples were bounded by PayloadLimits.max_clock_skew)",
        error=None,
        log_event="cycle.completed",
        metric="service_monitoring.samples.skipped",
        exit_code=0,
        recovery="check the producer's clock, then service-monitoring reset-watermark "
        "--database PATH --policy ID --metric NAME",
    ),
    RunbookEntry(
        failure="incidents stay pending: a deliverer died holding their lease",
        error=None,
        log_event="delivery.leased",
        metric="service_monitoring.delivery.leased",
        exit_code=0,
        recovery="wait until the lease ends (DeliveryPolicy.lease_seconds, 300 s by default, "
        "after the deliverer stopped), then "
        "service-monitoring deliver --database PATH --webhook URL",
    ),
)
