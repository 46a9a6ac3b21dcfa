"""Internal module: the options of ``serve``, checked once, before anything starts.

Each message names the command-line option it refers to, so the command can print it as is.

>>> ServeSettings(port=8080, interval=0.5).delivery_every
0.5
>>> ServeSettings(interval=0)  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
service_monitoring.domain.errors.DomainError: --interval must be a finite number of seconds > 0,
got 0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from ..domain.errors import DomainError

__all__ = ["HOST", "ServeSettings"]

#: The only address ``serve`` listens on: loopback, never the network.
HOST: Final = "127.0.0.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeSettings:
    """How ``serve`` runs: port (0 picks a free one), cycle interval, queue and drain bounds.

    ``delivery_interval`` of ``None`` means "the cycle interval".
    """

    port: int = 0
    interval: float = 1.0
    queue_limit: int = 10_000
    drain_seconds: float = 5.0
    delivery_interval: float | None = None

    def __post_init__(self) -> None:
        port = self.port
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise DomainError(f"--port must be a whole number from 0 to 65535, got {port!r}")
        limit = self.queue_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise DomainError(f"--queue-limit must be a whole number >= 1, got {limit!r}")
        _seconds("--interval", self.interval, positive=True)
        _seconds("--drain-seconds", self.drain_seconds, positive=False)
        if self.delivery_interval is not None:
            _seconds("--delivery-interval", self.delivery_interval, positive=True)

    @property
    def delivery_every(self) -> float:
        """Seconds between the delivery worker's wakes when nothing wakes it sooner."""
        every = self.interval if self.delivery_interval is None else self.delivery_interval
        return float(every)


def _seconds(option: str, value: object, *, positive: bool) -> None:
    """Refuse *value* unless it is a finite number, > 0 (*positive*) or >= 0."""
    bound = "> 0" if positive else ">= 0"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or (value <= 0 if positive else value < 0)
    ):
        raise DomainError(f"{option} must be a finite number of seconds {bound}, got {value!r}")
