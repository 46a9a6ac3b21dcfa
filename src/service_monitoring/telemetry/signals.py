"""Logs, metrics and traces: what the package tells an operator.

Internal module: import :class:`Telemetry` from :mod:`service_monitoring`.

* **Logs** go to the standard :mod:`logging` module under the
  ``service_monitoring`` logger. The package installs no handler (only a
  :class:`logging.NullHandler`); the command line configures output. Each
  record carries an ``event`` name and its fields through ``extra``; a
  failure is logged once, where it is handled. Secrets and payload contents
  are never logged.
* **Metrics and traces** go through the OpenTelemetry API, a no-op until an
  SDK is installed. :class:`Telemetry` holds the instruments; by default it
  uses the global providers (the API's proxies forward to a provider
  installed later), and a test or an application can pass its own.

The runtime and the delivery loop report through the methods of
:class:`Telemetry`, each called at the place that handles what it reports:

==================  =======  ============================================================
event               level    reported by
==================  =======  ============================================================
cycle.completed     INFO     :meth:`Telemetry.cycle`: a cycle committed (``outcome`` says
                             whether its delivery then failed: ``undelivered``)
cycle.failed        ERROR    :meth:`Telemetry.cycle`: a cycle did not commit;
                             ``store.unavailable`` or ``policy.conflict`` instead when
                             that was the cause
policy.conflict     WARNING  :meth:`Telemetry.conflict_retried`: a change is re-applied
delivery.retrying   WARNING  :meth:`Telemetry.delivery_retried`: an attempt is repeated
delivery.failed     ERROR    :meth:`Telemetry.delivery_failed`: the sink did not take a batch
delivery.leased     WARNING  :meth:`Telemetry.delivery_leased`: pending incidents another
                             deliverer holds were left alone
store.unavailable   ERROR    :meth:`Telemetry.store_unavailable`: the store cannot be opened
payload.rejected    WARNING  :meth:`Telemetry.payload_rejected`, called where the payload
                             is refused (the command line)
==================  =======  ============================================================

The runbook that maps each of these to a recovery is
:mod:`service_monitoring.telemetry.runbook`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from opentelemetry import metrics, trace
from opentelemetry.trace import Status, StatusCode

from ..domain.errors import (
    ConcurrencyConflict,
    DeliveryError,
    DomainError,
    PayloadRejected,
    ServiceMonitoringError,
    StoreUnavailable,
)
from ..domain.reports import CycleReport

__all__ = ["LOGGER_NAME", "POLICY_ID_ATTRIBUTE", "Telemetry"]

#: The package's logger; every record comes from it or one of its children.
LOGGER_NAME: Final = "service_monitoring"
#: The span (and metric) attribute naming the policy of a cycle.
POLICY_ID_ATTRIBUTE: Final = "service_monitoring.policy_id"

logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())
_runtime_log = logging.getLogger(f"{LOGGER_NAME}.runtime")
_boundary_log = logging.getLogger(f"{LOGGER_NAME}.boundary")


class Telemetry:
    """Where the package's metrics and spans go: its instruments and its tracer.

    Without arguments it uses the global OpenTelemetry providers, so it costs
    nothing until an application installs an SDK. Pass providers to send the
    figures somewhere else -- a test does this with the SDK's in-memory
    reader and exporter -- and hand the object to
    ``MonitoringRuntime(telemetry=...)``.

    Metrics: ``service_monitoring.cycles`` (attribute ``outcome``:
    ``completed``, ``undelivered`` or ``failed``), ``service_monitoring.cycle.duration``
    (seconds), ``service_monitoring.alerts.opened``,
    ``service_monitoring.publication.failures`` (attribute ``error.type``),
    ``service_monitoring.delivery.retries``, ``service_monitoring.conflicts``,
    ``service_monitoring.store.errors``, ``service_monitoring.samples.skipped`` and
    ``service_monitoring.payloads.rejected``.
    One span per cycle, ``service_monitoring.cycle``, carries the attribute
    ``service_monitoring.policy_id``.

    >>> from opentelemetry.sdk.metrics import MeterProvider
    >>> from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    >>> from service_monitoring import PayloadRejected
    >>> reader = InMemoryMetricReader()
    >>> telemetry = Telemetry(meter_provider=MeterProvider(metric_readers=[reader]))
    >>> telemetry.payload_rejected(PayloadRejected("samples", "expected a list"), source="in.json")
    >>> [metric.name for resource in reader.get_metrics_data().resource_metrics
    ...  for scope in resource.scope_metrics for metric in scope.metrics]
    ['service_monitoring.payloads.rejected']
    """

    __slots__ = (
        "_alerts",
        "_conflicts",
        "_cycles",
        "_duration",
        "_failures",
        "_leased",
        "_rejected",
        "_retries",
        "_skipped",
        "_store_errors",
        "_tracer",
    )

    def __init__(
        self,
        *,
        meter_provider: metrics.MeterProvider | None = None,
        tracer_provider: trace.TracerProvider | None = None,
    ) -> None:
        if meter_provider is not None and not isinstance(meter_provider, metrics.MeterProvider):
            raise DomainError(
                f"meter_provider must be an OpenTelemetry MeterProvider, "
                f"got {type(meter_provider).__name__}"
            )
        if tracer_provider is not None and not isinstance(tracer_provider, trace.TracerProvider):
            raise DomainError(
                f"tracer_provider must be an OpenTelemetry TracerProvider, "
                f"got {type(tracer_provider).__name__}"
            )
        meter = metrics.get_meter(LOGGER_NAME, meter_provider=meter_provider)
        self._tracer = trace.get_tracer(LOGGER_NAME, tracer_provider=tracer_provider)
        counter = meter.create_counter
        self._cycles = counter("service_monitoring.cycles", "{cycle}", "Cycles run")
        self._duration = meter.create_histogram(
            "service_monitoring.cycle.duration", "s", "How long a cycle took"
        )
        self._alerts = counter("service_monitoring.alerts.opened", "{alert}", "Incidents opened")
        self._failures = counter(
            "service_monitoring.publication.failures", "{batch}", "Batches the sink did not take"
        )
        self._retries = counter(
            "service_monitoring.delivery.retries", "{attempt}", "Delivery attempts retried"
        )
        self._conflicts = counter(
            "service_monitoring.conflicts", "{conflict}", "Optimistic-concurrency conflicts"
        )
        self._store_errors = counter(
            "service_monitoring.store.errors", "{error}", "Store operations that failed"
        )
        self._leased = counter(
            "service_monitoring.delivery.leased",
            "{incident}",
            "Pending incidents left alone because another deliverer holds their lease",
        )
        self._skipped = counter(
            "service_monitoring.samples.skipped",
            "{sample}",
            "Samples at or before their metric's watermark, not evaluated",
        )
        self._rejected = counter(
            "service_monitoring.payloads.rejected", "{payload}", "Untrusted payloads refused"
        )

    def payload_rejected(self, error: PayloadRejected, *, source: str = "") -> None:
        """Count and log a payload :func:`~service_monitoring.decode_samples` refused.

        Call it where the rejection is handled (the command line does). Only
        the position and the *source* (a file name, a peer) are logged, never
        the reason, which may quote the payload.
        """
        self._rejected.add(1)
        _boundary_log.warning(
            "payload rejected",
            extra=_extra(
                "payload.rejected",
                {"source": source},
                position=error.position,
                error_type=type(error).__name__,
            ),
        )

    # -- what the runtime and the delivery loop report: each failure once, where handled --

    @contextmanager
    def cycle(self, policy_id: str, samples: int) -> Iterator[Callable[[CycleReport], None]]:
        """Trace, time, count and log one cycle of *policy_id*: exactly one record per cycle.

        The block receives a function to call with the cycle's report once the
        cycle committed. The record is ``cycle.completed`` when it was called
        (even if the block then raised because delivery failed), else an event
        naming the failure: ``store.unavailable``, ``policy.conflict`` or
        ``cycle.failed``.
        """
        committed: list[CycleReport] = []
        started = time.perf_counter()
        attributes = {POLICY_ID_ATTRIBUTE: policy_id}
        # record_exception/set_status_on_exception off: OpenTelemetry would otherwise store
        # the whole formatted traceback, with the message of every exception in the chain,
        # which may quote a sink's URL or a payload. The span gets the error type only.
        with self._tracer.start_as_current_span(
            "service_monitoring.cycle",
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            error: BaseException | None = None
            try:
                yield committed.append
            except BaseException as failure:
                error = failure
                span.set_attribute("error.type", type(failure).__name__)
                span.set_status(Status(StatusCode.ERROR, type(failure).__name__))
                raise
            finally:
                report = committed[-1] if committed else None
                self._end_cycle(policy_id, samples, started, report, error)
                if report is not None:
                    span.set_attribute("service_monitoring.alerts_opened", report.alerts_opened)

    def conflict_retried(self, policy_id: str, attempt: int) -> None:
        """A change lost an optimistic-concurrency race and is applied again."""
        self._conflicts.add(1, {POLICY_ID_ATTRIBUTE: policy_id})
        _runtime_log.warning(
            "concurrency conflict, retrying",
            extra=_extra("policy.conflict", {"policy_id": policy_id}, attempt=attempt),
        )

    def delivery_retried(
        self, batch_size: int, attempt: int, delay: float, error: BaseException
    ) -> None:
        """A delivery attempt failed and will be repeated after *delay* seconds."""
        self._retries.add(1, {"error.type": type(error).__name__})
        _runtime_log.warning(
            "delivery attempt failed, retrying",
            extra=_extra(
                "delivery.retrying",
                {"batch_size": batch_size, "attempt": attempt, "delay_s": delay},
                error_type=type(error).__name__,
            ),
        )

    def delivery_failed(
        self,
        kind: type[DeliveryError],
        reason: str,
        *,
        batch_size: int,
        attempts: int,
        pending: int,
    ) -> None:
        """The sink did not take a batch (*kind* says how); its incidents stay pending."""
        self._failures.add(1, {"error.type": kind.__name__})
        _runtime_log.error(
            "delivery failed: %s",
            kind.__name__,
            extra=_extra(
                "delivery.failed",
                {"batch_size": batch_size, "attempts": attempts, "pending": pending},
                error_type=kind.__name__,
                retryable=kind.retryable,
                reason=reason,
            ),
        )

    def delivery_leased(self, held: int) -> None:
        """A drain stopped with *held* incidents pending that another deliverer has leased.

        Normal while two deliverers run at once; when it persists, a deliverer died
        mid-batch and its lease has not yet expired (see the runbook).
        """
        self._leased.add(held)
        _runtime_log.warning(
            "pending incidents held by another deliverer",
            extra=_extra("delivery.leased", {"held": held}),
        )

    def store_unavailable(self, error: StoreUnavailable, *, operation: str) -> None:
        """The store could not be opened, read or written."""
        self._store_errors.add(1, {"operation": operation})
        _runtime_log.error(
            "store unavailable",
            extra=_extra("store.unavailable", {"operation": operation}, **_error_fields(error)),
        )

    def _end_cycle(
        self,
        policy_id: str,
        samples: int,
        started: float,
        report: CycleReport | None,
        error: BaseException | None,
    ) -> None:
        seconds = time.perf_counter() - started
        fields: dict[str, object] = {
            "policy_id": policy_id,
            "samples": samples,
            "duration_ms": round(seconds * 1000, 3),
        }
        if report is not None:
            outcome = "completed" if error is None else "undelivered"
            self._alerts.add(report.alerts_opened, {POLICY_ID_ATTRIBUTE: policy_id})
            self._skipped.add(report.samples_skipped, {POLICY_ID_ATTRIBUTE: policy_id})
            _runtime_log.info(
                "cycle completed",
                extra=_extra(
                    "cycle.completed",
                    fields,
                    outcome=outcome,
                    samples_skipped=report.samples_skipped,
                    alerts_opened=report.alerts_opened,
                    alerts_published=report.alerts_published,
                    pending_deliveries=report.pending_deliveries,
                ),
            )
        else:
            outcome = "failed"
            event = _failure_event(error)
            if event == "store.unavailable":
                self._store_errors.add(1, {"operation": "cycle"})
            elif event == "policy.conflict":
                self._conflicts.add(1, {POLICY_ID_ATTRIBUTE: policy_id})
            _runtime_log.error(
                "cycle failed: %s",
                type(error).__name__,
                extra=_extra(event, fields, outcome=outcome, **_error_fields(error)),
            )
        counted = {POLICY_ID_ATTRIBUTE: policy_id, "outcome": outcome}
        self._cycles.add(1, counted)
        self._duration.record(seconds, counted)


def _failure_event(error: BaseException | None) -> str:
    if isinstance(error, StoreUnavailable):
        return "store.unavailable"
    if isinstance(error, ConcurrencyConflict):
        return "policy.conflict"
    return "cycle.failed"


def _error_fields(error: BaseException | None) -> dict[str, object]:
    retryable = isinstance(error, ServiceMonitoringError) and error.retryable
    return {"error_type": type(error).__name__, "retryable": retryable, "reason": str(error)}


def _extra(event: str, fields: Mapping[str, object], **more: object) -> dict[str, object]:
    return {"event": event, **fields, **more}
