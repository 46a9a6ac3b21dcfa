"""Internal module: the bounded queue between the HTTP intake and the cycles.

The limit counts samples, not requests: a batch is taken whole or refused whole, and
refused when the samples already waiting plus the batch would pass the limit. A
refusal says why (:class:`Refusal`) and, for a full queue, how many seconds to wait
before trying again. After :meth:`SampleQueue.close` everything is refused, and what
was accepted before stays for the last :meth:`SampleQueue.take_all`.

>>> queue = SampleQueue(3, retry_after=lambda: 0.2)
>>> queue.offer(["a", "b"])
Offer(refusal=None, depth=2, retry_after=0)
>>> queue.offer(["c", "d"])
Offer(refusal=<Refusal.FULL: 'full'>, depth=2, retry_after=1)
>>> queue.take_all(), queue.depth
(['a', 'b'], 0)
>>> queue.close()
>>> queue.offer(["e"]).refusal
<Refusal.CLOSED: 'closed'>
"""

from __future__ import annotations

import enum
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain.errors import DomainError

__all__ = ["Offer", "Refusal", "SampleQueue"]

_T = TypeVar("_T")


class Refusal(enum.Enum):
    """Why a batch was not taken."""

    FULL = "full"  # try again after retry_after seconds
    CLOSED = "closed"  # the service is stopping
    TOO_LARGE = "too large"  # the batch alone is more than the whole queue holds


@dataclass(frozen=True, slots=True)
class Offer:
    """The answer to one offer: taken (``refusal is None``) or refused, and the depth after it."""

    refusal: Refusal | None
    depth: int
    retry_after: int = 0

    @property
    def accepted(self) -> bool:
        """Whether the batch was taken."""
        return self.refusal is None


class SampleQueue(Generic[_T]):
    """At most *limit* items waiting; thread-safe. *retry_after* gives seconds to the next take."""

    def __init__(self, limit: int, *, retry_after: Callable[[], float] = lambda: 1.0) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise DomainError(f"the queue limit must be a whole number >= 1, got {limit!r}")
        self._limit = limit
        self._retry_after = retry_after
        self._lock = threading.Lock()
        self._items: list[_T] = []
        self._closed = False
        self._accepted = 0
        self._refused = 0

    @property
    def limit(self) -> int:
        """How many items may wait at once."""
        return self._limit

    @property
    def depth(self) -> int:
        """How many items wait now."""
        with self._lock:
            return len(self._items)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        with self._lock:
            return self._closed

    @property
    def accepted(self) -> int:
        """Items taken by :meth:`offer` so far."""
        with self._lock:
            return self._accepted

    @property
    def refused(self) -> int:
        """Offers refused because the queue was full or closed (not those too large)."""
        with self._lock:
            return self._refused

    def offer(self, batch: Sequence[_T]) -> Offer:
        """Take the whole *batch*, or refuse it whole."""
        with self._lock:
            depth = len(self._items)
            if self._closed:
                self._refused += 1
                return Offer(Refusal.CLOSED, depth)
            if len(batch) > self._limit:
                return Offer(Refusal.TOO_LARGE, depth)
            if depth + len(batch) > self._limit:
                self._refused += 1
                return Offer(Refusal.FULL, depth, self._seconds_to_retry())
            self._items.extend(batch)
            self._accepted += len(batch)
            return Offer(None, len(self._items))

    def take_all(self) -> list[_T]:
        """Everything waiting, oldest first; the queue is empty afterwards."""
        with self._lock:
            items, self._items = self._items, []
            return items

    def put_back(self, items: Sequence[_T]) -> None:
        """Return *items* taken earlier to the front, even past the limit (they were accepted).

        While the queue holds more than its limit, every offer is refused as full, so
        what waits stays bounded by the limit plus one taken batch.
        """
        with self._lock:
            self._items[:0] = items

    def close(self) -> None:
        """Refuse every later offer; what waits stays for :meth:`take_all`."""
        with self._lock:
            self._closed = True

    def _seconds_to_retry(self) -> int:
        """Whole seconds until the next take, rounded up, at least 1."""
        seconds = self._retry_after()
        return max(1, math.ceil(seconds)) if math.isfinite(seconds) else 1
