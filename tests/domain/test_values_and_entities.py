"""Values are equal by their fields; a policy is an entity, the same only as itself."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from service_monitoring import Alert, MetricSample, Severity, ThresholdRule
from service_monitoring.storage import InMemoryStore, InMemoryUnitOfWork
from support import T0, latency_policy, sample


def test_values_built_separately_are_equal_hash_alike_and_collapse_in_a_set() -> None:
    one = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    other = ThresholdRule("latency", "http.latency_ms", 250.0, Severity.CRITICAL)
    assert one is not other
    assert one == other and hash(one) == hash(other)
    assert len({one, other}) == 1
    assert MetricSample("cpu", 1, T0) == MetricSample("cpu", 1.0, T0)
    breach = sample("http.latency_ms", 300)
    assert Alert.open("checkout", one, breach) == Alert.open("checkout", other, breach)


def test_a_value_changes_only_by_becoming_a_new_value() -> None:
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.threshold = 300  # type: ignore[misc]
    raised = dataclasses.replace(rule, threshold=300)
    assert raised.threshold == 300.0 and rule.threshold == 250.0
    assert raised != rule


def test_a_policy_is_equal_only_to_itself_whatever_its_id_and_state() -> None:
    policy = latency_policy()
    twin = copy.copy(policy)
    assert twin.policy_id == policy.policy_id
    assert twin.rules() == policy.rules()
    assert twin != policy
    assert policy == policy
    assert latency_policy() != latency_policy()


def test_two_loads_of_one_policy_are_two_objects_with_one_id_and_a_version_that_moves() -> None:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        uow.policies.add(latency_policy(active=False))
        uow.commit()
    (v1, first), (_, second) = store.load("checkout"), store.load("checkout")
    assert first is not second and first != second
    assert first.policy_id == second.policy_id == "checkout"
    with InMemoryUnitOfWork(store) as uow:
        uow.policies.get("checkout").activate_rule("latency")
        uow.commit()
    v2, _ = store.load("checkout")
    assert (v1, v2) == (1, 2)


def test_the_same_breach_gets_the_same_incident_id_in_independent_policies() -> None:
    breach = sample("http.latency_ms", 320)
    (one,) = latency_policy().evaluate([breach])
    (other,) = latency_policy().evaluate([breach])
    assert one == other
    assert one.incident_id == other.incident_id
    (later,) = latency_policy().evaluate([sample("http.latency_ms", 320, minutes=1)])
    assert later.incident_id != one.incident_id
