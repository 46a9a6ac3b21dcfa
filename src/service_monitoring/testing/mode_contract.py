"""The evaluation-mode contract: what a policy relies on a mode for.

Internal module: import :class:`ModeContract` from the public
:mod:`service_monitoring.testing` namespace.

A policy asks a mode to check each rule when the rule is added, then hands it,
cycle after cycle, the samples it kept last time and the new samples of the
rule's metric, oldest first and never empty. The tests replay such cycles with
samples drawn by Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Final

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ..domain.errors import DomainError
from ..domain.modes import EvaluationMode, Verdict
from ..domain.values import MAX_WINDOW, MetricSample, ThresholdRule
from .promises import Broken, describe, expect, promise
from .strategies import rules, sample_series

__all__ = ["ModeContract"]

# No explain phase: on a failed promise it reruns the test to say which lines every
# failing example ran, which takes seconds for a report the promise's text already gives.
_EXAMPLES: Final = settings(
    max_examples=40,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
)


def _mode_promise(text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return promise("Mode", text)


def _cycles(rule: ThresholdRule) -> st.SearchStrategy[list[list[MetricSample]]]:
    """Samples of *rule*'s metric in time order, cut into one to four non-empty cycles."""

    @st.composite
    def draw(draw: st.DrawFn) -> list[list[MetricSample]]:
        series = draw(sample_series(rule.metric, min_size=1, max_size=24))
        if len(series) == 1:
            return [series]
        cuts = sorted(draw(st.sets(st.integers(1, len(series) - 1), max_size=3)))
        edges = [0, *cuts, len(series)]
        return [series[start:end] for start, end in pairwise(edges)]

    return draw()


def _judge(
    mode: EvaluationMode,
    rule: ThresholdRule,
    recent: tuple[MetricSample, ...],
    samples: Sequence[MetricSample],
) -> Verdict:
    verdict = mode.evaluate(rule, recent, samples)
    expect(
        isinstance(verdict, Verdict),
        f"evaluate() returned a {type(verdict).__name__}, not a Verdict",
    )
    expect(
        isinstance(verdict.breaching, bool),
        f"Verdict.breaching is a {type(verdict.breaching).__name__}, not a bool",
    )
    return verdict


def _replay(
    mode: EvaluationMode,
    rule: ThresholdRule,
    cycles: list[list[MetricSample]],
    check: Callable[[tuple[MetricSample, ...], list[MetricSample], Verdict], None] | None = None,
) -> list[Verdict]:
    """Evaluate *cycles* in turn as a policy would, handing back what the mode kept."""
    verdicts: list[Verdict] = []
    recent: tuple[MetricSample, ...] = ()
    for samples in cycles:
        verdict = _judge(mode, rule, recent, samples)
        if check is not None:
            check(recent, samples, verdict)
        verdicts.append(verdict)
        recent = verdict.recent
    return verdicts


