"""The policy as an aggregate: what it refuses, what a failure leaves, what its events carry.

Module 04's lessons on invariants, lifecycle and domain events cite these tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import pytest

from service_monitoring import (
    DomainError,
    IncidentClosed,
    IncidentOpened,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    RuleActivated,
    RuleAdded,
    RuleRetired,
    RuleState,
    ThresholdRule,
    UnknownRule,
)
from service_monitoring.storage import Change, InMemoryStore, InMemoryUnitOfWork
from support import at, latency_policy, sample

LATENCY = ThresholdRule("latency", "http.latency_ms", 250, "critical")
TWIN = ThresholdRule("twin", "http.latency_ms", 900, "warning")


def restore(
    rules: Sequence[tuple[ThresholdRule, RuleState]],
    *,
    seen: dict[str, datetime] | None = None,
    recent: dict[str, tuple[MetricSample, ...]] | None = None,
    open_incidents: Sequence[object] = (),
) -> MonitoringPolicy:
    return MonitoringPolicy.restore(
        "checkout",
        rules=rules,
        seen=seen or {},
        recent=recent or {},
        open_incidents=open_incidents,  # type: ignore[arg-type]
    )


def test_restore_refuses_two_active_rules_on_one_watch() -> None:
    with pytest.raises(DomainError, match=r"rule 'twin' would watch .* like active rule 'latency'"):
        restore([(LATENCY, RuleState.ACTIVE), (TWIN, RuleState.ACTIVE)])
    # the same two rules are fine when only one of them is active
    policy = restore([(LATENCY, RuleState.ACTIVE), (TWIN, RuleState.RETIRED)])
    assert [rule.rule_id for rule in policy.active_rules()] == ["latency"]


def test_restore_refuses_duplicate_rule_ids() -> None:
    with pytest.raises(DomainError, match="already has a rule 'latency'"):
        restore([(LATENCY, RuleState.DRAFT), (LATENCY, RuleState.ACTIVE)])


def test_restore_refuses_kept_samples_and_incidents_of_unknown_rules() -> None:
    [alert] = latency_policy().evaluate([sample("http.latency_ms", 300)])
    with pytest.raises(UnknownRule, match="no rule 'latency'"):
        restore([], open_incidents=[alert])
    with pytest.raises(UnknownRule, match="no rule 'gone'"):
        restore([(LATENCY, RuleState.ACTIVE)], recent={"gone": (sample("http.latency_ms", 1),)})


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (RuleState.RETIRED, r"names rule 'latency', which is retired; only an active rule"),
        (RuleState.DRAFT, r"names rule 'latency', which is draft; only an active rule"),
    ],
)
def test_restore_refuses_an_incident_its_rule_could_not_hold_open(
    state: RuleState, message: str
) -> None:
    [alert] = latency_policy().evaluate([sample("http.latency_ms", 300)])
    with pytest.raises(DomainError, match=message):
        restore([(LATENCY, state)], open_incidents=[alert])
    with pytest.raises(DomainError, match="belongs to policy 'checkout', not 'billing'"):
        MonitoringPolicy.restore(
            "billing",
            rules=[(LATENCY, RuleState.ACTIVE)],
            seen={},
            recent={},
            open_incidents=[alert],
        )
    later = dataclasses.replace(alert, observed_at=at(5), incident_id="inc-other")
    with pytest.raises(DomainError, match="rule 'latency' holds two open incidents"):
        restore([(LATENCY, RuleState.ACTIVE)], open_incidents=[alert, later])
    with pytest.raises(DomainError, match="an open incident must be an Alert, got str"):
        restore([(LATENCY, RuleState.ACTIVE)], open_incidents=["inc-1"])
    assert restore([(LATENCY, RuleState.ACTIVE)], open_incidents=[alert]).open_incidents() == (
        alert,
    )


def test_restore_records_no_event_and_keeps_the_stored_progress() -> None:
    [alert] = latency_policy().evaluate([sample("http.latency_ms", 300)])
    policy = restore(
        [(LATENCY, RuleState.ACTIVE)],
        seen={"http.latency_ms": at(0)},
        open_incidents=[alert],
    )
    assert not policy.has_pending_events
    assert policy.collect_events() == []
    assert policy.open_incidents() == (alert,)
    assert policy.last_evaluated("http.latency_ms") == at(0)
    # the restored watermark makes the stored samples count as already evaluated
    assert policy.evaluate([sample("http.latency_ms", 300)]) == []


def test_a_refused_change_does_not_move_the_revision() -> None:
    policy = latency_policy()
    policy.collect_events()
    before = policy.revision
    with pytest.raises(DomainError, match="needs a non-empty reason"):
        policy.retire_rule("latency", "  ")
    with pytest.raises(DomainError, match="already has a rule"):
        policy.add_rule(LATENCY)
    assert policy.revision == before
    assert not policy.has_pending_events
    assert policy.rule_state("latency") is RuleState.ACTIVE


def test_a_retired_rule_keeps_its_id() -> None:
    policy = latency_policy()
    policy.retire_rule("latency", "replaced")
    with pytest.raises(DomainError, match="already has a rule 'latency'"):
        policy.add_rule(LATENCY)
    assert policy.rule("latency") == LATENCY
    assert policy.rule_state("latency") is RuleState.RETIRED


def test_events_are_immutable_values() -> None:
    event = RuleRetired("checkout", "latency", "replaced")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.reason = "something else"  # type: ignore[misc]
    assert event == RuleRetired("checkout", "latency", "replaced")
    assert hash(event) == hash(RuleRetired("checkout", "latency", "replaced"))


def test_collect_events_hands_each_event_out_once_oldest_first() -> None:
    policy = latency_policy()
    [alert] = policy.evaluate([sample("http.latency_ms", 300)])
    policy.retire_rule("latency", "replaced")
    assert policy.has_pending_events
    assert policy.collect_events() == [
        RuleAdded("checkout", LATENCY),
        RuleActivated("checkout", "latency"),
        IncidentOpened(alert),
        RuleRetired("checkout", "latency", "replaced"),
        IncidentClosed("checkout", "latency", alert.incident_id, "rule retired"),
    ]
    assert not policy.has_pending_events
    assert policy.collect_events() == []


class RecordingStore(InMemoryStore):
    """An in-memory store that keeps every batch of changes it was asked to commit."""

    def __init__(self) -> None:
        super().__init__()
        self.commits: list[Sequence[Change]] = []

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        self.commits.append(changes)
        super().commit(changes, at=at)


def test_a_committed_change_carries_a_snapshot_the_loaded_version_and_the_events() -> None:
    store = RecordingStore()
    policy = latency_policy()
    with InMemoryUnitOfWork(store) as uow:
        uow.policies.add(policy)
        uow.commit()
    with InMemoryUnitOfWork(store) as uow:
        working = uow.policies.get("checkout")
        [alert] = working.evaluate([sample("http.latency_ms", 300)])
        uow.commit()
    first, second = (batch[0] for batch in store.commits)
    assert first.expected_version is None
    assert first.events == (RuleAdded("checkout", LATENCY), RuleActivated("checkout", "latency"))
    assert second.expected_version == 1
    assert second.events == (IncidentOpened(alert),)
    assert second.policy is not working  # a snapshot, not the working copy
    assert second.policy.open_incidents() == (alert,)
    assert store.event_log("checkout") == first.events + second.events


def test_registering_drains_the_callers_events_and_stores_a_copy() -> None:
    policy = latency_policy()
    with MonitoringRuntime() as runtime:
        runtime.register_policy(policy)
        assert not policy.has_pending_events
        policy.retire_rule("latency", "edited after registration")
        assert runtime.policy("checkout").rule_state("latency") is RuleState.ACTIVE
        assert runtime.active_rules("checkout") == ("latency",)


def replay(policy_id: str, events: Sequence[object]) -> MonitoringPolicy:
    """Rebuild a policy from its events alone, as an event-sourced store would."""
    policy = MonitoringPolicy(policy_id)
    for event in events:
        if isinstance(event, RuleAdded):
            policy.add_rule(event.rule)
        elif isinstance(event, RuleActivated):
            policy.activate_rule(event.rule_id)
        elif isinstance(event, RuleRetired):
            policy.retire_rule(event.rule_id, event.reason)
    return policy


def test_the_event_log_alone_does_not_rebuild_the_evaluation_progress() -> None:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        uow.policies.add(latency_policy())
        uow.commit()
    with InMemoryUnitOfWork(store) as uow:
        assert uow.policies.get("checkout").evaluate([sample("http.latency_ms", 100, 5)]) == []
        uow.commit()
    version, stored = store.load("checkout")
    assert version == 2
    assert stored.last_evaluated("http.latency_ms") == at(5)
    replayed = replay("checkout", store.event_log("checkout"))
    assert [rule.rule_id for rule in replayed.active_rules()] == ["latency"]
    assert replayed.last_evaluated("http.latency_ms") is None  # the quiet cycle left no event
