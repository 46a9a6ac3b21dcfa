"""The runtime facade: one object that owns the store and the sink and runs cycles.

Internal module: import :class:`MonitoringRuntime` from :mod:`service_monitoring`.

The runtime is where the boundary policies live, so the model does not have
to know about them:

* **Ownership.** It opens its store (a SQLite connection when given a
  database path) and closes it in :meth:`MonitoringRuntime.close`; it is a
  context manager so a ``with`` block guarantees that.
* **Commit, then publish.** A cycle's incidents are committed with an outbox
  entry each; only then is the outbox delivered to the sink. A sink failure
  leaves them pending and is reported as
  :class:`~service_monitoring.PublicationFailed`.
* **Retries wrap idempotent steps only.** Delivery is retried (incident ids
  are stable, the outbox forgets an entry only after the sink acknowledged
  it); a change that lost an optimistic-concurrency race is re-applied to a
  fresh copy of the policy.
* **Observability.** Each cycle is traced, timed, counted and logged once
  through the runtime's :class:`~service_monitoring.Telemetry`; a failure is
  logged where the runtime handles it (see :mod:`service_monitoring.observability`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from types import TracebackType
from typing import Self, TypeVar

from . import observability
from .aggregate import MonitoringPolicy
from .errors import (
    ConcurrencyConflict,
    DeliveryError,
    DeliveryRejected,
    DomainError,
    PolicyNotFound,
    PublicationFailed,
    StoreUnavailable,
)
from .memory_store import InMemoryStore, InMemoryUnitOfWork
from .model import Alert, MetricSample
from .observability import Telemetry
from .policies import STANDARD_MODES, ModeRegistry
from .sinks import CollectingIncidentSink, IncidentSink
from .sqlite_store import SqliteStore, SqliteUnitOfWork
from .unit_of_work import Clock, PendingDelivery, Store, StoreUnitOfWork, utc_now

__all__ = ["CycleReport", "DeliveryPolicy", "MonitoringRuntime"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one :meth:`MonitoringRuntime.run_cycle` did, after it committed."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPolicy:
    """How hard the runtime tries to hand a batch to the sink before reporting failure.

    >>> DeliveryPolicy(attempts=0)
    Traceback (most recent call last):
    ...
    service_monitoring.errors.DomainError: attempts must be a whole number >= 1, got 0
    """

    attempts: int = 3
    first_delay: float = 0.05
    backoff: float = 2.0
    batch_size: int = 500

    def __post_init__(self) -> None:
        for name in ("attempts", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DomainError(f"{name} must be a whole number >= 1, got {value!r}")
        for name in ("first_delay", "backoff"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise DomainError(f"{name} must be a number >= 0, got {value!r}")

    def delays(self) -> Iterable[float]:
        """The pauses between attempts: one fewer than ``attempts``."""
        delay = float(self.first_delay)
        for _ in range(self.attempts - 1):
            yield delay
            delay *= self.backoff


class MonitoringRuntime:
    """The facade: register policies, change rules, run cycles, deliver incidents.

    ``database=None`` keeps everything in memory; a path keeps it in a SQLite
    file (created on first use). Without a *sink*, incidents go to a
    :class:`~service_monitoring.CollectingIncidentSink`.

    Ownership: the runtime opens its store and closes it in :meth:`close`.
    A sink handed to the constructor is handed over too: :meth:`close` calls
    its ``close()`` if it has one. To share one sink between runtimes, give
    each a small adapter without ``close()``. Metrics, spans and
    log records go through *telemetry* (by default the global OpenTelemetry
    providers).

    >>> from datetime import datetime, timezone
    >>> from service_monitoring import MetricSample, MonitoringPolicy, ThresholdRule
    >>> policy = MonitoringPolicy("checkout")
    >>> policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> with MonitoringRuntime() as runtime:
    ...     runtime.register_policy(policy)
    ...     runtime.activate_rule("checkout", "latency")
    ...     report = runtime.run_cycle("checkout", [MetricSample("http.latency_ms", 320, at)])
    ...     again = runtime.run_cycle("checkout", [MetricSample("http.latency_ms", 320, at)])
    >>> report.alerts_opened, report.alerts_published, report.open_incident_count
    (1, 1, 1)
    >>> again.alerts_opened, again.alerts_published      # a retry changes nothing
    (0, 0)
    """

    def __init__(
        self,
        *,
        database: str | PathLike[str] | None = None,
        sink: IncidentSink | None = None,
        modes: ModeRegistry | None = None,
        clock: Clock | None = None,
        delivery: DeliveryPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
        conflict_attempts: int = 3,
        telemetry: Telemetry | None = None,
    ) -> None:
        if sink is not None and not isinstance(sink, IncidentSink):
            raise DomainError(f"sink must have a publish(alerts) method, got {type(sink).__name__}")
        if modes is not None and not isinstance(modes, ModeRegistry):
            raise DomainError(f"modes must be a ModeRegistry, got {type(modes).__name__}")
        if clock is not None and not callable(clock):
            raise DomainError(f"clock must be callable, got {type(clock).__name__}")
        if delivery is not None and not isinstance(delivery, DeliveryPolicy):
            raise DomainError(f"delivery must be a DeliveryPolicy, got {type(delivery).__name__}")
        if (
            isinstance(conflict_attempts, bool)
            or not isinstance(conflict_attempts, int)
            or conflict_attempts < 1
        ):
            raise DomainError(
                f"conflict_attempts must be a whole number >= 1, got {conflict_attempts!r}"
            )
        if not callable(sleep):
            raise DomainError(f"sleep must be callable, got {type(sleep).__name__}")
        if telemetry is not None and not isinstance(telemetry, Telemetry):
            raise DomainError(f"telemetry must be a Telemetry, got {type(telemetry).__name__}")
        self._telemetry = Telemetry() if telemetry is None else telemetry
        self._modes = STANDARD_MODES if modes is None else modes
        self._clock: Clock = utc_now if clock is None else clock
        self._delivery = DeliveryPolicy() if delivery is None else delivery
        self._sleep = sleep
        self._conflict_attempts = conflict_attempts
        self._sink: IncidentSink = CollectingIncidentSink() if sink is None else sink
        self._delivery_lock = threading.Lock()
        try:
            self._store: Store = (
                InMemoryStore() if database is None else SqliteStore(database, modes=self._modes)
            )
        except StoreUnavailable as error:
            observability.store_unavailable(self._telemetry, error, operation="open")
            raise
        self._closed = False

    # -- ownership -------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the store (and the sink, if it has ``close``). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self._store.close()
        finally:
            close_sink = getattr(self._sink, "close", None)
            if callable(close_sink):
                close_sink()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        return self._closed

    @property
    def sink(self) -> IncidentSink:
        """The sink incidents are delivered to."""
        return self._sink

    def unit_of_work(self) -> StoreUnitOfWork:
        """A new unit of work over this runtime's store, for changes the facade does not offer."""
        self._check_open()
        if isinstance(self._store, SqliteStore):
            return SqliteUnitOfWork(self._store, clock=self._clock)
        assert isinstance(self._store, InMemoryStore)
        return InMemoryUnitOfWork(self._store, clock=self._clock)

    # -- commands ----------------------------------------------------------------------

    def register_policy(self, policy: MonitoringPolicy) -> None:
        """Store a new policy; every rule's mode must be known to this runtime."""
        self._check_open()
        if not isinstance(policy, MonitoringPolicy):
            raise DomainError(
                f"register_policy takes a MonitoringPolicy, got {type(policy).__name__}"
            )
        for rule in policy.rules():
            self._modes.check(rule)
        with self.unit_of_work() as uow:
            uow.policies.add(policy)
            uow.commit()

    def activate_rule(self, policy_id: str, rule_id: str) -> None:
        """Activate a draft rule of a stored policy."""
        self._change(policy_id, lambda policy: policy.activate_rule(rule_id))

    def retire_rule(self, policy_id: str, rule_id: str, reason: str) -> None:
        """Retire a rule of a stored policy; an incident it holds open is closed."""
        self._change(policy_id, lambda policy: policy.retire_rule(rule_id, reason))

    def run_cycle(self, policy_id: str, samples: Iterable[MetricSample]) -> CycleReport:
        """Evaluate *samples*, commit the incidents opened, then deliver the outbox.

        Incidents left pending by an earlier failed delivery are offered first.
        If the sink fails, the cycle is still committed and the incidents stay
        pending; the error raised carries the :class:`CycleReport` as ``report``.
        """
        self._check_open()
        try:
            batch = list(samples)
        except TypeError:
            raise DomainError(
                f"samples must be an iterable of MetricSample, got {type(samples).__name__}"
            ) from None
        with observability.cycle(self._telemetry, policy_id, len(batch)) as observation:
            if not self._store.exists(policy_id):  # before touching anyone else's backlog
                raise PolicyNotFound(f"no policy {policy_id!r} is stored")
            failure: DeliveryError | None = None
            published = 0
            if self._store.pending_count():
                try:
                    published += self.deliver_pending()
                except DeliveryError as error:
                    published += error.delivered
                    failure = error
            opened = self._change(policy_id, lambda policy: policy.evaluate(batch))
            if failure is None and opened:
                try:
                    published += self.deliver_pending()
                except DeliveryError as error:
                    published += error.delivered
                    failure = error
            view = self._store.view(policy_id)
            report = CycleReport(
                policy_id=policy_id,
                samples_evaluated=len(batch),
                alerts=tuple(opened),
                alerts_published=published,
                active_rule_count=len(view.active_rules),
                open_incident_count=len(view.open_incidents),
                pending_deliveries=self._store.pending_count(),
            )
            observation.completed(report)
            if failure is not None:
                raise type(failure)(
                    str(failure),
                    pending=report.pending_deliveries,
                    delivered=published,
                    report=report,
                ) from failure
        return report

    def deliver_pending(self) -> int:
        """Offer every pending incident to the sink, oldest first; return how many it took.

        Raises :class:`~service_monitoring.PublicationFailed` when the sink
        still fails after the retries of the :class:`DeliveryPolicy`, and
        :class:`~service_monitoring.DeliveryRejected` when it refuses a batch;
        in both cases the undelivered incidents stay pending, and the error's
        ``delivered`` says how many went out in earlier batches of this call.
        """
        self._check_open()
        with self._delivery_lock:
            delivered = 0
            budget = self._store.pending_count()
            while delivered < budget:
                batch = self._store.pending_deliveries(
                    min(self._delivery.batch_size, budget - delivered)
                )
                if not batch:
                    break
                alerts = [entry.alert for entry in batch]
                try:
                    self._publish(alerts)
                except DeliveryError as error:
                    error.delivered = delivered  # the batches before this one did go out
                    raise
                self._store.mark_delivered([a.incident_id for a in alerts], at=self._clock())
                delivered += len(alerts)
            return delivered

    # -- queries -----------------------------------------------------------------------

    def open_incidents(self, policy_id: str) -> tuple[Alert, ...]:
        """The open incidents of one policy, from its read model."""
        self._check_open()
        return self._store.view(policy_id).open_incidents

    def active_rules(self, policy_id: str) -> tuple[str, ...]:
        """The ids of one policy's active rules, from its read model."""
        self._check_open()
        return self._store.view(policy_id).active_rules

    def policy(self, policy_id: str) -> MonitoringPolicy:
        """A private copy of a stored policy, for reading (changes to it are not saved)."""
        self._check_open()
        return self._store.load(policy_id)[1]

    def policy_ids(self) -> tuple[str, ...]:
        """The ids of every stored policy."""
        self._check_open()
        return self._store.policy_ids()

    def pending_deliveries(self) -> tuple[PendingDelivery, ...]:
        """Every incident waiting in the outbox, oldest first."""
        self._check_open()
        return tuple(self._store.pending_deliveries(self._store.pending_count()))

    def rebuild_read_models(self, policy_id: str) -> None:
        """Throw away one policy's read model and project it again from its events."""
        self._check_open()
        self._store.rebuild_view(policy_id)

    # -- internals ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable("the runtime is closed")

    def _change(self, policy_id: str, action: Callable[[MonitoringPolicy], _T]) -> _T:
        """Load, change and commit one policy; re-apply on a fresh copy after a conflict."""
        self._check_open()
        for attempt in range(1, self._conflict_attempts + 1):
            try:
                with self.unit_of_work() as uow:
                    result = action(uow.policies.get(policy_id))
                    uow.commit()
                    return result
            except ConcurrencyConflict:
                if attempt == self._conflict_attempts:
                    raise
                observability.conflict_retried(self._telemetry, policy_id, attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _publish(self, alerts: Sequence[Alert]) -> None:
        """Hand one batch to the sink, retrying failures the sink calls retryable."""
        ids = [alert.incident_id for alert in alerts]
        delays = iter(self._delivery.delays())
        attempt = 0
        while True:
            attempt += 1
            try:
                self._sink.publish(tuple(alerts))
                return
            except DeliveryRejected as error:
                self._store.record_attempt(ids)
                rejected = DeliveryRejected(
                    f"the sink rejected a batch of {len(alerts)} incident(s): {error}",
                    pending=self._store.pending_count(),
                )
                observability.delivery_failed(
                    self._telemetry, rejected, batch_size=len(ids), attempts=attempt
                )
                raise rejected from error
            except Exception as error:  # any other sink failure is a failure of the world outside
                self._store.record_attempt(ids)
                delay = next(delays, None)
                if delay is None:
                    reason = (
                        str(error) if isinstance(error, PublicationFailed) else type(error).__name__
                    )
                    failed = PublicationFailed(
                        f"the sink did not take {len(alerts)} incident(s) after "
                        f"{self._delivery.attempts} attempt(s): {reason}",
                        pending=self._store.pending_count(),
                    )
                    observability.delivery_failed(
                        self._telemetry, failed, batch_size=len(ids), attempts=attempt
                    )
                    raise failed from error
                observability.delivery_retried(self._telemetry, len(ids), attempt, delay, error)
                self._sleep(delay)