class ModeContract:
    """The promises every :class:`~service_monitoring.EvaluationMode` keeps.

    Subclass it in a test module as ``class TestMyMode(ModeContract)`` and
    define :meth:`make_mode`. When the mode takes only some rules, narrow
    :meth:`suitable_rules` to them and give :meth:`unsuitable_rule` one it refuses.

    >>> from service_monitoring import STANDARD_MODES
    >>> class TestThreshold(ModeContract):
    ...     def make_mode(self):
    ...         return STANDARD_MODES.get("threshold")
    ...     def unsuitable_rule(self):
    ...         return ThresholdRule("r", "m", 1, "warning", window=2, mode="threshold")
    >>> TestThreshold().test_evaluate_keeps_at_most_the_window()
    """

    def make_mode(self) -> EvaluationMode:
        """Return the mode under test (a new one each call, if it holds state)."""
        raise NotImplementedError(f"{type(self).__name__} must define make_mode()")

    def suitable_rules(self) -> st.SearchStrategy[ThresholdRule]:
        """Rules the mode accepts; by default :func:`rules` pinned to the mode's name."""
        return rules(mode=self.make_mode().name)

    def unsuitable_rule(self) -> ThresholdRule | None:
        """A rule ``check_rule`` must refuse, or ``None`` (the default) if it takes every rule."""
        return None

    @_mode_promise("the name is a lower-case name a rule can use")
    def test_the_name_is_a_rule_mode_name(self) -> None:
        name = self.make_mode().name
        expect(isinstance(name, str), f"the name is a {type(name).__name__}, not a str")
        try:
            ThresholdRule("probe", "probe", 0, "warning", mode=name)
        except DomainError:
            raise Broken(f"{name!r} is not a lower-case name a rule can use") from None

    @_mode_promise("check_rule accepts every suitable rule")
    @_EXAMPLES
    @given(data=st.data())
    def test_check_rule_accepts_suitable_rules(self, data: st.DataObject) -> None:
        rule = data.draw(self.suitable_rules(), label="rule")
        _accepted(self.make_mode(), rule)

    @_mode_promise("check_rule refuses an unsuitable rule with DomainError")
    def test_check_rule_refuses_an_unsuitable_rule(self) -> None:
        mode = self.make_mode()
        rule = self.unsuitable_rule()
        if rule is None:  # the mode says it takes every rule: every window, then
            for window in (1, 2, 3, MAX_WINDOW):
                probe = ThresholdRule("any", "m", 0, "warning", window=window, mode=mode.name)
                _accepted(mode, probe)
            return
        try:
            mode.check_rule(rule)
        except DomainError:
            return
        except Exception as error:
            raise Broken(f"check_rule() raised {describe(error)}, not DomainError") from error
        raise Broken(f"check_rule() accepted the unsuitable rule {rule!r}")

    @_mode_promise("evaluate returns a Verdict and gives the same verdicts for the same samples")
    @_EXAMPLES
    @given(data=st.data())
    def test_evaluate_is_deterministic(self, data: st.DataObject) -> None:
        rule = data.draw(self.suitable_rules(), label="rule")
        cycles = data.draw(_cycles(rule), label="cycles")
        first = _replay(self.make_mode(), rule, [list(samples) for samples in cycles])
        again = _replay(self.make_mode(), rule, [list(samples) for samples in cycles])
        expect(first == again, f"the same cycles gave {first} and then {again}")

    @_mode_promise("evaluate changes none of its inputs")
    @_EXAMPLES
    @given(data=st.data())
    def test_evaluate_changes_no_input(self, data: st.DataObject) -> None:
        rule = data.draw(self.suitable_rules(), label="rule")
        cycles = data.draw(_cycles(rule), label="cycles")
        copies = [list(samples) for samples in cycles]
        _replay(self.make_mode(), rule, cycles)
        expect(cycles == copies, "evaluate() changed the list of samples it was given")

    @_mode_promise("first_breach is one of the new samples, or None")
    @_EXAMPLES
    @given(data=st.data())
    def test_first_breach_is_a_new_sample(self, data: st.DataObject) -> None:
        rule = data.draw(self.suitable_rules(), label="rule")

        def check(
            recent: tuple[MetricSample, ...], samples: list[MetricSample], verdict: Verdict
        ) -> None:
            breach = verdict.first_breach
            expect(
                breach is None or breach in samples,
                f"first_breach {breach!r} is not one of the samples of this cycle",
            )

        _replay(self.make_mode(), rule, data.draw(_cycles(rule), label="cycles"), check)

    @_mode_promise("recent keeps at most the rule's window of the samples it was given")
    @_EXAMPLES
    @given(data=st.data())
    def test_evaluate_keeps_at_most_the_window(self, data: st.DataObject) -> None:
        rule = data.draw(self.suitable_rules(), label="rule")

        def check(
            recent: tuple[MetricSample, ...], samples: list[MetricSample], verdict: Verdict
        ) -> None:
            kept = verdict.recent
            expect(
                len(kept) <= rule.window,
                f"recent holds {len(kept)} samples for a rule whose window is {rule.window}",
            )
            given_ = (*recent, *samples)
            strangers = [sample for sample in kept if sample not in given_]
            expect(not strangers, f"recent holds samples it was never given: {strangers!r}")

        _replay(self.make_mode(), rule, data.draw(_cycles(rule), label="cycles"), check)

    @_mode_promise(
        "a mode that says it breaches only above the threshold never breaches at or below it"
    )
    @_EXAMPLES
    @given(data=st.data())
    def test_the_above_threshold_promise_is_kept(self, data: st.DataObject) -> None:
        mode = self.make_mode()
        declared = getattr(mode, "breaches_only_above_threshold", False)
        expect(
            declared is True or declared is False,
            f"breaches_only_above_threshold is {declared!r}; a policy heeds only True",
        )
        rule = data.draw(self.suitable_rules(), label="rule")
        limit = rule.threshold
        quiet = st.floats(min_value=limit - 1e6, max_value=limit, allow_nan=False)
        series = data.draw(sample_series(rule.metric, max_size=24, values=quiet), label="samples")
        verdict = _judge(mode, rule, (), series)  # a rule with no state, as the policy skips it
        if declared:
            expect(
                verdict.first_breach is None and not verdict.breaching,
                f"no sample exceeded the threshold {limit}, yet the mode breached "
                f"(first_breach={verdict.first_breach!r}, breaching={verdict.breaching})",
            )


def _accepted(mode: EvaluationMode, rule: ThresholdRule) -> None:
    try:
        mode.check_rule(rule)
    except DomainError as error:
        raise Broken(f"check_rule() refused {rule!r}: {error}") from error
