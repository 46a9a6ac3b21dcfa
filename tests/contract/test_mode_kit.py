"""The test kit's mode contract, run against the three standard modes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service_monitoring import STANDARD_MODES, EvaluationMode, ThresholdRule
from service_monitoring.testing import ModeContract, rules


class TestThresholdMode(ModeContract):
    def make_mode(self) -> EvaluationMode:
        return STANDARD_MODES.get("threshold")

    def unsuitable_rule(self) -> ThresholdRule:
        return ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="threshold")


class TestConsecutiveMode(ModeContract):
    def make_mode(self) -> EvaluationMode:
        return STANDARD_MODES.get("consecutive")

    def unsuitable_rule(self) -> ThresholdRule:
        return ThresholdRule("hot", "cpu", 0.9, "warning", window=1, mode="consecutive")


class TestRateOfChangeMode(ModeContract):
    """The mode takes every rule, so it names no unsuitable one; its windows are drawn wider."""

    def make_mode(self) -> EvaluationMode:
        return STANDARD_MODES.get("rate_of_change")

    def suitable_rules(self) -> st.SearchStrategy[ThresholdRule]:
        windows = st.integers(1, 30)
        return windows.flatmap(lambda window: rules(mode="rate_of_change", window=window))


@given(TestConsecutiveMode().suitable_rules())
def test_the_default_suitable_rules_follow_the_mode(rule: ThresholdRule) -> None:
    assert rule.mode == "consecutive" and rule.window >= 2
