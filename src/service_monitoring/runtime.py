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
  logged where the runtime handles it (see :mod:`service_monitoring.telemetry.signals`).

The delivery loop itself lives in :mod:`service_monitoring.delivery.outbox`; the
runtime owns one and turns what it reports into the public error, once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import datetime
from os import PathLike
from types import TracebackType
from typing import NoReturn, Self, TypeVar

from .delivery.outbox import DeliveryOutcome, DeliveryPolicy, OutboxDelivery
from .delivery.sinks import CollectingIncidentSink, IncidentSink, close_sink
from .domain.clock import Clock, utc_now
from .domain.errors import (
    ConcurrencyConflict,
    DomainError,
    PolicyNotFound,
    StoreUnavailable,
)
from .domain.modes import STANDARD_MODES, ModeRegistry
from .domain.policy import MonitoringPolicy
from .domain.reports import CycleReport
from .domain.values import Alert, MetricSample
from .storage.memory import InMemoryStore
from .storage.port import PendingDelivery, Store
from .storage.sqlite import SqliteStore
from .storage.unit_of_work import StoreUnitOfWork
from .telemetry.signals import Telemetry

__all__ = ["MonitoringRuntime"]

_T = TypeVar("_T")


class MonitoringRuntime:
    """The facade: register policies, change rules, run cycles, deliver incidents.

    ``database=None`` keeps everything in memory; a path keeps it in a SQLite
    file (created on first use). ``read_only=True`` opens an existing database
    of this package read-only, for queries: every change is then refused with
    :class:`~service_monitoring.StoreUnavailable`. Without a *sink*, incidents
    go to a :class:`~service_monitoring.CollectingIncidentSink`.

    Ownership: the runtime opens its store and closes it in :meth:`close`.
    A sink handed to the constructor is handed over too: :meth:`close` calls
    its ``close()`` if it has one, and so does a constructor that fails. To
    share one sink between runtimes, give each a small adapter without
    ``close()``. Metrics, spans and
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
        read_only: bool = False,
    ) -> None:
        try:
            if sink is not None and not isinstance(sink, IncidentSink):
                raise DomainError(
                    f"sink must have a publish(alerts) method, got {type(sink).__name__}"
                )
            if modes is not None and not isinstance(modes, ModeRegistry):
                raise DomainError(f"modes must be a ModeRegistry, got {type(modes).__name__}")
            if clock is not None and not callable(clock):
                raise DomainError(f"clock must be callable, got {type(clock).__name__}")
            if delivery is not None and not isinstance(delivery, DeliveryPolicy):
                raise DomainError(
                    f"delivery must be a DeliveryPolicy, got {type(delivery).__name__}"
                )
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
            if not isinstance(read_only, bool):
                raise DomainError(f"read_only must be True or False, got {read_only!r}")
            if read_only and database is None:
                raise DomainError(
                    "read_only needs a database: an in-memory runtime has nothing to read"
                )
            self._telemetry = Telemetry() if telemetry is None else telemetry
            self._modes = STANDARD_MODES if modes is None else modes
            self._clock: Clock = utc_now if clock is None else clock
            self._conflict_attempts = conflict_attempts
            self._sink: IncidentSink = CollectingIncidentSink() if sink is None else sink
            try:
                self._store: Store = (
                    InMemoryStore()
                    if database is None
                    else SqliteStore(database, modes=self._modes, read_only=read_only)
                )
            except StoreUnavailable as error:
                self._telemetry.store_unavailable(error, operation="open")
                raise
            self._outbox = OutboxDelivery(
                self._store,
                self._sink,
                DeliveryPolicy() if delivery is None else delivery,
                telemetry=self._telemetry,
                clock=self._clock,
                sleep=sleep,
            )
            self._closed = False
        except BaseException:
            # The sink was handed over at the call: a runtime that never came to be closes it.
            with suppress(Exception):  # the constructor's own error is the one to report
                close_sink(sink)
            raise

    # -- ownership -------------------------------------------------------------------

    def __enter__(self) -> Self:
        """Enter an open runtime; a closed one is refused here, as a closed file is."""
        self._check_open()
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
            close_sink(self._sink)

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
        return StoreUnitOfWork(self._store, clock=self._clock)

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

    def reset_watermark(self, policy_id: str, metric: str, *, to: datetime | None = None) -> None:
        """Move one metric's evaluation watermark back to *to*, or forget it (``None``).

        See :meth:`MonitoringPolicy.reset_watermark`: the recovery for a watermark
        that a sample from a clock running ahead pushed into the future.
        """
        self._change(policy_id, lambda policy: policy.reset_watermark(metric, to=to))

    def run_cycle(
        self, policy_id: str, samples: Iterable[MetricSample], *, deliver: bool = True
    ) -> CycleReport:
        """Evaluate *samples*, commit the incidents opened, then deliver the outbox.

        Incidents left pending by an earlier failed delivery are offered first.
        If the sink fails, the cycle is still committed and the incidents stay
        pending; the error raised carries the :class:`CycleReport` as ``report``.

        ``deliver=False`` commits the incidents and their outbox entries and
        returns the report without offering anything to the sink: they wait,
        pending, for :meth:`deliver_pending` (``service-monitoring serve``
        delivers from another thread that way). Such a cycle never raises a
        :class:`~service_monitoring.DeliveryError`.
        """
        self._check_open()
        if not isinstance(deliver, bool):
            raise DomainError(f"deliver must be True or False, got {deliver!r}")
        try:
            batch = list(samples)
        except TypeError:
            raise DomainError(
                f"samples must be an iterable of MetricSample, got {type(samples).__name__}"
            ) from None
        with self._telemetry.cycle(policy_id, len(batch)) as committed:
            if not self._store.exists(policy_id):  # before touching anyone else's backlog
                raise PolicyNotFound(f"no policy {policy_id!r} is stored")
            waiting = deliver and self._store.pending_count()
            backlog = self._outbox.drain() if waiting else DeliveryOutcome(0)
            evaluation = self._change(policy_id, lambda policy: policy.evaluate_batch(batch))
            opened = evaluation.opened
            fresh = self._outbox.drain() if deliver and opened and backlog.failure is None else None
            published = backlog.delivered + (0 if fresh is None else fresh.delivered)
            view = self._store.view(policy_id)
            report = CycleReport(
                policy_id=policy_id,
                samples_evaluated=len(batch) - evaluation.skipped,
                alerts=opened,
                alerts_published=published,
                active_rule_count=len(view.active_rules),
                open_incident_count=len(view.open_incidents),
                pending_deliveries=self._store.pending_count(),
                samples_skipped=evaluation.skipped,
            )
            committed(report)
            failed = backlog if fresh is None or backlog.failure is not None else fresh
            if failed.failure is not None:
                self._raise(failed, delivered=published, report=report)
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
        outcome = self._outbox.drain()
        if outcome.failure is not None:
            self._raise(outcome, delivered=outcome.delivered, report=None)
        return outcome.delivered

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

    def pending_count(self) -> int:
        """How many incidents wait in the outbox, counted by the store without reading them."""
        self._check_open()
        return self._store.pending_count()

    def rebuild_read_models(self, policy_id: str) -> None:
        """Throw away one policy's read model and project it again from its events."""
        self._check_open()
        self._store.rebuild_view(policy_id)

    # -- internals ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable("the runtime is closed")

    def _raise(
        self, outcome: DeliveryOutcome, *, delivered: int, report: CycleReport | None
    ) -> NoReturn:
        """Raise the delivery error of *outcome*, built once with every fact it reports."""
        failure = outcome.failure
        assert failure is not None
        raise failure.kind(
            failure.message,
            pending=self._store.pending_count(),
            delivered=delivered,
            report=report,
        ) from failure.cause

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
                self._telemetry.conflict_retried(policy_id, attempt)
        raise AssertionError("unreachable")  # pragma: no cover
