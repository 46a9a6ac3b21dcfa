"""Where published incidents go: the sink protocol and the in-process sinks.

Internal module: import these names from :mod:`service_monitoring`.

A sink receives batches of :class:`~service_monitoring.Alert`. Delivery is
at-least-once: after a failure the runtime offers the same incidents again,
with the same ``incident_id``, so a sink (or whatever is behind it) can drop
what it already has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..domain.values import Alert

__all__ = ["CollectingIncidentSink", "IncidentSink", "close_sink"]


@runtime_checkable
class IncidentSink(Protocol):
    """Anything that takes a batch of alerts.

    Only opened incidents are published. A closed incident is a committed
    event (:class:`~service_monitoring.IncidentClosed`) and disappears from
    :meth:`~service_monitoring.MonitoringRuntime.open_incidents`; it is not
    sent to the sink.

    Raise :class:`~service_monitoring.PublicationFailed` when the batch may be
    offered again later, :class:`~service_monitoring.DeliveryRejected` when it
    never can be. Returning normally acknowledges the whole batch.
    """

    def publish(self, alerts: Sequence[Alert]) -> None:
        """Take delivery of *alerts*."""
        ...


def close_sink(sink: object) -> None:
    """Close *sink* if it has a ``close`` method; a sink without one holds nothing to release.

    >>> class Pager:
    ...     def publish(self, alerts): pass
    ...     def close(self): print("pager closed")
    >>> close_sink(Pager())
    pager closed
    >>> close_sink(CollectingIncidentSink())  # no close(): nothing to do
    """
    close = getattr(sink, "close", None)
    if callable(close):
        close()


class CollectingIncidentSink:
    """A sink that keeps every batch it received, in order: for tests and demos.

    >>> sink = CollectingIncidentSink()
    >>> sink.publish([])
    >>> sink.batches, sink.alerts
    ([()], ())
    """

    def __init__(self) -> None:
        self.batches: list[tuple[Alert, ...]] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.batches.append(tuple(alerts))

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Every alert received, across batches, in delivery order."""
        return tuple(alert for batch in self.batches for alert in batch)

    def __repr__(self) -> str:
        return f"CollectingIncidentSink(batches={len(self.batches)}, alerts={len(self.alerts)})"
