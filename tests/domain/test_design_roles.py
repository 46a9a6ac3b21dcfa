"""Design roles of Module 02, proven: who decides, who coordinates, what is composed.

* the entity decides: a change the policy refuses, asked for through the runtime (the
  application service), reaches the caller as the policy raised it and commits nothing;
* the domain services of evaluation only read the state they are handed;
* the runtime delivers to the sink it was given, and an extended registry shares the
  modes it was extended from;
* swapped ids, both valid identifiers, are refused by the store and change nothing.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from service_monitoring import (
    STANDARD_MODES,
    Alert,
    CollectingIncidentSink,
    InvalidTransition,
    MetricSample,
    MonitoringRuntime,
    PolicyNotFound,
    RuleState,
    ThresholdRule,
    UnknownRule,
)
from service_monitoring.domain.evaluation import group_by_metric, judge
from support import AtOrAbove, at, latency_policy, sample


def test_a_change_the_policy_refuses_through_the_runtime_commits_nothing(
    database: Path | None,
) -> None:
    with MonitoringRuntime(database=database) as runtime:
        runtime.register_policy(latency_policy())
        runtime.retire_rule("checkout", "latency", "replaced")
        before = runtime.policy("checkout").revision
        with pytest.raises(InvalidTransition, match="is retired; it cannot become active"):
            runtime.activate_rule("checkout", "latency")
        stored = runtime.policy("checkout")
        assert stored.rule_state("latency") is RuleState.RETIRED
        assert stored.revision == before
        assert runtime.active_rules("checkout") == ()


def test_the_evaluation_functions_change_none_of_their_inputs() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    batch = [sample("http.latency_ms", 320, 1), sample("cpu", 0.4), sample("http.latency_ms", 180)]
    active = {"http.latency_ms": (rule,)}
    seen = {"cpu": at(-5)}
    recent: dict[str, tuple[MetricSample, ...]] = {}
    open_: dict[str, Alert] = {}
    snapshot = copy.deepcopy((batch, active, seen, recent, open_))
    buckets = group_by_metric(batch, active)
    newest, verdicts, skipped = judge(
        buckets,
        STANDARD_MODES,
        seen=seen,
        recent=recent,
        open_=open_,
        active=active,
    )
    assert (batch, active, seen, recent, open_) == snapshot
    assert [value.value for value in buckets["http.latency_ms"]] == [180.0, 320.0]
    assert newest == {"http.latency_ms": at(1)}
    assert [(r.rule_id, v.breaching) for r, v in verdicts] == [("latency", True)]
    assert skipped == 0


def test_the_runtime_delivers_to_the_sink_it_was_given(database: Path | None) -> None:
    sink = CollectingIncidentSink()
    with MonitoringRuntime(database=database, sink=sink) as runtime:
        assert runtime.sink is sink
        runtime.register_policy(latency_policy())
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    assert sink.alerts == report.alerts


def test_an_extended_registry_shares_the_modes_it_was_extended_from() -> None:
    modes = STANDARD_MODES.extended(AtOrAbove())
    for name in STANDARD_MODES.names():
        assert modes.get(name) is STANDARD_MODES.get(name)
    assert modes.names() == (*STANDARD_MODES.names(), "at_or_above")
    assert "at_or_above" not in STANDARD_MODES


def test_swapped_policy_and_rule_ids_change_nothing(database: Path | None) -> None:
    with MonitoringRuntime(database=database) as runtime:
        runtime.register_policy(latency_policy(active=False))
        with pytest.raises(PolicyNotFound, match="no policy 'latency' is stored"):
            runtime.activate_rule("latency", "checkout")
        with pytest.raises(UnknownRule, match="has no rule 'checkout'"):
            runtime.activate_rule("checkout", "checkout")
        assert runtime.policy_ids() == ("checkout",)
        assert runtime.policy("checkout").rule_state("latency") is RuleState.DRAFT
