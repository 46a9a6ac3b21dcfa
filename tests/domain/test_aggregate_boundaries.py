"""One policy is one consistency boundary: writers of one policy conflict, of two policies not.

Each store test runs against the in-memory and the SQLite unit of work (``uow_factory``).
"""

from __future__ import annotations

import dataclasses

import pytest

from conftest import UowFactory
from service_monitoring import (
    Alert,
    ConcurrencyConflict,
    IncidentOpened,
    MonitoringPolicy,
    RuleState,
    ThresholdRule,
)
from support import latency_policy, sample


def two_rule_policy(policy_id: str) -> MonitoringPolicy:
    """An active latency rule and a draft errors rule."""
    policy = latency_policy(policy_id)
    policy.add_rule(ThresholdRule("errors", "http.errors", 5, "warning"))
    return policy


def commit_new(uow_factory: UowFactory, *policies: MonitoringPolicy) -> None:
    with uow_factory() as uow:
        for policy in policies:
            uow.policies.add(policy)
        uow.commit()


def test_writers_of_two_different_policies_both_commit(uow_factory: UowFactory) -> None:
    commit_new(uow_factory, two_rule_policy("checkout"), two_rule_policy("billing"))
    with uow_factory() as first, uow_factory() as second:
        first.policies.get("checkout").activate_rule("errors")
        second.policies.get("billing").activate_rule("errors")
        first.commit()
        second.commit()  # no conflict: another aggregate
    with uow_factory() as uow:
        for policy_id in ("checkout", "billing"):
            assert uow.policies.get(policy_id).rule_state("errors") is RuleState.ACTIVE


def test_a_cycle_and_a_rule_change_of_one_policy_conflict(uow_factory: UowFactory) -> None:
    """Watermarks live inside the aggregate, so evaluation is a write of the whole policy."""
    commit_new(uow_factory, two_rule_policy("checkout"))
    with uow_factory() as cycle, uow_factory() as admin:
        quiet = sample("http.latency_ms", 120)  # opens nothing, but moves the watermark
        assert cycle.policies.get("checkout").evaluate([quiet]) == []
        admin.policies.get("checkout").activate_rule("errors")
        cycle.commit()
        with pytest.raises(ConcurrencyConflict, match="changed since it was loaded"):
            admin.commit()
    with uow_factory() as uow:
        stored = uow.policies.get("checkout")
        assert stored.rule_state("errors") is RuleState.DRAFT
        assert stored.last_evaluated("http.latency_ms") == quiet.observed_at


def test_events_and_alerts_refer_to_their_policy_by_id_only() -> None:
    policy = latency_policy()
    [alert] = policy.evaluate([sample("http.latency_ms", 300)])
    policy.retire_rule("latency", "replaced")
    events = policy.collect_events()
    assert [type(event).__name__ for event in events] == [
        "RuleAdded",
        "RuleActivated",
        "IncidentOpened",
        "RuleRetired",
        "IncidentClosed",
    ]
    for record in [*events, alert]:
        assert record.policy_id == "checkout"
        values = [getattr(record, field.name) for field in dataclasses.fields(record)]
        if isinstance(record, IncidentOpened):
            assert isinstance(record.alert, Alert)
            values = [getattr(alert, field.name) for field in dataclasses.fields(Alert)]
        assert not any(isinstance(value, MonitoringPolicy) for value in values)
