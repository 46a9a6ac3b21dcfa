"""Preparing a batch of samples for evaluation: checked, sorted, grouped by metric.

Internal module: :meth:`~service_monitoring.MonitoringPolicy.evaluate` calls
:func:`group_by_metric`; the grouping is the hot loop of a cycle, so it is kept
apart from the aggregate's rules and measured in Module 10.

>>> from datetime import datetime, timezone
>>> from service_monitoring import MetricSample
>>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
>>> batch = [MetricSample("cpu", 0.9, at), MetricSample("disk", 0.5, at)]
>>> {metric: len(group) for metric, group in group_by_metric(batch, {"cpu"}).items()}
{'cpu': 1}
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from operator import attrgetter
from typing import Final

from .errors import DomainError
from .values import MetricSample

__all__ = ["group_by_metric"]

_observed_at: Final = attrgetter("observed_at")


def group_by_metric(
    samples: Iterable[MetricSample], watched: Collection[str]
) -> dict[str, list[MetricSample]]:
    """Group the samples whose metric is in *watched*, each group in time order.

    Anything but an iterable of :class:`~service_monitoring.MetricSample` is
    refused with a :class:`~service_monitoring.DomainError` before any work.
    """
    try:
        batch = samples if isinstance(samples, list | tuple) else list(samples)
    except TypeError:
        raise DomainError(
            f"evaluate takes an iterable of MetricSample, got {type(samples).__name__}"
        ) from None
    for kind in set(map(type, batch)):  # checked per type, in C, not per sample
        if not issubclass(kind, MetricSample):
            raise DomainError(f"evaluate takes MetricSample objects, got {kind.__name__}")
    # One stable sort of the whole batch (cheap when it arrives in time order, as it
    # usually does) leaves every group in time order.
    batch = sorted(batch, key=_observed_at)
    if len(batch) < len(watched):  # a few samples: touch only the metrics they name
        groups: dict[str, list[MetricSample]] = {}
        for sample in batch:
            if sample.metric in watched:
                groups.setdefault(sample.metric, []).append(sample)
        return groups
    # Many samples: one list per watched metric up front, so the loop is a single
    # C-level get-and-append per sample; unwatched samples fall into a deque that
    # keeps nothing.
    groups = {metric: [] for metric in watched}
    get, discard = groups.get, deque[MetricSample](maxlen=0)
    for sample in batch:
        get(sample.metric, discard).append(sample)
    return {metric: group for metric, group in groups.items() if group}
