"""Persistence promises the store contract cannot see: a new connection reads what a commit wrote,
leases bind a second process, and a read-only store refuses every write and changes no byte."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from service_monitoring import StoreUnavailable
from service_monitoring.storage import SqliteStore, SqliteUnitOfWork
from support import T0, latency_policy, sample

LATER = T0 + timedelta(minutes=5)


def commit_a_breach(store: SqliteStore) -> str:
    """Commit policy 'checkout' with one open incident; return the incident's id."""
    policy = latency_policy()
    [alert] = policy.evaluate([sample("http.latency_ms", 300)])
    with SqliteUnitOfWork(store) as uow:
        uow.policies.add(policy)
        uow.commit()
    return alert.incident_id


def test_a_commit_is_readable_by_a_new_connection_before_the_writer_closes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "monitoring.db"
    writer = SqliteStore(path)
    try:
        incident_id = commit_a_breach(writer)
        with SqliteStore(path) as reader:  # the writer is still open: durable at commit
            version, policy = reader.load("checkout")
            assert version == writer.load("checkout")[0] == 1
            assert [alert.incident_id for alert in policy.open_incidents()] == [incident_id]
            assert reader.event_log("checkout") == writer.event_log("checkout")
            assert reader.view("checkout") == writer.view("checkout")
            assert reader.pending_deliveries(10) == writer.pending_deliveries(10)
    finally:
        writer.close()


def test_a_lease_outlives_the_store_that_took_it(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with SqliteStore(path) as first:
        incident_id = commit_a_breach(first)
        [claimed] = first.claim_pending(10, owner="one", now=T0, until=LATER)
    with SqliteStore(path) as second:
        early = T0 + timedelta(minutes=1)
        assert second.claim_pending(10, owner="two", now=early, until=LATER) == []
        [taken] = second.claim_pending(10, owner="two", now=LATER, until=LATER + timedelta(1))
        assert taken.alert.incident_id == claimed.alert.incident_id == incident_id


def test_a_read_only_store_refuses_every_write_and_changes_no_byte(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with SqliteStore(path) as store:
        incident_id = commit_a_breach(store)
    before = path.read_bytes()
    with SqliteStore(path, read_only=True) as reader:
        writes: dict[str, Callable[[], object]] = {
            "record_attempt": lambda: reader.record_attempt([incident_id]),
            "mark_delivered": lambda: reader.mark_delivered([incident_id], at=T0),
            "claim_pending": lambda: reader.claim_pending(1, owner="x", now=T0, until=LATER),
            "release": lambda: reader.release([incident_id], owner="x"),
            "rebuild_view": lambda: reader.rebuild_view("checkout"),
        }
        for name, write in writes.items():
            with pytest.raises(StoreUnavailable, match="readonly"):
                write()
            assert reader.pending_count() == 1, name
        with SqliteUnitOfWork(reader) as uow:
            uow.policies.get("checkout").retire_rule("latency", "not allowed")
            with pytest.raises(StoreUnavailable, match="readonly"):
                uow.commit()
        assert reader.load("checkout")[0] == 1
    assert path.read_bytes() == before
