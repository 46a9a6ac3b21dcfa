"""Evaluation modes behind one protocol, and the registry that is the extension point.

Internal module: import these names from :mod:`service_monitoring`.

A mode decides what "breach" means for a rule. The aggregate owns *which*
samples a rule sees (only ones newer than anything it evaluated before, in
time order); a mode only judges them. New modes are added by building a
registry that contains them -- the model is never edited:

>>> from service_monitoring import STANDARD_MODES
>>> STANDARD_MODES.names()
('threshold', 'consecutive', 'rate_of_change')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from .errors import DomainError
from .values import MetricSample, ThresholdRule

__all__ = [
    "STANDARD_MODES",
    "ConsecutiveMode",
    "EvaluationMode",
    "ModeRegistry",
    "RateOfChangeMode",
    "ThresholdMode",
    "Verdict",
]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A mode's judgement of one rule over the new samples of one cycle.

    ``first_breach`` is the earliest sample at which the rule breached (the
    observation an incident is opened for), ``breaching`` whether it is still
    breaching at the newest sample, and ``recent`` the samples the mode wants
    back next cycle (``()`` if it needs none).
    """

    first_breach: MetricSample | None
    breaching: bool
    recent: tuple[MetricSample, ...] = ()


@runtime_checkable
class EvaluationMode(Protocol):
    """What every evaluation mode provides.

    ``check_rule`` runs when a rule is added to a policy, so a rule a mode
    cannot evaluate is refused up front and never discovered in the middle
    of a cycle.

    A mode may also set a class attribute ``breaches_only_above_threshold =
    True`` to promise that no sample at or below the rule's threshold can make
    it breach. The policy then skips calling it when a batch's highest value is
    at or below the threshold and the rule carries no state: an optimisation
    that changes no verdict. ``evaluate`` receives *recent* -- the samples it asked to keep
    in its last :class:`Verdict` -- and the samples of the rule's metric that
    the policy has not evaluated before, oldest first, never empty.
    """

    @property
    def name(self) -> str:
        """The name rules use in ``ThresholdRule(mode=...)``."""
        ...

    def check_rule(self, rule: ThresholdRule) -> None:
        """Raise :class:`~service_monitoring.DomainError` if *rule* does not suit this mode."""
        ...

    def evaluate(
        self,
        rule: ThresholdRule,
        recent: tuple[MetricSample, ...],
        samples: Sequence[MetricSample],
    ) -> Verdict:
        """Judge *samples* for *rule*, given the *recent* samples it kept."""
        ...


_value = attrgetter("value")
_QUIET = Verdict(None, False)


class ThresholdMode:
    """Breach when a single sample is above the threshold (``window`` must be 1).

    >>> from datetime import datetime, timezone
    >>> from service_monitoring import MetricSample, ThresholdRule
    >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> rule = ThresholdRule("hot", "cpu", 0.9, "warning")
    >>> ThresholdMode().evaluate(rule, (), [MetricSample("cpu", 0.95, at)]).breaching
    True
    """

    name = "threshold"
    breaches_only_above_threshold = True

    def check_rule(self, rule: ThresholdRule) -> None:
        if rule.window != 1:
            raise DomainError(
                f"rule {rule.rule_id!r}: mode 'threshold' takes window=1, got {rule.window}"
            )

    def evaluate(
        self,
        rule: ThresholdRule,
        recent: tuple[MetricSample, ...],
        samples: Sequence[MetricSample],
    ) -> Verdict:
        limit = rule.threshold
        # The common case -- nothing breached -- is decided by max() in C.
        if max(map(_value, samples)) <= limit:
            return _QUIET
        first = next(sample for sample in samples if sample.value > limit)
        return Verdict(first, samples[-1].value > limit)


class ConsecutiveMode:
    """Breach when the last ``window`` samples, across cycles, are all above the threshold.

    >>> from datetime import datetime, timedelta, timezone
    >>> from service_monitoring import MetricSample, ThresholdRule
    >>> start = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> samples = [MetricSample("cpu", v, start + timedelta(minutes=i))
    ...            for i, v in enumerate([0.95, 0.5, 0.95, 0.96, 0.97])]
    >>> rule = ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="consecutive")
    >>> verdict = ConsecutiveMode().evaluate(rule, (), samples)
    >>> verdict.first_breach.value, verdict.breaching
    (0.97, True)
    """

    name = "consecutive"
    breaches_only_above_threshold = True

    def check_rule(self, rule: ThresholdRule) -> None:
        if rule.window < 2:
            raise DomainError(
                f"rule {rule.rule_id!r}: mode 'consecutive' needs window >= 2, got {rule.window}"
            )

    def evaluate(
        self,
        rule: ThresholdRule,
        recent: tuple[MetricSample, ...],
        samples: Sequence[MetricSample],
    ) -> Verdict:
        limit, window = rule.threshold, rule.window
        if not recent and max(map(_value, samples)) <= limit:
            return _QUIET  # the common case, decided in C: no breach, no run to carry
        run = len(recent)  # what the mode keeps is exactly the current breaching run
        first = None
        for sample in samples:
            run = run + 1 if sample.value > limit else 0
            if run >= window and first is None:
                first = sample
        # Keep only the breaching tail that a later sample could extend.
        series = (*recent, *samples)
        kept = series[len(series) - min(run, window - 1) :] if run else ()
        return Verdict(first, run >= window, kept)


