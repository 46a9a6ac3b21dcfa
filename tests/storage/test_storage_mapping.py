"""What the SQLite mapping writes where, and what it never writes.

Module 06's lesson on mapping domain objects to storage cites these tests.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from service_monitoring import MonitoringRuntime
from service_monitoring.storage.codec import decode_policy, encode_policy
from support import T0, latency_policy, sample


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(sql).fetchall()
    db.close()
    return rows


def test_one_cycle_fills_each_table_with_what_it_owns(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with MonitoringRuntime(database=path, clock=lambda: T0) as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300)], deliver=False)
    counts = {
        table: _rows(path, f"SELECT COUNT(*) FROM {table}")[0][0]
        for table in ("policies", "events", "policy_views", "outbox", "outbox_leases")
    }
    assert counts == {
        "policies": 1,
        "events": 3,
        "policy_views": 1,
        "outbox": 1,
        "outbox_leases": 0,
    }
    events = _rows(path, "SELECT seq, recorded_at, document FROM events ORDER BY seq")
    assert [(seq, json.loads(doc)["type"]) for seq, _, doc in events] == [
        (1, "RuleAdded"),
        (2, "RuleActivated"),
        (3, "IncidentOpened"),
    ]
    assert {recorded_at for _, recorded_at, _ in events} == {T0.isoformat()}


def test_the_version_lives_in_its_own_column_not_in_the_document(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with MonitoringRuntime(database=path, clock=lambda: T0) as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300)], deliver=False)
        runtime.run_cycle("checkout", [sample("http.latency_ms", 100, 1)], deliver=False)
    [(version, document)] = _rows(path, "SELECT version, document FROM policies")
    assert version == 3
    assert "version" not in json.loads(document)


def test_a_stored_policy_holds_state_and_no_pending_events_revision_or_modes() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 300)])
    assert policy.has_pending_events
    document = encode_policy(policy)
    assert set(document) == {"format", "type", "policy_id", "rules", "seen", "recent", "open"}
    assert all(set(rule) >= {"mode", "state"} for rule in document["rules"])
    restored = decode_policy(document)
    assert not restored.has_pending_events
    assert restored.open_incidents() == policy.open_incidents()
    assert restored.last_evaluated("http.latency_ms") == policy.last_evaluated("http.latency_ms")
    assert restored.modes is policy.modes  # the reader's registry, not anything from the file
