"""Internal module: the delivery worker, a thread that drains the outbox of its own runtime.

The worker owns a thread, not the runtime it is given (the service owns that). It wakes
every *interval* seconds, or sooner when :meth:`DeliveryWorker.wake` is called (a cycle
opened incidents), and calls :meth:`~service_monitoring.MonitoringRuntime.deliver_pending`,
which applies the :class:`~service_monitoring.DeliveryPolicy` (retries, leases). A sink
failure has been logged by the runtime's telemetry by then, a store failure the worker
reports through the same :class:`~service_monitoring.Telemetry`; either way it notes what
was delivered and tries again at the next wake. :meth:`DeliveryWorker.finish` asks for a last
drain, bounded in time, and stops the thread.

>>> from service_monitoring import MonitoringRuntime
>>> with MonitoringRuntime() as runtime:
...     worker = DeliveryWorker(runtime, interval=60)
...     worker.deliver_once(), worker.pending
(0, ())
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..domain.errors import DeliveryError, StoreUnavailable
from ..runtime import MonitoringRuntime
from ..telemetry.signals import Telemetry

__all__ = ["DeliveryWorker"]

#: Seconds between attempts while a final drain waits for a failing sink.
_DRAIN_PAUSE = 0.2


class DeliveryWorker:
    """Delivers the pending incidents of *runtime* on a thread of its own."""

    def __init__(
        self,
        runtime: MonitoringRuntime,
        *,
        interval: float,
        telemetry: Telemetry | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runtime = runtime
        self._telemetry = Telemetry() if telemetry is None else telemetry
        self._interval = interval
        self._clock = clock
        self._woken = threading.Event()
        self._lock = threading.Lock()
        self._finish_by: float | None = None
        self._delivered = 0
        self._pending: tuple[str, ...] = ()
        self._thread = threading.Thread(target=self._loop, name="serve-delivery", daemon=True)

    @property
    def delivered(self) -> int:
        """Incidents the sink took, across every drain so far."""
        with self._lock:
            return self._delivered

    @property
    def pending(self) -> tuple[str, ...]:
        """The incident ids waiting in the outbox, as of the last drain."""
        with self._lock:
            return self._pending

    @property
    def running(self) -> bool:
        """Whether the worker's thread is alive."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Read what is pending, then start the thread."""
        self._refresh()
        self._thread.start()

    def wake(self) -> None:
        """Drain now rather than at the next interval."""
        self._woken.set()

    def deliver_once(self) -> int:
        """One drain of the outbox; return how many incidents the sink took. Never raises
        for a failure of the sink or the store: both are logged, and the next wake retries."""
        delivered = 0
        try:
            delivered = self._runtime.deliver_pending()
        except DeliveryError as error:  # the runtime's telemetry logged it as delivery.failed
            delivered = error.delivered
        except StoreUnavailable as error:  # locked or unreadable: the next wake tries again
            self._telemetry.store_unavailable(error, operation="deliver")
        with self._lock:
            self._delivered += delivered
        self._refresh()
        return delivered

    def finish(self, seconds: float) -> bool:
        """Drain once more, retrying for up to *seconds* while incidents stay pending, then stop.

        Returns whether the thread ended in time. A thread still inside a slow sink call
        is left behind (it is a daemon thread): its runtime must then not be closed.
        """
        if not self._thread.is_alive():
            return True
        with self._lock:
            self._finish_by = self._clock() + seconds
        self._woken.set()
        # A sink call that began just before the deadline may run past it: allow it a moment.
        self._thread.join(timeout=seconds + 1.0)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            self.deliver_once()  # first at once: a backlog from an earlier run waits no interval
            with self._lock:
                finish_by = self._finish_by
            if finish_by is not None:
                self._last_drain(finish_by)
                return
            self._woken.wait(self._interval)
            self._woken.clear()

    def _last_drain(self, finish_by: float) -> None:
        # It starts after finish() was called, so after the service's last cycle committed.
        self.deliver_once()
        while self.pending and (left := finish_by - self._clock()) > 0:
            self._woken.wait(min(_DRAIN_PAUSE, left))
            self._woken.clear()
            self.deliver_once()

    def _refresh(self) -> None:
        try:
            pending = tuple(e.alert.incident_id for e in self._runtime.pending_deliveries())
        except StoreUnavailable:
            return  # keep the last known list; the next drain reads it again
        with self._lock:
            self._pending = pending
