"""Internal module: cycle deadlines on a monotonic clock, one cycle at a time.

Deadlines follow a fixed grid: the next is the previous plus the interval, so a cycle
that takes a while does not push the grid back. A cycle that runs past its successor's
deadline delays that successor, which then starts at once; the ticks missed meanwhile
are skipped, never queued up. The clock and the wait are injected: a test drives the
schedule with a fake clock and no sleeping.

>>> now = [0.0]
>>> schedule = Schedule(1.0, clock=lambda: now[0])
>>> schedule.deadline, schedule.seconds_left()
(1.0, 1.0)
>>> now[0] = 3.5                      # the cycle due at 1.0 ran until 3.5
>>> schedule.cycle_done()             # ticks at 2.0 passed by; the one at 3.0 runs at once
1
>>> schedule.deadline, schedule.seconds_left()
(3.0, 0.0)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ..domain.errors import DomainError

__all__ = ["Schedule"]


class Schedule:
    """Deadlines every *interval* seconds of *clock*, the first one interval after creation."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int | float)
            or not math.isfinite(interval)
            or interval <= 0
        ):
            raise DomainError(f"interval must be a finite number of seconds > 0, got {interval!r}")
        self._interval = float(interval)
        self._clock = clock
        self._lock = threading.Lock()
        self._deadline = clock() + self._interval
        self._skipped = 0

    @property
    def interval(self) -> float:
        """Seconds between two deadlines."""
        return self._interval

    @property
    def deadline(self) -> float:
        """When the next cycle is due, on the clock's scale."""
        with self._lock:
            return self._deadline

    @property
    def skipped(self) -> int:
        """How many ticks were skipped so far because a cycle overran them."""
        with self._lock:
            return self._skipped

    def seconds_left(self) -> float:
        """Seconds until the next cycle is due; 0.0 when it is due already."""
        return max(0.0, self.deadline - self._clock())

    def cycle_done(self) -> int:
        """Move to the next deadline after a cycle ended; return the ticks skipped.

        The next deadline is the previous one plus the interval. If that moment has
        passed, the deadline becomes the last tick not after now (due at once) and the
        ticks before it are dropped.
        """
        now = self._clock()
        with self._lock:
            deadline = self._deadline + self._interval
            missed = max(0, math.floor((now - deadline) / self._interval))
            self._deadline = deadline + missed * self._interval
            self._skipped += missed
            return missed

    def run(self, cycle: Callable[[], object], wait: Callable[[float], bool]) -> None:
        """Call *cycle* at every deadline until *wait* says stop.

        ``wait(seconds)`` blocks for at most *seconds* and returns ``True`` to stop
        (``threading.Event.wait`` does exactly that); it is also asked, with 0, before
        a cycle that is due at once, so a stop request always wins over the next cycle.
        Cycles never overlap: the next deadline is computed after *cycle* returned.
        """
        while not wait(self.seconds_left()):
            cycle()
            self.cycle_done()
