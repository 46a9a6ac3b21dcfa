"""Internal module: the service behind ``serve``: its threads, its two runtimes, its shutdown.

:class:`MonitoringService` owns everything it runs, and closes it on the way out (it is a
context manager):

* the HTTP server and its thread, which put samples in a bounded queue;
* the cycle thread, which takes the whole queue at each deadline of a monotonic
  :class:`~service_monitoring.serve.schedule.Schedule` and commits it with
  ``run_cycle(..., deliver=False)`` on the *cycles* runtime;
* the :class:`~service_monitoring.serve.worker.DeliveryWorker`, whose thread delivers the
  outbox through the *deliveries* runtime: a second SQLite connection to the same file,
  with the sink.

The two runtimes are handed over at the call, as a runtime's sink is: the service closes
them. :meth:`MonitoringService.shutdown` runs the sequence: refuse new samples (503), close
the listening socket, run a last cycle on everything accepted and commit it, drain the
outbox for at most ``drain_seconds``, and return a :class:`ServeSummary`.

>>> from service_monitoring import MonitoringPolicy, MonitoringRuntime
>>> from service_monitoring.serve.settings import ServeSettings
>>> cycles, deliveries = MonitoringRuntime(), MonitoringRuntime()
>>> cycles.register_policy(MonitoringPolicy("checkout"))
>>> with MonitoringService(ServeSettings(), "checkout", cycles=cycles,
...                        deliveries=deliveries) as service:
...     service.start()
...     host, port = service.address
...     print(service.shutdown().line())  # doctest: +NORMALIZE_WHITESPACE
serve: stopped; 0 samples accepted, 0 committed, 0 refused (429/503), 1 cycle,
0 delivered, 0 pending
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from ..delivery.payload import alert_document
from ..domain.errors import DomainError, PayloadRejected, StoreUnavailable
from ..domain.values import Alert, MetricSample
from ..intake.samples import PayloadLimits
from ..runtime import MonitoringRuntime
from ..telemetry.signals import Telemetry
from .http_api import IntakeServer
from .intake_queue import Offer, SampleQueue
from .schedule import Schedule
from .settings import HOST, ServeSettings
from .worker import DeliveryWorker

__all__ = ["MonitoringService", "ServeSummary"]

#: How often a waiting thread looks up from a join, so a signal handler can run meanwhile.
_POLL = 0.1


@dataclass(frozen=True, slots=True)
class ServeSummary:
    """What one run of the service did, counted in samples, refusals, cycles and incidents."""

    accepted: int
    committed: int
    refused: int
    cycles: int
    delivered: int
    pending: int
    drained: bool = True
    #: Why the last failed cycle failed (``"Type: message"``), or None if none failed.
    failure: str | None = None

    @property
    def uncommitted(self) -> int:
        """Accepted samples no cycle committed (a store that failed the last cycle)."""
        return self.accepted - self.committed

    def line(self) -> str:
        """The summary ``serve`` prints at exit.

        >>> print(ServeSummary(10, 10, 2, 3, 1, 0).line())  # doctest: +NORMALIZE_WHITESPACE
        serve: stopped; 10 samples accepted, 10 committed, 2 refused (429/503), 3 cycles,
        1 delivered, 0 pending
        """
        late = "" if self.drained else " (delivery still running at the drain deadline)"
        return (
            f"serve: stopped; {_count(self.accepted, 'sample')} accepted, {self.committed} "
            f"committed, {self.refused} refused (429/503), {_count(self.cycles, 'cycle')}, "
            f"{self.delivered} delivered, {self.pending} pending{late}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


class MonitoringService:
    """Serves one policy: intake over HTTP, cycles on a schedule, delivery on a worker."""

    def __init__(
        self,
        settings: ServeSettings,
        policy_id: str,
        *,
        cycles: MonitoringRuntime,
        deliveries: MonitoringRuntime,
        telemetry: Telemetry | None = None,
        limits: PayloadLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(settings, ServeSettings):
            raise DomainError(f"settings must be ServeSettings, got {type(settings).__name__}")
        self._settings = settings
        self._policy_id = policy_id
        self._cycles = cycles
        self._deliveries = deliveries
        self._telemetry = Telemetry() if telemetry is None else telemetry
        self._limits = PayloadLimits() if limits is None else limits
        self._clock = clock
        self._schedule = Schedule(settings.interval, clock=clock)
        self._queue: SampleQueue[MetricSample] = SampleQueue(
            settings.queue_limit, retry_after=self._schedule.seconds_left
        )
        self._worker = DeliveryWorker(
            deliveries, interval=settings.delivery_every, telemetry=self._telemetry, clock=clock
        )
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._committed = 0
        self._cycle_count = 0
        self._last_cycle: float | None = None
        self._failure: str | None = None
        self._open: tuple[Alert, ...] = cycles.open_incidents(policy_id)
        self._server: IntakeServer | None = None
        self._threads: list[threading.Thread] = []
        self._summary: ServeSummary | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._server is not None:
                self.shutdown()
        finally:
            self.close()

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the service listens on (the real port when 0 was asked)."""
        if self._server is None:
            raise DomainError("the service has not started")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Listen (an :class:`OSError` if the port is taken), then start the three threads."""
        if self._server is not None or self._closed:
            raise DomainError("a service starts once")
        self._server = IntakeServer((HOST, self._settings.port), self)
        self._worker.start()
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever, args=(_POLL,), name="serve-http", daemon=True
            ),
            threading.Thread(target=self._cycle_loop, name="serve-cycles", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def shutdown(self) -> ServeSummary:
        """Stop intake, commit what was accepted, drain within the bound; safe to call twice."""
        if self._summary is not None:
            return self._summary
        server = self._server
        if server is None:
            raise DomainError("the service has not started")
        self._queue.close()  # from here on every POST is answered 503
        server.shutdown()
        server.server_close()  # the listening socket closes
        self._stop.set()  # the cycle thread runs its last cycle, then ends
        for thread in self._threads:
            while thread.is_alive():
                thread.join(_POLL)
        drained = self._worker.finish(self._settings.drain_seconds)
        with self._lock:
            committed, cycles, failure = self._committed, self._cycle_count, self._failure
        self._summary = ServeSummary(
            accepted=self._queue.accepted,
            committed=committed,
            refused=self._queue.refused,
            cycles=cycles,
            delivered=self._worker.delivered,
            pending=len(self._worker.pending),
            drained=drained,
            failure=failure,
        )
        return self._summary

    def close(self) -> None:
        """Close both runtimes; the delivery one only once its thread has ended."""
        if self._closed:
            return
        self._closed = True
        try:
            self._cycles.close()
        finally:
            if not self._worker.running:
                self._deliveries.close()

    # -- what the endpoints read and call ------------------------------------------------------

    @property
    def limits(self) -> PayloadLimits:
        """The limits every payload is decoded with."""
        return self._limits

    @property
    def accepting(self) -> bool:
        """False once shutdown has begun."""
        return not self._queue.closed

    @property
    def uncommitted(self) -> int:
        """Samples accepted and not (yet) committed by a cycle."""
        with self._lock:
            return self._queue.accepted - self._committed

    def offer(self, samples: Sequence[MetricSample]) -> Offer:
        """Queue *samples* for the next cycle, or refuse them whole."""
        return self._queue.offer(samples)

    def payload_rejected(self, error: PayloadRejected, peer: str) -> None:
        """Count and log a refused payload, as ``run`` does for a refused file."""
        self._telemetry.payload_rejected(error, source=peer)

    def health(self) -> Mapping[str, object]:
        """The state ``GET /healthz`` reports; ages come from the monotonic clock."""
        with self._lock:
            last = self._last_cycle
        return {
            "status": "ok" if self.accepting else "stopping",
            "queue_depth": self._queue.depth,
            "queue_limit": self._queue.limit,
            "pending_deliveries": len(self._worker.pending),
            "last_cycle_age_seconds": None if last is None else round(self._clock() - last, 3),
        }

    def incidents(self) -> Mapping[str, object]:
        """The open incidents (as ``incidents --json`` prints them) and the pending ids."""
        with self._lock:
            open_now = self._open
        return {
            "open_incidents": [alert_document(alert) for alert in open_now],
            "pending": list(self._worker.pending),
        }

    # -- the cycle thread ----------------------------------------------------------------------

    def _cycle_loop(self) -> None:
        self._schedule.run(self._cycle, self._stop.wait)
        self._cycle()  # the last one, on everything accepted before intake closed

    def _cycle(self) -> None:
        """Commit everything queued; if the cycle fails, put it back for the next one."""
        samples = self._queue.take_all()
        opened = 0
        if samples:
            try:
                report = self._cycles.run_cycle(self._policy_id, samples, deliver=False)
            except Exception as error:  # telemetry logged it (store, conflict, a mode's bug)
                self._queue.put_back(samples)
                with self._lock:
                    self._failure = f"{type(error).__name__}: {error}"
                return
            opened = report.alerts_opened
        try:
            open_now = self._cycles.open_incidents(self._policy_id)
        except StoreUnavailable as error:  # committed all the same; /incidents shows the last view
            self._telemetry.store_unavailable(error, operation="read")
            with self._lock:
                open_now = self._open
        with self._lock:
            self._failure = None
            self._committed += len(samples)
            self._cycle_count += 1
            self._last_cycle = self._clock()
            self._open = open_now
        if opened:
            self._worker.wake()
