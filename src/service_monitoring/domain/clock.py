"""The clock: "now" as a function the caller can replace.

Internal module: a clock is any callable returning an aware datetime;
:class:`~service_monitoring.MonitoringRuntime` takes one as ``clock=``.

>>> utc_now().tzinfo
datetime.timezone.utc
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "utc_now"]

#: A function returning the current moment as an aware datetime.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: the current moment in UTC."""
    return datetime.now(UTC)
