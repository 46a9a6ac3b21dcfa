"""The aggregate root: :class:`MonitoringPolicy` owns its rules, their lifecycle and its incidents.

Internal module: import these names from :mod:`service_monitoring`.

All domain truth lives here: which transitions are allowed, which rules may be
active together, when an incident opens and closes. The aggregate knows
nothing about storage, clocks, retries or sinks; it records what changed as
events that the unit of work commits.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from operator import attrgetter
from typing import Final

from .errors import DomainError, InvalidTransition, UnknownRule
from .events import (
    DomainEvent,
    IncidentClosed,
    IncidentOpened,
    RuleActivated,
    RuleAdded,
    RuleRetired,
)
from .model import Alert, MetricSample, RuleHistory, RuleState, ThresholdRule
from .policies import STANDARD_MODES, ModeRegistry, Verdict

__all__ = ["MonitoringPolicy"]

_observed_at: Final = attrgetter("observed_at")
_NO_HISTORY: Final = RuleHistory()
_ALLOWED: Final = {
    (RuleState.DRAFT, RuleState.ACTIVE),
    (RuleState.DRAFT, RuleState.RETIRED),
    (RuleState.ACTIVE, RuleState.RETIRED),
}


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
    >>> policy.activate_rule("latency")
    Traceback (most recent call last):
    ...
    service_monitoring.errors.InvalidTransition: rule 'latency' is active; it cannot become active
    """

    __slots__ = (
        "_active",
        "_events",
        "_history",
        "_modes",
        "_open",
        "_policy_id",
        "_rules",
        "_states",
    )

    def __init__(self, policy_id: str, *, modes: ModeRegistry | None = None) -> None:
        if not isinstance(policy_id, str) or not policy_id or policy_id != policy_id.strip():
            raise DomainError(f"policy_id must be a non-empty string, got {policy_id!r}")
        if modes is not None and not isinstance(modes, ModeRegistry):
            raise DomainError(f"modes must be a ModeRegistry, got {type(modes).__name__}")
        self._policy_id = policy_id
        self._modes = STANDARD_MODES if modes is None else modes
        self._rules: dict[str, ThresholdRule] = {}
        self._states: dict[str, RuleState] = {}
        # metric -> active rules watching it, in activation order: the evaluation index.
        self._active: dict[str, list[ThresholdRule]] = {}
        self._history: dict[str, RuleHistory] = {}
        self._open: dict[str, Alert] = {}
        self._events: list[DomainEvent] = []

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
        return self._states[rule_id]

    def rules(self) -> tuple[ThresholdRule, ...]:
        """Every rule, in the order it was added."""
        return tuple(self._rules.values())

    def active_rules(self) -> tuple[ThresholdRule, ...]:
        """The rules taking part in evaluation."""
        return tuple(
            rule for rule in self._rules.values() if self._states[rule.rule_id] is RuleState.ACTIVE
        )

    def open_incidents(self) -> tuple[Alert, ...]:
        """The incidents currently open, one at most per rule."""
        return tuple(self._open.values())

    def history(self, rule_id: str) -> RuleHistory:
        """What the rule remembers between cycles (empty before its first sample)."""
        self.rule(rule_id)
        return self._history.get(rule_id, _NO_HISTORY)

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
        self._states[rule.rule_id] = RuleState.DRAFT
        self._events.append(RuleAdded(self._policy_id, rule))

    def activate_rule(self, rule_id: str) -> None:
        """Move a draft rule to ``ACTIVE``.

        Two active rules may not watch the same (metric, window, mode).
        """
        rule = self.rule(rule_id)
        self._check_transition(rule_id, RuleState.ACTIVE)
        watching = self._active.setdefault(rule.metric, [])
        for other in watching:
            if other.window == rule.window and other.mode == rule.mode:
                raise DomainError(
                    f"rule {rule_id!r} would watch {rule.metric!r} (window={rule.window}, "
                    f"mode={rule.mode!r}) like active rule {other.rule_id!r}"
                )
        watching.append(rule)
        self._states[rule_id] = RuleState.ACTIVE
        self._events.append(RuleActivated(self._policy_id, rule_id))

    def retire_rule(self, rule_id: str, reason: str) -> None:
        """Retire a rule for good; an incident it holds open is closed."""
        rule = self.rule(rule_id)
        if not isinstance(reason, str) or not reason.strip():
            raise DomainError("retire_rule needs a non-empty reason")
        was = self._check_transition(rule_id, RuleState.RETIRED)
        if was is RuleState.ACTIVE:
            watching = self._active[rule.metric]
            watching.remove(rule)
            if not watching:
                del self._active[rule.metric]
        self._states[rule_id] = RuleState.RETIRED
        self._history.pop(rule_id, None)
        self._events.append(RuleRetired(self._policy_id, rule_id, reason))
        incident = self._open.pop(rule_id, None)
        if incident is not None:
            self._events.append(
                IncidentClosed(self._policy_id, rule_id, incident.incident_id, "rule retired")
            )

    def evaluate(self, samples: Iterable[MetricSample]) -> list[Alert]:
        """Evaluate *samples* against the active rules; return the incidents opened.

        Each rule sees only samples of its metric newer than the newest it has
        already evaluated, so evaluating the same samples twice opens nothing
        the second time. An incident stays open while its rule keeps breaching
        and closes when the newest sample no longer breaches.

        The call is atomic: every verdict is computed before any state changes,
        so a mode that raises leaves the policy as it was.
        """
        buckets: dict[str, list[MetricSample]] = {}
        active = self._active
        try:
            for sample in samples:
                if sample.__class__ is not MetricSample and not isinstance(sample, MetricSample):
                    raise DomainError(
                        f"evaluate takes MetricSample objects, got {type(sample).__name__}"
                    )
                metric = sample.metric
                if metric in active:
                    bucket = buckets.get(metric)
                    if bucket is None:
                        buckets[metric] = [sample]
                    else:
                        bucket.append(sample)
        except TypeError as error:
            raise DomainError(f"evaluate takes an iterable of MetricSample: {error}") from None
        verdicts = self._judge(buckets)
        return self._apply(verdicts)

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
        twin._states = self._states.copy()
        twin._active = {metric: rules.copy() for metric, rules in self._active.items()}
        twin._history = self._history.copy()
        twin._open = self._open.copy()
        twin._events = self._events.copy()
        return twin

    def __repr__(self) -> str:
        active = sum(len(rules) for rules in self._active.values())
        return (
            f"MonitoringPolicy({self._policy_id!r}, rules={len(self._rules)}, "
            f"active={active}, open_incidents={len(self._open)})"
        )

    # -- internals -----------------------------------------------------------------

    def _check_transition(self, rule_id: str, target: RuleState) -> RuleState:
        current = self._states[rule_id]
        if (current, target) not in _ALLOWED:
            raise InvalidTransition(
                f"rule {rule_id!r} is {current.value}; it cannot become {target.value}"
            )
        return current

    def _judge(
        self, buckets: dict[str, list[MetricSample]]
    ) -> list[tuple[ThresholdRule, MetricSample, Verdict]]:
        """Compute every rule's verdict without changing anything."""
        verdicts: list[tuple[ThresholdRule, MetricSample, Verdict]] = []
        history_of = self._history.get
        mode_of = self._modes.get
        for metric, bucket in buckets.items():
            if len(bucket) > 1:
                bucket.sort(key=_observed_at)
            for rule in self._active[metric]:
                history = history_of(rule.rule_id, _NO_HISTORY)
                seen = history.last_observed_at
                fresh = (
                    bucket
                    if seen is None
                    else bucket[bisect_right(bucket, seen, key=_observed_at) :]
                )
                if fresh:
                    verdict = mode_of(rule.mode).evaluate(rule, history, fresh)
                    verdicts.append((rule, fresh[-1], verdict))
        return verdicts

    def _apply(self, verdicts: list[tuple[ThresholdRule, MetricSample, Verdict]]) -> list[Alert]:
        opened: list[Alert] = []
        policy_id = self._policy_id
        for rule, newest, verdict in verdicts:
            rule_id = rule.rule_id
            self._history[rule_id] = RuleHistory(newest.observed_at, verdict.recent)
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

    # -- restoring (used by stores and the codec) -----------------------------------

    @classmethod
    def _restore(
        cls,
        policy_id: str,
        *,
        modes: ModeRegistry | None,
        rules: Iterable[tuple[ThresholdRule, RuleState]],
        history: dict[str, RuleHistory],
        open_incidents: Iterable[Alert],
    ) -> MonitoringPolicy:
        """Rebuild a stored policy without recording events; every rule is re-checked."""
        policy = cls(policy_id, modes=modes)
        for rule, state in rules:
            policy.add_rule(rule)
            if state is RuleState.ACTIVE:
                policy.activate_rule(rule.rule_id)
            elif state is RuleState.RETIRED:
                policy._states[rule.rule_id] = RuleState.RETIRED
        for rule_id, remembered in history.items():
            policy.rule(rule_id)
            policy._history[rule_id] = remembered
        for alert in open_incidents:
            policy.rule(alert.rule_id)
            policy._open[alert.rule_id] = alert
        policy._events.clear()
        return policy
