"""Evaluating a batch of samples, without changing anything: group, then judge.

Internal module: :meth:`~service_monitoring.MonitoringPolicy.evaluate_batch`
calls :func:`group_by_metric` and :func:`judge` with its own state, then applies
the verdicts itself. Both functions only read; the aggregate alone changes its
state, after every verdict is known, so a mode that raises changes nothing.
The grouping is the hot loop of a cycle (measured in Module 10).

>>> from datetime import datetime, timezone
>>> from service_monitoring import MetricSample
>>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
>>> batch = [MetricSample("cpu", 0.9, at), MetricSample("disk", 0.5, at)]
>>> {metric: len(group) for metric, group in group_by_metric(batch, {"cpu"}).items()}
{'cpu': 1}
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Final

from .errors import DomainError
from .modes import ModeRegistry, Verdict
from .values import Alert, MetricSample, ThresholdRule

__all__ = ["Judgement", "group_by_metric", "held_open", "judge"]

_observed_at: Final = attrgetter("observed_at")
_value: Final = attrgetter("value")

#: The newest observation per metric, the verdicts worth applying, the samples skipped.
Judgement = tuple[dict[str, datetime], list[tuple[ThresholdRule, Verdict]], int]


def _skippable(mode: object) -> bool:
    return getattr(mode, "breaches_only_above_threshold", False) is True


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


def held_open(rule: ThresholdRule, newest: MetricSample) -> bool:
    """Whether *rule*'s open incident stays open at *newest*, though the rule stopped breaching.

    That is hysteresis: with a ``clear_threshold`` the incident closes only once a
    sample falls below it. A rule without one closes as soon as it stops breaching.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical", clear_threshold=200)
    >>> held_open(rule, MetricSample("http.latency_ms", 240, at))
    True
    >>> held_open(rule, MetricSample("http.latency_ms", 180, at))
    False
    """
    return rule.clear_threshold is not None and newest.value >= rule.clear_threshold


def judge(
    buckets: Mapping[str, list[MetricSample]],
    modes: ModeRegistry,
    *,
    seen: Mapping[str, datetime],
    recent: Mapping[str, tuple[MetricSample, ...]],
    open_: Mapping[str, Alert],
    active: Mapping[str, tuple[ThresholdRule, ...]],
) -> Judgement:
    """Compute every verdict for *buckets*, and count the samples skipped; change nothing.

    *seen* holds each metric's watermark, *recent* what each rule's mode kept,
    *open_* each rule's open incident and *active* each metric's active rules.
    A mode that keeps more samples than its rule's window is refused: the
    state a rule keeps is bounded by ``window``. An open incident whose rule
    stopped breaching stays open while :func:`held_open` says so.
    """
    newest: dict[str, datetime] = {}
    skipped = 0
    verdicts: list[tuple[ThresholdRule, Verdict]] = []
    by_name = modes.as_mapping()
    # Modes that promised no breach at or below the threshold (see EvaluationMode).
    quiet_below = {name for name, mode in by_name.items() if _skippable(mode)}
    for metric, bucket in buckets.items():
        last = seen.get(metric)
        if last is not None and bucket[0].observed_at <= last:
            fresh = bisect_right(bucket, last, key=_observed_at)
            skipped += fresh
            bucket = bucket[fresh:]
            if not bucket:
                continue
        newest[metric] = bucket[-1].observed_at
        peak = max(map(_value, bucket))  # once per metric, shared by its rules
        for rule in active[metric]:
            rule_id = rule.rule_id
            if (
                peak <= rule.threshold
                and rule.mode in quiet_below
                and rule_id not in recent
                and rule_id not in open_
            ):
                continue  # a quiet rule with no state: its verdict is known
            kept = recent.get(rule_id, ())
            verdict = by_name[rule.mode].evaluate(rule, kept, bucket)
            if len(verdict.recent) > rule.window:
                raise DomainError(
                    f"mode {rule.mode!r} kept {len(verdict.recent)} samples for rule "
                    f"{rule_id!r}; a mode keeps at most the rule's window ({rule.window})"
                )
            if rule_id in open_ and not verdict.breaching and held_open(rule, bucket[-1]):
                verdict = Verdict(verdict.first_breach, True, verdict.recent)
            if verdict.first_breach is not None or verdict.recent or kept or rule_id in open_:
                verdicts.append((rule, verdict))
    return newest, verdicts, skipped
