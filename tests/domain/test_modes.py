"""The mode registry is the extension point: new modes without editing the model."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pytest

from service_monitoring import (
    STANDARD_MODES,
    DomainError,
    EvaluationMode,
    MetricSample,
    ModeRegistry,
    MonitoringPolicy,
    ThresholdRule,
    Verdict,
)
from support import Below, sample


def test_standard_modes_are_frozen_and_listed_in_order() -> None:
    assert STANDARD_MODES.names() == ("threshold", "consecutive", "rate_of_change")
    with pytest.raises(DomainError, match="this registry is frozen; use extended"):
        STANDARD_MODES.register(Below())
    assert "below" not in STANDARD_MODES


def test_an_extended_registry_adds_a_mode_without_touching_the_original() -> None:
    modes = STANDARD_MODES.extended(Below())
    assert isinstance(modes.get("below"), EvaluationMode)
    assert "below" not in STANDARD_MODES
    policy = MonitoringPolicy("disk", modes=modes)
    policy.add_rule(ThresholdRule("low-disk", "disk.free_ratio", 0.1, "critical", mode="below"))
    policy.activate_rule("low-disk")
    [alert] = policy.evaluate([sample("disk.free_ratio", 0.05)])
    assert alert.rule_id == "low-disk"


def test_a_copy_of_an_open_registry_has_its_own_table_and_a_frozen_one_is_shared() -> None:
    original = ModeRegistry([STANDARD_MODES.get("threshold")])
    twin = copy.copy(original)
    twin.register(Below())
    assert twin.names() == ("threshold", "below")
    assert original.names() == ("threshold",)
    assert twin.get("threshold") is original.get("threshold")  # the modes themselves are shared
    assert copy.copy(STANDARD_MODES) is STANDARD_MODES


def test_a_policy_refuses_modes_its_registry_does_not_know() -> None:
    with pytest.raises(DomainError, match="unknown evaluation mode 'below'"):
        MonitoringPolicy("p").add_rule(ThresholdRule("r", "m", 1, "warning", mode="below"))


def test_registration_checks_the_protocol_and_the_name() -> None:
    registry = ModeRegistry()
    with pytest.raises(DomainError, match="needs name, check_rule and evaluate; got int"):
        registry.register(5)  # type: ignore[arg-type]
    registry.register(Below())
    with pytest.raises(DomainError, match="mode 'below' is already registered"):
        registry.register(Below())

    class BadName(Below):
        name = "Bad Name"

    with pytest.raises(DomainError, match="mode must be a lower-case name"):
        registry.register(BadName())
    assert registry.names() == ("below",)


def test_unknown_names_are_domain_errors() -> None:
    with pytest.raises(DomainError, match="unknown evaluation mode"):
        STANDARD_MODES.get(["unhashable"])  # type: ignore[arg-type]


def test_modes_see_only_fresh_samples_in_time_order() -> None:
    seen: list[list[float]] = []

    class Recorder(Below):
        name = "recorder"

        def evaluate(
            self,
            rule: ThresholdRule,
            recent: tuple[MetricSample, ...],
            samples: Sequence[MetricSample],
        ) -> Verdict:
            seen.append([s.value for s in samples])
            return Verdict(None, False)

    policy = MonitoringPolicy("p", modes=STANDARD_MODES.extended(Recorder()))
    policy.add_rule(ThresholdRule("r", "m", 0, "warning", mode="recorder"))
    policy.activate_rule("r")
    policy.evaluate([sample("m", 2, 2), sample("m", 1, 1)])
    policy.evaluate([sample("m", 1, 1), sample("m", 3, 3), sample("m", 2, 2)])
    policy.evaluate([sample("m", 0, 0)])
    assert seen == [[1.0, 2.0], [3.0]]
