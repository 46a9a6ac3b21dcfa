"""The identity map's scope is one unit of work (Module 06, identity maps and sessions)."""

from __future__ import annotations

from service_monitoring.storage import InMemoryStore, InMemoryUnitOfWork
from support import two_draft_rules


def _store() -> InMemoryStore:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        uow.policies.add(two_draft_rules())
        uow.commit()
    return store


def test_two_units_of_work_never_share_a_policy_object() -> None:
    store = _store()
    with InMemoryUnitOfWork(store) as first, InMemoryUnitOfWork(store) as second:
        assert first.policies.get("checkout") is first.policies.get("checkout")
        assert first.policies.get("checkout") is not second.policies.get("checkout")


def test_a_committed_policy_stays_the_tracked_baseline_of_its_unit_of_work() -> None:
    store = _store()
    with InMemoryUnitOfWork(store) as uow:
        held = uow.policies.get("checkout")
        held.activate_rule("latency")
        assert store.load("checkout")[1].rule_state("latency").value == "draft"
        uow.commit()
        assert uow.policies.get("checkout") is held
        assert store.load("checkout")[0] == 2


def test_a_policy_held_after_its_block_is_never_saved() -> None:
    store = _store()
    with InMemoryUnitOfWork(store) as uow:
        held = uow.policies.get("checkout")
    held.activate_rule("errors")
    uow.commit()  # the block has ended: the map is empty, nothing is written
    version, stored = store.load("checkout")
    assert version == 1
    assert stored.rule_state("errors").value == "draft"
