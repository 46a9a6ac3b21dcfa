"""Adapters and their translations: a store written against the port, the codec as a guard.

The claims of Module 04's "Adapters and bridges" lesson that no other test proves: a store that
only implements the port gets the unit of work unchanged, the unit of work's two subclasses each
pin their store, and the codec refuses stored values exactly as the model refuses new input.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from service_monitoring import ConcurrencyConflict, DomainError, MonitoringPolicy, ThresholdRule
from service_monitoring.storage import (
    Change,
    InMemoryStore,
    InMemoryUnitOfWork,
    SqliteStore,
    StoreUnitOfWork,
)
from service_monitoring.storage.codec import decode_alert, decode_event, encode_alert, encode_event
from support import T0, latency_policy, sample


class CountingStore:
    """A third store: it delegates to an in-memory store and counts the commits it receives."""

    def __init__(self, inner: InMemoryStore) -> None:
        self._inner = inner
        self.commits = 0

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        self._inner.commit(changes, at=at)
        self.commits += 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_store_written_against_the_port_gets_the_unit_of_work_unchanged() -> None:
    store = CountingStore(InMemoryStore())
    with StoreUnitOfWork(store, clock=lambda: T0) as uow:  # type: ignore[arg-type]
        uow.policies.add(latency_policy(active=False))
        uow.commit()
        uow.policies.get("checkout").activate_rule("latency")
        uow.commit()
        uow.commit()  # nothing changed: nothing reaches the store
    assert store.commits == 2
    version, loaded = store.load("checkout")
    assert version == 2
    assert loaded.rule_state("latency").value == "active"
    assert store.view("checkout").active_rules == ("latency",)

    with (
        StoreUnitOfWork(store, clock=lambda: T0) as first,  # type: ignore[arg-type]
        StoreUnitOfWork(store, clock=lambda: T0) as second,  # type: ignore[arg-type]
    ):
        first.policies.get("checkout").evaluate([sample("http.latency_ms", 320)])
        second.policies.get("checkout").retire_rule("latency", "replaced")
        first.commit()
        with pytest.raises(ConcurrencyConflict, match="loaded at version 2"):
            second.commit()
    assert store.commits == 3
    assert store.load("checkout")[1].rule_state("latency").value == "active"


def test_each_unit_of_work_subclass_pins_its_store(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "monitoring.db") as sqlite_store:
        with pytest.raises(DomainError, match="store must be an InMemoryStore, got SqliteStore"):
            InMemoryUnitOfWork(sqlite_store)  # type: ignore[arg-type]
        with StoreUnitOfWork(sqlite_store) as uow:  # the general one takes either
            uow.policies.add(MonitoringPolicy("checkout"))
            uow.commit()
        assert sqlite_store.policy_ids() == ("checkout",)


def _stored_alert(**changes: object) -> dict[str, object]:
    policy = latency_policy()
    (alert,) = policy.evaluate([sample("http.latency_ms", 320)])
    return {**encode_alert(alert), **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"severity": "urgent"}, "severity must be one of warning, critical"),
        ({"observed_at": "2026-11-21T10:00:00"}, "must be timezone-aware"),
        ({"observed_at": "yesterday"}, "unreadable timestamp"),
        ({"observed_value": float("nan")}, "observed_value"),
        ({"rule_id": ""}, "rule_id"),
    ],
    ids=["unknown-severity", "naive-timestamp", "not-a-timestamp", "nan-value", "empty-rule-id"],
)
def test_the_codec_refuses_stored_values_the_model_refuses(
    changes: dict[str, object], message: str
) -> None:
    original = decode_alert(_stored_alert())
    assert decode_alert(encode_alert(original)) == original  # untouched, it round-trips
    with pytest.raises(DomainError, match=message):
        decode_alert(_stored_alert(**changes))


def test_the_codec_refuses_an_event_type_the_model_does_not_have() -> None:
    with pytest.raises(DomainError, match="unknown event type 'RuleRenamed'"):
        decode_event({"type": "RuleRenamed", "policy_id": "checkout"})
    with pytest.raises(DomainError, match="window must be a whole number from 1"):
        decode_event(
            {
                "type": "RuleAdded",
                "policy_id": "checkout",
                "rule": {
                    **{"rule_id": "latency", "metric": "http.latency_ms", "threshold": 250.0},
                    **{"severity": "critical", "window": 0, "mode": "threshold"},
                },
            }
        )


def test_a_rule_decoded_from_storage_is_the_rule_that_was_stored() -> None:
    rule = ThresholdRule("cpu", "cpu.utilisation", 0.9, "warning", window=3, mode="consecutive")
    policy = MonitoringPolicy("checkout")
    policy.add_rule(rule)
    (added,) = policy.collect_events()
    assert decode_event(encode_event(added)) == added
