"""One contract, every store: each test runs against the in-memory and the SQLite unit of work."""

from __future__ import annotations

import pytest

from conftest import UowFactory
from service_monitoring import (
    ConcurrencyConflict,
    DomainError,
    MonitoringPolicy,
    PolicyNotFound,
    RuleState,
    ThresholdRule,
)
from support import latency_policy, sample


def commit_new(uow_factory: UowFactory, policy: MonitoringPolicy) -> None:
    with uow_factory() as uow:
        uow.policies.add(policy)
        uow.commit()


def state_of(uow_factory: UowFactory, policy_id: str, rule_id: str) -> RuleState:
    with uow_factory() as uow:
        return uow.policies.get(policy_id).rule_state(rule_id)


def test_a_committed_policy_can_be_loaded_by_a_later_unit_of_work(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy())
    with uow_factory() as uow:
        policy = uow.policies.get("checkout")
        assert [rule.rule_id for rule in policy.rules()] == ["latency"]
        assert policy.rule_state("latency") is RuleState.ACTIVE
        assert not policy.has_pending_events


def test_leaving_without_commit_discards_the_change(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy(active=False))
    with uow_factory() as uow:
        uow.policies.get("checkout").activate_rule("latency")
    assert state_of(uow_factory, "checkout", "latency") is RuleState.DRAFT


def test_an_exception_discards_the_change_and_propagates(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy(active=False))

    def change_then_fail() -> None:
        with uow_factory() as uow:
            uow.policies.get("checkout").activate_rule("latency")
            raise RuntimeError("caller failed")

    with pytest.raises(RuntimeError, match="caller failed"):
        change_then_fail()
    assert state_of(uow_factory, "checkout", "latency") is RuleState.DRAFT


def test_an_uncommitted_new_policy_is_not_stored(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.policies.add(latency_policy("never"))
    with uow_factory() as uow, pytest.raises(PolicyNotFound, match="'never'"):
        uow.policies.get("never")


def test_rollback_touches_only_its_own_unit_of_work(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy("a", active=False))
    commit_new(uow_factory, latency_policy("b", active=False))
    with uow_factory() as mine:
        mine.policies.get("a").activate_rule("latency")
        with uow_factory() as other:  # another writer commits meanwhile
            other.policies.get("b").activate_rule("latency")
            other.commit()
        # mine leaves without commit
    assert state_of(uow_factory, "a", "latency") is RuleState.DRAFT
    assert state_of(uow_factory, "b", "latency") is RuleState.ACTIVE


def test_the_identity_map_returns_one_object_per_policy(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy())
    with uow_factory() as uow:
        assert uow.policies.get("checkout") is uow.policies.get("checkout")
    with uow_factory() as first, uow_factory() as second:
        assert first.policies.get("checkout") is not second.policies.get("checkout")


def test_a_second_writer_of_the_same_policy_gets_a_concurrency_conflict(
    uow_factory: UowFactory,
) -> None:
    commit_new(uow_factory, latency_policy(active=False))
    with uow_factory() as first, uow_factory() as second:
        first.policies.get("checkout").activate_rule("latency")
        second.policies.get("checkout").retire_rule("latency", "not needed")
        first.commit()
        with pytest.raises(ConcurrencyConflict, match="changed since it was loaded"):
            second.commit()
    assert state_of(uow_factory, "checkout", "latency") is RuleState.ACTIVE


def test_two_units_of_work_adding_the_same_policy_conflict(uow_factory: UowFactory) -> None:
    with uow_factory() as first, uow_factory() as second:
        first.policies.add(latency_policy())
        second.policies.add(latency_policy())
        first.commit()
        with pytest.raises(ConcurrencyConflict, match="added by another unit of work"):
            second.commit()


def test_adding_an_existing_policy_is_refused(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy())
    with uow_factory() as uow, pytest.raises(DomainError, match="already exists"):
        uow.policies.add(latency_policy())


def test_a_unit_of_work_can_commit_twice(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy(active=False))
    with uow_factory() as uow:
        policy = uow.policies.get("checkout")
        policy.activate_rule("latency")
        uow.commit()
        policy.add_rule(ThresholdRule("cpu", "cpu", 0.9, "warning"))
        uow.commit()
    with uow_factory() as uow:
        assert [rule.rule_id for rule in uow.policies.get("checkout").rules()] == ["latency", "cpu"]


def test_a_commit_without_changes_writes_nothing(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy(active=False))
    with uow_factory() as reader, uow_factory() as writer:
        reader.policies.get("checkout")
        writer.policies.get("checkout").activate_rule("latency")
        reader.commit()  # nothing changed: no version bump, no conflict for the writer
        writer.commit()
    assert state_of(uow_factory, "checkout", "latency") is RuleState.ACTIVE


def test_changes_after_a_failed_commit_are_still_discarded(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy(active=False))
    with uow_factory() as first, uow_factory() as second:
        second.policies.get("checkout").retire_rule("latency", "x")
        first.policies.get("checkout").activate_rule("latency")
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()  # still stale: never silently applied
    assert state_of(uow_factory, "checkout", "latency") is RuleState.ACTIVE


def test_missing_policies_and_bad_ids_are_reported(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        with pytest.raises(PolicyNotFound, match="'ghost'"):
            uow.policies.get("ghost")
        with pytest.raises(DomainError, match="policy_id must be a string"):
            uow.policies.get(42)  # type: ignore[arg-type]
        with pytest.raises(DomainError, match="add takes a MonitoringPolicy"):
            uow.policies.add("checkout")  # type: ignore[arg-type]


def test_evaluation_state_survives_the_round_trip(uow_factory: UowFactory) -> None:
    policy = MonitoringPolicy("cpu")
    policy.add_rule(ThresholdRule("hot", "cpu", 0.9, "warning", window=3, mode="consecutive"))
    policy.add_rule(ThresholdRule("spike", "cpu", 0.5, "critical"))
    policy.activate_rule("hot")
    policy.activate_rule("spike")
    commit_new(uow_factory, policy)
    with uow_factory() as uow:
        stored = uow.policies.get("cpu")
        [alert] = stored.evaluate([sample("cpu", 0.95, 0), sample("cpu", 0.96, 1)])
        uow.commit()
    with uow_factory() as uow:
        stored = uow.policies.get("cpu")
        assert stored.recent_samples("hot") == (sample("cpu", 0.95, 0), sample("cpu", 0.96, 1))
        assert stored.open_incidents() == (alert,)
        assert stored.evaluate([sample("cpu", 0.96, 1)]) == []  # already evaluated
        [third] = stored.evaluate([sample("cpu", 0.97, 2)])
        assert third.rule_id == "hot"


def test_a_change_without_events_is_still_committed(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, latency_policy())
    with uow_factory() as uow:
        policy = uow.policies.get("checkout")
        assert policy.evaluate([sample("http.latency_ms", 100, 5)]) == []
        assert not policy.has_pending_events
        uow.commit()
    with uow_factory() as uow:
        assert uow.policies.get("checkout").last_evaluated("http.latency_ms") is not None
