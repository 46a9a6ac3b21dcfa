"""Draining the outbox into a sink: batches, retries, and what a failure leaves behind.

Internal module: import :class:`DeliveryPolicy` from :mod:`service_monitoring`;
the runtime owns one :class:`OutboxDelivery` and builds the public error from
its :class:`DeliveryOutcome`.

Retries wrap the one idempotent step, handing a batch to the sink: incident ids
are stable and an entry leaves the outbox only after the sink acknowledged it,
so a batch offered twice is at worst delivered twice, never lost.

>>> from service_monitoring.delivery.sinks import CollectingIncidentSink
>>> from service_monitoring.storage import InMemoryStore
>>> from service_monitoring.telemetry.signals import Telemetry
>>> outbox = OutboxDelivery(InMemoryStore(), CollectingIncidentSink(), DeliveryPolicy(),
...                         telemetry=Telemetry())
>>> outbox.drain()
DeliveryOutcome(delivered=0, failure=None)
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..domain.clock import Clock, utc_now
from ..domain.errors import DeliveryError, DeliveryRejected, DomainError, PublicationFailed
from ..domain.values import Alert
from ..storage.port import LeasingStore, PendingDelivery, Store
from ..telemetry.signals import Telemetry
from .sinks import IncidentSink

__all__ = ["DeliveryFailure", "DeliveryOutcome", "DeliveryPolicy", "OutboxDelivery"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryPolicy:
    """How hard the runtime tries to hand a batch to the sink before reporting failure.

    A batch gets ``attempts`` tries, the pauses between them growing from
    ``first_delay`` by ``backoff``. A sink that asks for a longer pause
    (:attr:`~service_monitoring.DeliveryError.retry_after`, from an HTTP
    ``Retry-After``) gets it, up to ``max_retry_after`` seconds; a sink that asks
    for more is not tried again in this call, and the batch stays pending for a
    later delivery. Each batch is leased to this deliverer for ``lease_seconds``
    (in a store that leases), long enough for all its attempts: another deliverer
    skips it meanwhile, and takes it over if this one dies.

    >>> list(DeliveryPolicy(attempts=3, first_delay=0.5, backoff=2).delays())
    [0.5, 1.0]
    >>> DeliveryPolicy(attempts=0)
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: attempts must be a whole number >= 1, got 0
    """

    attempts: int = 3
    first_delay: float = 0.05
    backoff: float = 2.0
    batch_size: int = 500
    max_retry_after: float = 60.0
    lease_seconds: float = 300.0

    def __post_init__(self) -> None:
        for name in ("attempts", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DomainError(f"{name} must be a whole number >= 1, got {value!r}")
        for name in ("first_delay", "backoff", "max_retry_after", "lease_seconds"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise DomainError(f"{name} must be a finite number >= 0, got {value!r}")

    def delays(self) -> Iterable[float]:
        """The pauses between attempts: one fewer than ``attempts``."""
        delay = float(self.first_delay)
        for _ in range(self.attempts - 1):
            yield delay
            delay *= self.backoff


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """Why a drain stopped: the kind of error to report, its message, and the sink's error."""

    kind: type[DeliveryError]
    message: str
    cause: BaseException


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What one drain did: how many incidents the sink took, and why it stopped early, if it did."""

    delivered: int
    failure: DeliveryFailure | None = None


class OutboxDelivery:
    """Offers pending incidents to one sink, oldest first, in batches, one drain at a time.

    It never raises for a sink failure: :meth:`drain` returns what happened and
    the caller, who knows the rest of the story (the cycle's report, the
    backlog left), builds the error once.
    """

    def __init__(
        self,
        store: Store,
        sink: IncidentSink,
        policy: DeliveryPolicy,
        *,
        telemetry: Telemetry,
        clock: Clock = utc_now,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self._store = store
        self._sink = sink
        self._policy = policy
        self._telemetry = telemetry
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._owner = uuid.uuid4().hex  # this deliverer's name on the leases it takes

    def drain(self) -> DeliveryOutcome:
        """Offer everything pending when the call starts; stop at the first batch that fails.

        Entries another deliverer holds a lease on are left to it.
        """
        with self._lock:
            delivered = 0
            budget = self._store.pending_count()
            while delivered < budget:
                batch = self._claim(min(self._policy.batch_size, budget - delivered))
                if not batch:
                    held = self._store.pending_count()
                    if held:
                        self._telemetry.delivery_leased(held)
                    break
                alerts = [entry.alert for entry in batch]
                ids = [alert.incident_id for alert in alerts]
                failure = self._publish(alerts)
                if failure is not None:
                    if isinstance(self._store, LeasingStore):
                        self._store.release(ids, owner=self._owner)
                    return DeliveryOutcome(delivered, failure)
                self._store.mark_delivered(ids, at=self._clock())
                delivered += len(alerts)
            return DeliveryOutcome(delivered)

    def _claim(self, limit: int) -> list[PendingDelivery]:
        """The next batch: leased to this deliverer where the store can lease."""
        if not isinstance(self._store, LeasingStore):
            return self._store.pending_deliveries(limit)
        now = self._clock()
        until = now + timedelta(seconds=self._policy.lease_seconds)
        return self._store.claim_pending(limit, owner=self._owner, now=now, until=until)

    def _publish(self, alerts: Sequence[Alert]) -> DeliveryFailure | None:
        """Hand one batch to the sink, retrying failures the sink calls retryable."""
        ids = [alert.incident_id for alert in alerts]
        delays = iter(self._policy.delays())
        attempt = 0
        while True:
            attempt += 1
            try:
                self._sink.publish(tuple(alerts))
                return None
            except DeliveryRejected as error:
                self._store.record_attempt(ids)
                return self._failed(
                    DeliveryRejected,
                    f"the sink rejected a batch of {len(alerts)} incident(s): {error}",
                    error,
                    batch_size=len(ids),
                    attempts=attempt,
                )
            except Exception as error:  # any other sink failure is a failure of the world outside
                self._store.record_attempt(ids)
                delay = next(delays, None)
                asked = error.retry_after if isinstance(error, PublicationFailed) else None
                if delay is not None and asked is not None:
                    if asked > self._policy.max_retry_after:
                        return self._failed(
                            PublicationFailed,
                            f"the sink asked to wait {asked:g} s before the next try, more than "
                            f"{self._policy.max_retry_after:g} s: {len(alerts)} incident(s) "
                            "stay pending",
                            error,
                            batch_size=len(ids),
                            attempts=attempt,
                        )
                    delay = max(delay, asked)
                if delay is None:
                    reason = (
                        str(error) if isinstance(error, PublicationFailed) else type(error).__name__
                    )
                    return self._failed(
                        PublicationFailed,
                        f"the sink did not take {len(alerts)} incident(s) after "
                        f"{self._policy.attempts} attempt(s): {reason}",
                        error,
                        batch_size=len(ids),
                        attempts=attempt,
                    )
                self._telemetry.delivery_retried(len(ids), attempt, delay, error)
                self._sleep(delay)

    def _failed(
        self,
        kind: type[DeliveryError],
        message: str,
        cause: BaseException,
        *,
        batch_size: int,
        attempts: int,
    ) -> DeliveryFailure:
        self._telemetry.delivery_failed(
            kind,
            message,
            batch_size=batch_size,
            attempts=attempts,
            pending=self._store.pending_count(),
        )
        return DeliveryFailure(kind, message, cause)
