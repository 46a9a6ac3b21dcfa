"""Hypothesis strategies that draw only valid domain objects.

Internal module: import these strategies from the public
:mod:`service_monitoring.testing` namespace.

Every object drawn here passed its own constructor's checks: ids are printable,
samples are finite and timezone-aware, a rule's window suits its standard mode,
and a policy's rules are accepted by its registry. Keyword arguments pin what a
test cares about (a metric, a mode, a window) and leave the rest to Hypothesis.

>>> from hypothesis import given
>>> @given(rules(metric="cpu", mode="consecutive"))
... def test_rule(rule):
...     assert rule.metric == "cpu" and rule.window >= 2
>>> test_rule()
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from hypothesis import strategies as st

from ..domain.errors import DomainError
from ..domain.modes import STANDARD_MODES, ModeRegistry
from ..domain.policy import MonitoringPolicy
from ..domain.values import Alert, MetricSample, Severity, ThresholdRule, check_identifier

__all__ = ["alerts", "identifiers", "policies", "rules", "sample_series", "samples"]

#: The first moment a drawn sample may carry; samples of a series follow it.
EPOCH: Final = datetime(2026, 1, 1, tzinfo=UTC)
_LAST: Final = datetime(2030, 1, 1)  # naive, as st.datetimes wants its bounds
_MAX_DRAWN_WINDOW: Final = 10

_numbers = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
)


def identifiers() -> st.SearchStrategy[str]:
    """Ids and metric names: 1 to 40 printable characters, none of them whitespace.

    >>> from hypothesis import given
    >>> @given(identifiers())
    ... def test_id(name):
    ...     assert name.isprintable() and name == name.strip()
    >>> test_id()
    """
    letters = st.characters(categories=("L", "N", "P", "S"))
    return st.text(letters, min_size=1, max_size=40).filter(str.isprintable)


def _pinned(value: str | None, *, name: str) -> st.SearchStrategy[str]:
    """``just(value)`` for a pinned id, any identifier for ``None``.

    A bad pin is the caller's mistake: it is refused here, naming the argument,
    rather than failing every example.
    """
    return identifiers() if value is None else st.just(check_identifier(value, name=name))


def samples(
    metric: str | None = None, *, values: st.SearchStrategy[float] | None = None
) -> st.SearchStrategy[MetricSample]:
    """One :class:`~service_monitoring.MetricSample`, of *metric* if given.

    *values* draws the value (by default integers and finite floats up to 1e9 in
    size); the moment is UTC, from 2026 to 2030.

    >>> from hypothesis import given
    >>> @given(samples("cpu"))
    ... def test_sample(sample):
    ...     assert sample.metric == "cpu" and sample.observed_at.tzinfo is not None
    >>> test_sample()
    """
    return st.builds(
        MetricSample,
        _pinned(metric, name="metric"),
        _numbers if values is None else values,
        st.datetimes(EPOCH.replace(tzinfo=None), _LAST, timezones=st.just(UTC)),
    )


def sample_series(
    metric: str | None = None,
    *,
    min_size: int = 1,
    max_size: int = 20,
    values: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[list[MetricSample]]:
    """Samples of one metric, strictly in time order, 1 to 120 seconds apart.

    What an evaluation mode is given in a cycle: never empty unless *min_size* is 0.

    >>> from hypothesis import given
    >>> @given(sample_series("cpu", min_size=2, max_size=5))
    ... def test_series(series):
    ...     times = [sample.observed_at for sample in series]
    ...     assert 2 <= len(series) <= 5 and times == sorted(set(times))
    >>> test_series()
    """
    if not isinstance(min_size, int) or not isinstance(max_size, int) or min_size < 0:
        raise DomainError(f"sizes must be whole numbers >= 0, got {min_size!r} and {max_size!r}")
    if max_size < min_size:
        raise DomainError(f"max_size ({max_size}) must be at least min_size ({min_size})")

    names = _pinned(metric, name="metric")

    @st.composite
    def draw_series(draw: st.DrawFn) -> list[MetricSample]:
        name = draw(names)
        steps = draw(st.lists(st.integers(1, 120), min_size=min_size, max_size=max_size))
        moment = EPOCH
        series = []
        for step in steps:
            moment += timedelta(seconds=step)
            series.append(MetricSample(name, draw(_numbers if values is None else values), moment))
        return series

    return draw_series()


def _windows(mode: str) -> st.SearchStrategy[int]:
    """Windows a standard mode accepts; for any other mode, 1 to 10 (1 half the time)."""
    if mode == "threshold":
        return st.just(1)
    if mode == "consecutive":
        return st.integers(2, _MAX_DRAWN_WINDOW)
    return st.one_of(st.just(1), st.integers(2, _MAX_DRAWN_WINDOW))


def rules(
    metric: str | None = None,
    *,
    mode: str | None = None,
    window: int | None = None,
    rule_id: str | None = None,
) -> st.SearchStrategy[ThresholdRule]:
    """One :class:`~service_monitoring.ThresholdRule`, pinned where asked.

    Without *mode* the rule uses one of the standard modes, with a window that
    mode accepts; a pinned *window* is used as given.

    >>> from hypothesis import given
    >>> @given(rules(mode="threshold"))
    ... def test_rule(rule):
    ...     assert rule.mode == "threshold" and rule.window == 1
    >>> test_rule()
    """
    ids, metrics = _pinned(rule_id, name="rule_id"), _pinned(metric, name="metric")
    if mode is not None or window is not None:  # a bad pin fails here, naming itself
        ThresholdRule(
            "probe",
            "probe",
            0,
            "warning",
            window=1 if window is None else window,
            mode="threshold" if mode is None else mode,
        )

    @st.composite
    def draw_rule(draw: st.DrawFn) -> ThresholdRule:
        name = mode if mode is not None else draw(st.sampled_from(STANDARD_MODES.names()))
        return ThresholdRule(
            draw(ids),
            draw(metrics),
            draw(_numbers),
            draw(st.sampled_from(Severity)),
            window=window if window is not None else draw(_windows(name)),
            mode=name,
        )

    return draw_rule()


def alerts(policy_id: str | None = None) -> st.SearchStrategy[Alert]:
    """One :class:`~service_monitoring.Alert`, as a policy opens it (what a sink receives).

    >>> from hypothesis import given
    >>> @given(alerts("checkout"))
    ... def test_alert(alert):
    ...     assert alert.policy_id == "checkout"
    >>> test_alert()
    """

    ids = _pinned(policy_id, name="policy_id")

    @st.composite
    def draw_alert(draw: st.DrawFn) -> Alert:
        rule = draw(rules())
        return Alert.open(draw(ids), rule, draw(samples(rule.metric)))

    return draw_alert()


def policies(
    policy_id: str | None = None,
    *,
    modes: ModeRegistry | None = None,
    metric: str | None = None,
    max_rules: int = 4,
) -> st.SearchStrategy[MonitoringPolicy]:
    """A :class:`~service_monitoring.MonitoringPolicy` with up to *max_rules* rules.

    Each rule is left a draft, activated, or activated and retired; then the
    policy may have evaluated a series of samples, so it can hold open incidents,
    watermarks and samples its modes kept. A rule *modes* refuses is left out.
    *metric* pins the metric every rule watches.

    >>> from hypothesis import given
    >>> @given(policies("checkout", max_rules=2))
    ... def test_policy(policy):
    ...     assert policy.policy_id == "checkout" and len(policy.rules()) <= 2
    >>> test_policy()
    """
    registry = STANDARD_MODES if modes is None else modes
    if not isinstance(registry, ModeRegistry):
        raise DomainError(f"modes must be a ModeRegistry, got {type(modes).__name__}")
    if isinstance(max_rules, bool) or not isinstance(max_rules, int) or max_rules < 0:
        raise DomainError(f"max_rules must be a whole number >= 0, got {max_rules!r}")
    ids = _pinned(policy_id, name="policy_id")
    metrics = st.sampled_from(("a", "b")) if metric is None else _pinned(metric, name="metric")

    @st.composite
    def draw_policy(draw: st.DrawFn) -> MonitoringPolicy:
        policy = MonitoringPolicy(draw(ids), modes=registry)
        rule_ids = draw(st.lists(identifiers(), max_size=max_rules, unique=True))
        for rule_id in rule_ids:
            name = draw(st.sampled_from(registry.names()))
            rule = draw(rules(draw(metrics), mode=name, rule_id=rule_id))
            try:
                policy.add_rule(rule)
            except DomainError:
                continue  # a window this registry's mode refuses
            state = draw(st.sampled_from(("draft", "active", "retired")))
            if state == "draft":
                continue
            try:
                policy.activate_rule(rule_id)
            except DomainError:
                continue  # an active rule already watches the same metric the same way
            if state == "retired":
                policy.retire_rule(rule_id, draw(identifiers()))
        for name in {rule.metric for rule in policy.rules()}:
            policy.evaluate(draw(sample_series(name, min_size=0, max_size=6)))
        return policy

    return draw_policy()
