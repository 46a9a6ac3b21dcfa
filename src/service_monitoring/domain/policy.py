"""The aggregate root: :class:`MonitoringPolicy` owns its rules, their lifecycle and its incidents.

Internal module: import these names from :mod:`service_monitoring`.

All domain truth lives here: which transitions are allowed, which rules may be
active together, when an incident opens and closes. The aggregate knows
nothing about storage, clocks, retries or sinks; it records what changed as
events that the unit of work commits.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Final

from .errors import DomainError, UnknownRule
from .evaluation import group_by_metric, judge
from .events import (
    DomainEvent,
    IncidentClosed,
    IncidentOpened,
    RuleActivated,
    RuleAdded,
    RuleRetired,
)
from .lifecycle import check_transition
from .modes import STANDARD_MODES, ModeRegistry, Verdict
from .reports import Evaluation
from .values import Alert, MetricSample, RuleState, ThresholdRule, check_identifier, to_utc

__all__ = ["MonitoringPolicy"]

_observed_at: Final = attrgetter("observed_at")
_watch_key: Final = attrgetter("mode", "window")


def _metric_and_id(item: tuple[ThresholdRule, Verdict]) -> tuple[str, str]:
    return item[0].metric, item[0].rule_id


class MonitoringPolicy:
    """A named set of rules for one service, and the incidents they opened.

    Rules move ``DRAFT`` → ``ACTIVE`` → ``RETIRED`` (a draft may be retired
    directly). Every accepted change is recorded as an event; a refused change
    raises :class:`~service_monitoring.DomainError` and records nothing.

    >>> from datetime import datetime, timezone
    >>> from service_monitoring import MetricSample, ThresholdRule
    >>> policy = MonitoringPolicy("checkout")
    >>> policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    >>> policy.activate_rule("latency")
    >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> [alert.rule_id for alert in policy.evaluate([MetricSample("http.latency_ms", 320, at)])]
    ['latency']
    >>> policy.activate_rule("latency")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.InvalidTransition: rule 'latency' is active; it cannot
    become active
    """

    __slots__ = (
        "_active",
        "_events",
        "_inactive",
        "_modes",
        "_open",
        "_policy_id",
        "_recent",
        "_revision",
        "_rules",
        "_seen",
    )

    def __init__(self, policy_id: str, *, modes: ModeRegistry | None = None) -> None:
        check_identifier(policy_id, name="policy_id")
        if modes is not None and not isinstance(modes, ModeRegistry):
            raise DomainError(f"modes must be a ModeRegistry, got {type(modes).__name__}")
        self._policy_id = policy_id
        self._modes = STANDARD_MODES if modes is None else modes
        # rule id -> rule, in the order rules were added.
        self._rules: dict[str, ThresholdRule] = {}
        # rule id -> DRAFT or RETIRED; a rule missing here is ACTIVE (no entry to store).
        self._inactive: dict[str, RuleState] = {}
        # metric -> its active rules sorted by (mode, window): the evaluation index.
        # Tuples, not lists: one exact-size allocation per metric (see Module 10).
        self._active: dict[str, tuple[ThresholdRule, ...]] = {}
        # metric -> newest observation already evaluated: the idempotency watermark.
        self._seen: dict[str, datetime] = {}
        # rule id -> samples its mode asked to keep between cycles.
        self._recent: dict[str, tuple[MetricSample, ...]] = {}
        # rule id -> its open incident.
        self._open: dict[str, Alert] = {}
        self._events: list[DomainEvent] = []
        # Counts every change of state, including evaluation progress that records no event.
        self._revision = 0

    # -- reading -------------------------------------------------------------

    @property
    def policy_id(self) -> str:
        """The policy's identity."""
        return self._policy_id

    @property
    def modes(self) -> ModeRegistry:
        """The evaluation modes this policy's rules may use."""
        return self._modes

    def rule(self, rule_id: str) -> ThresholdRule:
        """Return the rule called *rule_id*, or raise :class:`~service_monitoring.UnknownRule`."""
        try:
            return self._rules[rule_id]
        except (KeyError, TypeError):
            raise UnknownRule(f"policy {self._policy_id!r} has no rule {rule_id!r}") from None

    def rule_state(self, rule_id: str) -> RuleState:
        """Return where the rule is in its lifecycle."""
        self.rule(rule_id)
        return self._inactive.get(rule_id, RuleState.ACTIVE)

    def rules(self) -> tuple[ThresholdRule, ...]:
        """Every rule, in the order it was added."""
        return tuple(self._rules.values())

    def active_rules(self) -> tuple[ThresholdRule, ...]:
        """The rules taking part in evaluation, in the order they were added."""
        inactive = self._inactive
        return tuple(rule for rule in self._rules.values() if rule.rule_id not in inactive)

    def open_incidents(self) -> tuple[Alert, ...]:
        """The incidents currently open, one at most per rule."""
        return tuple(self._open.values())

    def last_evaluated(self, metric: str) -> datetime | None:
        """The newest observation of *metric* this policy has evaluated, if any.

        Samples at or before it are skipped, which makes a repeated cycle harmless.
        """
        return self._seen.get(metric) if isinstance(metric, str) else None

    def recent_samples(self, rule_id: str) -> tuple[MetricSample, ...]:
        """The samples the rule's mode kept from earlier cycles."""
        self.rule(rule_id)
        return self._recent.get(rule_id, ())

    @property
    def revision(self) -> int:
        """A counter that grows with every change of this object's state.

        Evaluation that moves a watermark or keeps samples for a mode changes
        state without recording an event; the unit of work compares revisions,
        not events, to decide what to save.
        """
        return self._revision

    @property
    def has_pending_events(self) -> bool:
        """Whether changes are recorded that :meth:`collect_events` has not handed out."""
        return bool(self._events)

    # -- changing --------------------------------------------------------------

    def add_rule(self, rule: ThresholdRule) -> None:
        """Add *rule* as a draft; its mode is checked now, not during a cycle."""
        if not isinstance(rule, ThresholdRule):
            raise DomainError(f"add_rule takes a ThresholdRule, got {type(rule).__name__}")
        if rule.rule_id in self._rules:
            raise DomainError(f"policy {self._policy_id!r} already has a rule {rule.rule_id!r}")
        self._modes.check(rule)
        self._rules[rule.rule_id] = rule
        self._inactive[rule.rule_id] = RuleState.DRAFT
        self._events.append(RuleAdded(self._policy_id, rule))
        self._revision += 1

    def activate_rule(self, rule_id: str) -> None:
        """Move a draft rule to ``ACTIVE``.

        Two active rules may not watch the same (metric, window, mode).
        """
        rule = self.rule(rule_id)
        self._check_transition(rule_id, RuleState.ACTIVE)
        watching = self._active.get(rule.metric, ())
        key = _watch_key(rule)
        at = bisect_left(watching, key, key=_watch_key)
        if at < len(watching) and _watch_key(watching[at]) == key:
            raise DomainError(
                f"rule {rule_id!r} would watch {rule.metric!r} (window={rule.window}, "
                f"mode={rule.mode!r}) like active rule {watching[at].rule_id!r}"
            )
        self._active[rule.metric] = (*watching[:at], rule, *watching[at:])
        del self._inactive[rule_id]
        if not self._inactive:
            self._inactive = {}  # a dict never shrinks on delete; drop the emptied table
        self._events.append(RuleActivated(self._policy_id, rule_id))
        self._revision += 1

    def retire_rule(self, rule_id: str, reason: str) -> None:
        """Retire a rule for good; an incident it holds open is closed."""
        rule = self.rule(rule_id)
        if not isinstance(reason, str) or not reason.strip():
            raise DomainError("retire_rule needs a non-empty reason")
        if self._check_transition(rule_id, RuleState.RETIRED) is RuleState.ACTIVE:
            watching = self._active[rule.metric]
            at = bisect_left(watching, _watch_key(rule), key=_watch_key)
            if len(watching) == 1:
                del self._active[rule.metric]
            else:
                self._active[rule.metric] = (*watching[:at], *watching[at + 1 :])
        self._inactive[rule_id] = RuleState.RETIRED
        self._recent.pop(rule_id, None)
        self._events.append(RuleRetired(self._policy_id, rule_id, reason))
        self._revision += 1
        incident = self._open.pop(rule_id, None)
        if incident is not None:
            self._events.append(
                IncidentClosed(self._policy_id, rule_id, incident.incident_id, "rule retired")
            )

    def evaluate(self, samples: Iterable[MetricSample]) -> list[Alert]:
        """Evaluate *samples* against the active rules; return the incidents opened.

        Only samples newer than the newest already evaluated for their metric
        count, so evaluating the same samples twice opens nothing the second
        time. An incident stays open while its rule keeps breaching and closes
        when the newest sample no longer breaches. :meth:`evaluate_batch` also
        says how many samples were skipped as already evaluated.

        The call is atomic: every verdict is computed before any state changes,
        so a mode that raises leaves the policy as it was.
        """
        return list(self.evaluate_batch(samples).opened)

    def evaluate_batch(self, samples: Iterable[MetricSample]) -> Evaluation:
        """Like :meth:`evaluate`, and count the samples skipped at the watermark."""
        buckets = group_by_metric(samples, self._active)
        newest, verdicts, skipped = judge(
            buckets,
            self._modes,
            seen=self._seen,
            recent=self._recent,
            open_=self._open,
            active=self._active,
        )
        return Evaluation(tuple(self._apply(newest, verdicts)), skipped)

    def reset_watermark(self, metric: str, *, to: datetime | None = None) -> None:
        """Move the evaluation watermark of *metric* back to *to*, or forget it (``None``).

        The recovery for a watermark a wrong clock pushed into the future: samples
        older than it are skipped as already evaluated. The samples the metric's
        modes kept are dropped, so each rule starts its window afresh.
        """
        current = self._seen.get(metric)
        if current is None:
            raise DomainError(f"policy {self._policy_id!r} has no watermark for {metric!r}")
        if to is not None:
            to = to_utc(to, name="to")
            if to > current:
                raise DomainError(f"a watermark only moves back: {to} is after {current}")
            self._seen[metric] = to
        else:
            del self._seen[metric]
        for rule in self._active.get(metric, ()):
            self._recent.pop(rule.rule_id, None)
        self._revision += 1

    def collect_events(self) -> list[DomainEvent]:
        """Hand out the events recorded since the last call, oldest first."""
        events, self._events = self._events, []
        return events

    # -- copying -----------------------------------------------------------------

    def __copy__(self) -> MonitoringPolicy:
        """An independent copy: the containers are new, the immutable values shared.

        A unit of work edits such a copy, so discarding the unit of work
        discards the edit.
        """
        twin = MonitoringPolicy.__new__(MonitoringPolicy)
        twin._policy_id = self._policy_id
        twin._modes = self._modes
        twin._rules = self._rules.copy()
        twin._inactive = self._inactive.copy()
        twin._active = self._active.copy()  # its values are tuples: shared safely
        twin._seen = self._seen.copy()
        twin._recent = self._recent.copy()
        twin._open = self._open.copy()
        twin._events = self._events.copy()
        twin._revision = self._revision
        return twin

    def __repr__(self) -> str:
        return (
            f"MonitoringPolicy({self._policy_id!r}, rules={len(self._rules)}, "
            f"active={len(self._rules) - len(self._inactive)}, "
            f"open_incidents={len(self._open)})"
        )

    # -- internals -----------------------------------------------------------------

    def _restore_incident(self, alert: Alert) -> None:
        """Hold *alert* open again, if this policy could have opened it."""
        if not isinstance(alert, Alert):
            raise DomainError(f"an open incident must be an Alert, got {type(alert).__name__}")
        if alert.policy_id != self._policy_id:
            raise DomainError(
                f"open incident {alert.incident_id!r} belongs to policy {alert.policy_id!r}, "
                f"not {self._policy_id!r}"
            )
        state = self.rule_state(alert.rule_id)
        if state is not RuleState.ACTIVE:
            raise DomainError(
                f"open incident {alert.incident_id!r} names rule {alert.rule_id!r}, which is "
                f"{state.value}; only an active rule holds an incident open"
            )
        if alert.rule_id in self._open:
            raise DomainError(f"rule {alert.rule_id!r} holds two open incidents")
        self._open[alert.rule_id] = alert

    def _check_transition(self, rule_id: str, target: RuleState) -> RuleState:
        current = self._inactive.get(rule_id, RuleState.ACTIVE)
        check_transition(rule_id, current, target)
        return current

    def _apply(
        self, newest: dict[str, datetime], verdicts: list[tuple[ThresholdRule, Verdict]]
    ) -> list[Alert]:
        if newest or verdicts:
            self._revision += 1
        self._seen.update(newest)
        # A fixed order (metric, then rule id) makes events and alerts independent of arrival order.
        verdicts.sort(key=_metric_and_id)
        opened: list[Alert] = []
        policy_id = self._policy_id
        for rule, verdict in verdicts:
            rule_id = rule.rule_id
            if verdict.recent:
                self._recent[rule_id] = verdict.recent
            else:
                self._recent.pop(rule_id, None)
            if verdict.first_breach is not None and rule_id not in self._open:
                alert = Alert.open(policy_id, rule, verdict.first_breach)
                self._open[rule_id] = alert
                self._events.append(IncidentOpened(alert))
                opened.append(alert)
            if not verdict.breaching and rule_id in self._open:
                incident = self._open.pop(rule_id)
                self._events.append(
                    IncidentClosed(policy_id, rule_id, incident.incident_id, "recovered")
                )
        return opened

    # -- rehydration -------------------------------------------------------------

    @classmethod
    def restore(
        cls,
        policy_id: str,
        *,
        rules: Iterable[tuple[ThresholdRule, RuleState]],
        seen: Mapping[str, datetime],
        recent: Mapping[str, tuple[MetricSample, ...]],
        open_incidents: Iterable[Alert],
        modes: ModeRegistry | None = None,
    ) -> MonitoringPolicy:
        """Rebuild a policy from stored state, recording no event.

        The named way back from storage: a store's codec calls it with what it
        saved. Every rule is added again and checked against *modes*, every kept
        sample must name a known rule, and every open incident must belong to
        this policy and to an active rule that holds no other, so stored state
        that breaks an invariant is refused as new input would be.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
        >>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
        >>> policy = MonitoringPolicy.restore(
        ...     "checkout", rules=[(rule, RuleState.ACTIVE)],
        ...     seen={"http.latency_ms": at}, recent={}, open_incidents=[])
        >>> policy.rule_state("latency"), policy.last_evaluated("http.latency_ms") == at
        (<RuleState.ACTIVE: 'active'>, True)
        >>> policy.has_pending_events
        False
        """
        policy = cls(policy_id, modes=modes)
        for rule, state in rules:
            policy.add_rule(rule)
            if state is RuleState.ACTIVE:
                policy.activate_rule(rule.rule_id)
            elif state is RuleState.RETIRED:
                policy._inactive[rule.rule_id] = RuleState.RETIRED
        policy._seen.update(seen)
        for rule_id, samples in recent.items():
            policy.rule(rule_id)
            policy._recent[rule_id] = samples
        for alert in open_incidents:
            policy._restore_incident(alert)
        policy._events.clear()
        return policy
