"""Which files the SQLite store opens, and how: read-only for queries, never someone else's file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from service_monitoring import MonitoringRuntime, StoreUnavailable
from service_monitoring.storage import SqliteStore
from support import latency_policy


def foreign_database(path: Path) -> bytes:
    """Another application's SQLite file: its own table, no schema version; returns its bytes."""
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("INSERT INTO customers (name) VALUES ('Ada')")
    raw.close()
    return path.read_bytes()


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_another_applications_database_is_refused_and_left_byte_identical(
    tmp_path: Path, read_only: bool
) -> None:
    path = tmp_path / "crm.db"
    before = foreign_database(path)
    with pytest.raises(StoreUnavailable, match="not a service-monitoring database"):
        SqliteStore(path, read_only=read_only)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]


@pytest.mark.parametrize("content", [None, b""], ids=["missing", "empty"])
def test_a_read_only_store_needs_an_existing_database(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "monitoring.db"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(StoreUnavailable, match="no such database"):
        SqliteStore(path, read_only=True)
    assert (path.read_bytes() if path.exists() else None) == content


def test_a_read_only_runtime_reads_and_refuses_every_change(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with MonitoringRuntime(database=path) as runtime:
        runtime.register_policy(latency_policy())
    before = path.read_bytes()
    with MonitoringRuntime(database=path, read_only=True) as reader:
        assert reader.policy_ids() == ("checkout",)
        assert reader.active_rules("checkout") == ("latency",)
        with pytest.raises(StoreUnavailable, match="readonly"):
            reader.retire_rule("checkout", "latency", "not allowed here")
        with pytest.raises(StoreUnavailable, match="readonly"):
            reader.register_policy(latency_policy("billing"))
    assert path.read_bytes() == before


def test_read_only_needs_a_database() -> None:
    with pytest.raises(ValueError, match="read_only needs a database"):
        MonitoringRuntime(read_only=True)
