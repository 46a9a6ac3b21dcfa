"""Outbox leases: one deliverer at a time per entry, and a lease never outlives its use."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from service_monitoring import Alert, DeliveryPolicy, MonitoringRuntime, PublicationFailed
from service_monitoring.storage import (
    InMemoryStore,
    InMemoryUnitOfWork,
    LeasingStore,
    SqliteStore,
    SqliteUnitOfWork,
    StoreUnitOfWork,
)
from support import T0, latency_policy, sample

LATER = T0 + timedelta(minutes=5)


@pytest.fixture
def store(store_kind: str, tmp_path: Path) -> Iterator[LeasingStore]:
    """A store of each kind whose outbox holds three incidents (three policies)."""
    leasing: LeasingStore
    if store_kind == "memory":
        leasing = InMemoryStore()
        unit: type[StoreUnitOfWork] = InMemoryUnitOfWork
    else:
        leasing = SqliteStore(tmp_path / "leases.db")
        unit = SqliteUnitOfWork
    for name in ("a", "b", "c"):
        policy = latency_policy(name)
        policy.evaluate([sample("http.latency_ms", 300)])
        with unit(leasing) as uow:  # type: ignore[arg-type]
            uow.policies.add(policy)
            uow.commit()
    yield leasing
    leasing.close()


def ids(entries: Sequence[object]) -> list[str]:
    return [entry.alert.incident_id for entry in entries]  # type: ignore[attr-defined]


def test_both_stores_lease(store: LeasingStore) -> None:
    assert isinstance(store, LeasingStore)


def test_a_claimed_entry_is_skipped_by_another_owner_until_its_lease_ends(
    store: LeasingStore,
) -> None:
    first = store.claim_pending(2, owner="one", now=T0, until=LATER)
    assert len(first) == 2
    second = store.claim_pending(10, owner="two", now=T0, until=LATER)
    assert ids(second) == ids(store.pending_deliveries(3))[2:]
    assert store.claim_pending(10, owner="three", now=T0, until=LATER) == []
    assert ids(store.claim_pending(10, owner="one", now=T0, until=LATER)) == ids(first)
    expired = store.claim_pending(10, owner="three", now=LATER, until=LATER + timedelta(1))
    assert len(expired) == 3
    assert store.pending_count() == 3  # a lease hides nothing from readers


def test_a_release_or_a_delivery_ends_the_lease(store: LeasingStore) -> None:
    claimed = ids(store.claim_pending(3, owner="one", now=T0, until=LATER))
    store.release(claimed[:1], owner="someone else")  # only the owner can release
    assert store.claim_pending(3, owner="two", now=T0, until=LATER) == []
    store.release(claimed[:1], owner="one")
    store.mark_delivered(claimed[1:2], at=T0)
    assert ids(store.claim_pending(3, owner="two", now=T0, until=LATER)) == claimed[:1]
    assert store.pending_count() == 2


class GatedSink:
    """Records what it receives; the first publish waits until the gate opens."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.entered = threading.Event()
        self.gate = threading.Event()

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.entered.set()
        assert self.gate.wait(timeout=10)
        self.received.extend(alert.incident_id for alert in alerts)


class Down:
    def publish(self, alerts: Sequence[Alert]) -> None:
        raise ConnectionError("down")


def backlog_of_three(path: Path) -> None:
    """Three incidents committed while the sink was down: they wait in the outbox."""
    with MonitoringRuntime(
        database=path, sink=Down(), delivery=DeliveryPolicy(attempts=1)
    ) as runtime:
        for name in ("a", "b", "c"):
            runtime.register_policy(latency_policy(name))
            with pytest.raises(PublicationFailed):
                runtime.run_cycle(name, [sample("http.latency_ms", 300)])
        assert runtime.pending_count() == 3


def test_two_deliverers_at_once_send_each_incident_once(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    backlog_of_three(path)
    slow, fast = GatedSink(), GatedSink()
    fast.gate.set()
    with (
        MonitoringRuntime(database=path, sink=slow) as one,
        MonitoringRuntime(database=path, sink=fast) as two,
    ):
        worker = threading.Thread(target=one.deliver_pending)
        worker.start()
        assert slow.entered.wait(timeout=10)  # one holds the whole backlog, mid-publish
        assert two.deliver_pending() == 0  # two skips what one holds
        slow.gate.set()
        worker.join(timeout=10)
        assert len(slow.received) == 3
        assert fast.received == []
        assert two.pending_count() == 0


def test_a_failed_delivery_releases_its_lease_for_the_next_deliverer(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    backlog_of_three(path)  # each failed delivery above released its batch
    with MonitoringRuntime(database=path) as runtime:
        assert runtime.deliver_pending() == 3