class RateOfChangeMode:
    """Breach when the metric rises faster than ``threshold`` units per second.

    The rate is measured between each sample and the one ``window`` samples
    before it (across cycles).

    >>> from datetime import datetime, timedelta, timezone
    >>> from service_monitoring import MetricSample, ThresholdRule
    >>> start = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> samples = [MetricSample("queue.depth", v, start + timedelta(seconds=10 * i))
    ...            for i, v in enumerate([100, 120, 400])]
    >>> rule = ThresholdRule("surge", "queue.depth", 5, "critical", mode="rate_of_change")
    >>> RateOfChangeMode().evaluate(rule, (), samples).first_breach.value
    400.0
    """

    name = "rate_of_change"

    def check_rule(self, rule: ThresholdRule) -> None:
        """Every window of at least one interval is acceptable; a clear threshold is not.

        ``clear_threshold`` is compared with sample values, and this mode's threshold
        is a rate, so the two cannot be mixed.
        """
        if rule.clear_threshold is not None:
            raise DomainError(
                f"rule {rule.rule_id!r}: mode 'rate_of_change' compares rates, so it takes "
                "no clear_threshold (a clear threshold is compared with values)"
            )

    def evaluate(
        self,
        rule: ThresholdRule,
        recent: tuple[MetricSample, ...],
        samples: Sequence[MetricSample],
    ) -> Verdict:
        limit, window = rule.threshold, rule.window
        series = (*recent, *samples)
        start = len(recent)
        first = None
        breaching = False
        for index in range(max(start, window), len(series)):
            newer, older = series[index], series[index - window]
            seconds = (newer.observed_at - older.observed_at).total_seconds()
            breaching = seconds > 0 and (newer.value - older.value) / seconds > limit
            if breaching and first is None:
                first = newer
        return Verdict(first, breaching, series[-window:])


class ModeRegistry:
    """The evaluation modes a policy may use, by name: the extension point.

    A frozen registry refuses new entries; :meth:`extended` returns a new
    registry with more modes, leaving the original as it was.

    >>> class Below:
    ...     name = "below"
    ...     def check_rule(self, rule): pass
    ...     def evaluate(self, rule, recent, samples):
    ...         first = next((s for s in samples if s.value < rule.threshold), None)
    ...         return Verdict(first, samples[-1].value < rule.threshold)
    >>> modes = STANDARD_MODES.extended(Below())
    >>> modes.names()
    ('threshold', 'consecutive', 'rate_of_change', 'below')
    >>> STANDARD_MODES.register(Below())  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: this registry is frozen; use extended() to
    add 'below'
    """

    __slots__ = ("_frozen", "_modes")

    def __init__(self, modes: Iterable[EvaluationMode] = (), *, frozen: bool = False) -> None:
        self._modes: dict[str, EvaluationMode] = {}
        self._frozen = False
        for mode in modes:
            self.register(mode)
        self._frozen = frozen

    def register(self, mode: EvaluationMode) -> None:
        """Add *mode*; its name must be new to this registry."""
        if not isinstance(mode, EvaluationMode):
            raise DomainError(
                f"an evaluation mode needs name, check_rule and evaluate; got {type(mode).__name__}"
            )
        name = mode.name
        if self._frozen:
            raise DomainError(f"this registry is frozen; use extended() to add {name!r}")
        if name in self._modes:
            raise DomainError(f"mode {name!r} is already registered")
        probe = ThresholdRule("probe", "probe", 0, "warning", mode=name)  # validates the name
        del probe
        self._modes[name] = mode

    def extended(self, *modes: EvaluationMode) -> ModeRegistry:
        """Return a new, unfrozen registry with these modes added."""
        return ModeRegistry((*self._modes.values(), *modes))

    def get(self, name: str) -> EvaluationMode:
        """Return the mode called *name*, or raise :class:`DomainError` naming the known ones."""
        try:
            return self._modes[name]
        except (KeyError, TypeError):
            known = ", ".join(self._modes)
            raise DomainError(f"unknown evaluation mode {name!r}; known modes: {known}") from None

    def check(self, rule: ThresholdRule) -> EvaluationMode:
        """Return the mode for *rule* after checking that the rule suits it."""
        mode = self.get(rule.mode)
        mode.check_rule(rule)
        return mode

    def as_mapping(self) -> Mapping[str, EvaluationMode]:
        """A read-only view of the registry by name (what a hot loop indexes)."""
        return MappingProxyType(self._modes)

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order."""
        return tuple(self._modes)

    def __copy__(self) -> ModeRegistry:
        """A frozen registry is its own copy; an open one copies its table of modes.

        >>> import copy
        >>> original = ModeRegistry()
        >>> twin = copy.copy(original)
        >>> twin.register(STANDARD_MODES.get("threshold"))
        >>> "threshold" in twin, "threshold" in original
        (True, False)
        >>> copy.copy(STANDARD_MODES) is STANDARD_MODES
        True
        """
        if self._frozen:
            return self
        return ModeRegistry(self._modes.values())

    def __contains__(self, name: object) -> bool:
        return name in self._modes

    def __repr__(self) -> str:
        return f"ModeRegistry({', '.join(self._modes)})"


#: The built-in modes. Frozen: extend it with :meth:`ModeRegistry.extended`.
STANDARD_MODES = ModeRegistry((ThresholdMode(), ConsecutiveMode(), RateOfChangeMode()), frozen=True)
