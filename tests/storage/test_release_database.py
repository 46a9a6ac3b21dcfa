"""The kept database: a file written by release 1.1 opens, reads and migrates without loss.

``tests/fixtures/release-1.1.db`` was written by release 1.1 (schema version 1, documents
without a format version) by ``tests/fixtures/make_release_database.py``. Every test works
on a copy; the fixture itself is never opened for writing.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from service_monitoring import MonitoringRuntime, StoreUnavailable
from service_monitoring.storage import SqliteStore
from service_monitoring.storage.codec import encode_alert, encode_event, encode_policy, encode_view
from service_monitoring.storage.migration import migrate, plan_migration
from service_monitoring.storage.sqlite_schema import SCHEMA_VERSION

from ..fixtures.make_release_database import write

FIXTURE = Path(__file__).parent.parent / "fixtures" / "release-1.1.db"
TABLES = ("policies", "events", "policy_views", "outbox")


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    copy = tmp_path / "monitoring.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


def _state(path: Path) -> dict[str, object]:
    """Everything a reader sees, as plain documents in today's format."""
    with SqliteStore(path, read_only=True) as store:
        ids = store.policy_ids()
        return {
            "policies": {pid: encode_policy(store.load(pid)[1]) for pid in ids},
            "versions": {pid: store.load(pid)[0] for pid in ids},
            "views": {pid: encode_view(store.view(pid)) for pid in ids},
            "events": {pid: [encode_event(e) for e in store.event_log(pid)] for pid in ids},
            "pending": [
                (encode_alert(entry.alert), entry.enqueued_at, entry.attempts)
                for entry in store.pending_deliveries(100)
            ],
        }


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        rows = {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in TABLES
        }
    db.close()
    return rows


def _user_version(path: Path) -> int:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    db.close()
    return int(version)


def test_the_fixture_is_a_release_1_1_file() -> None:
    assert _user_version(FIXTURE) == 1
    rows = _rows(FIXTURE)
    assert all('"format"' not in row[-1] for row in rows["policies"])
    assert {table: len(found) for table, found in rows.items()} == {
        "policies": 2,
        "events": 17,
        "policy_views": 2,
        "outbox": 4,
    }


def test_an_old_file_reads_without_migrating(old_file: Path) -> None:
    state = _state(old_file)
    assert sorted(state["policies"]) == ["billing", "checkout"]  # type: ignore[arg-type]
    assert len(state["pending"]) == 2  # type: ignore[arg-type]
    assert old_file.read_bytes() == FIXTURE.read_bytes()


def test_a_write_to_an_old_file_names_the_migrate_command_and_changes_nothing(
    old_file: Path,
) -> None:
    with pytest.raises(StoreUnavailable) as refused:
        MonitoringRuntime(database=old_file)
    assert f"run `service-monitoring migrate --database {old_file}`" in str(refused.value)
    assert old_file.read_bytes() == FIXTURE.read_bytes()


def test_a_dry_run_plans_every_document_and_writes_nothing(old_file: Path) -> None:
    plan = plan_migration(old_file)
    assert (plan.from_version, plan.to_version, plan.needed) == (1, SCHEMA_VERSION, True)
    assert dict(plan.documents) == {
        "policies": 2,
        "events": 17,
        "read models": 2,
        "outbox entries": 4,
    }
    assert old_file.read_bytes() == FIXTURE.read_bytes()


def test_migrating_keeps_every_policy_incident_and_pending_delivery(old_file: Path) -> None:
    before = _state(old_file)
    done = migrate(old_file)
    assert (done.from_version, done.to_version, done.total) == (1, SCHEMA_VERSION, 25)
    assert _user_version(old_file) == SCHEMA_VERSION
    assert _state(old_file) == before
    backup = old_file.with_name("monitoring.db.schema-1.bak")
    assert _rows(backup) == _rows(FIXTURE)
    assert _user_version(backup) == 1


def test_the_migrated_file_equals_what_today_writes_from_the_same_history(
    old_file: Path, tmp_path: Path
) -> None:
    migrate(old_file)
    today = tmp_path / "today.db"
    write(today)
    assert _rows(old_file) == _rows(today)


def test_a_migrated_file_takes_writes_and_delivers_what_was_pending(old_file: Path) -> None:
    migrate(old_file)
    with MonitoringRuntime(database=old_file) as runtime:
        delivered = runtime.deliver_pending()
        assert (delivered, runtime.pending_count()) == (2, 0)


def test_migrating_twice_changes_nothing_the_second_time(old_file: Path) -> None:
    migrate(old_file)
    once = old_file.read_bytes()
    again = migrate(old_file)
    assert (again.needed, again.total) == (False, 0)
    assert old_file.read_bytes() == once


def test_an_unreadable_document_stops_the_migration_with_nothing_changed(old_file: Path) -> None:
    with sqlite3.connect(old_file) as db:  # the last table: the others were rewritten by then
        db.execute(
            "UPDATE outbox SET document = json_set(document, '$.severity', 'urgent') "
            "WHERE seq = (SELECT max(seq) FROM outbox)"
        )
    db.close()
    damaged = old_file.read_bytes()
    with pytest.raises(StoreUnavailable, match=r"outbox 'inc-[0-9a-f]+' cannot be migrated"):
        migrate(old_file)
    assert old_file.read_bytes() == damaged
    assert not old_file.with_name("monitoring.db.schema-1.bak").exists()


def test_an_existing_backup_is_never_overwritten(old_file: Path) -> None:
    backup = old_file.with_name("monitoring.db.schema-1.bak")
    backup.write_bytes(b"keep me")
    with pytest.raises(Exception, match="exists already"):
        migrate(old_file)
    assert backup.read_bytes() == b"keep me"
    assert old_file.read_bytes() == FIXTURE.read_bytes()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service_monitoring", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_migrate_command_dry_run_then_migrate_then_nothing_to_do(old_file: Path) -> None:
    dry = _cli("migrate", "--database", str(old_file), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "events              17 to rewrite" in dry.stdout
    assert "dry run: nothing written" in dry.stdout
    assert old_file.read_bytes() == FIXTURE.read_bytes()
    done = _cli("migrate", "--database", str(old_file))
    assert done.returncode == 0, done.stderr
    assert (
        "migrated: schema version 1 -> 2 in one transaction; 25 documents rewritten" in done.stdout
    )
    again = _cli("migrate", "--database", str(old_file))
    assert (again.returncode, again.stdout.split(";")[-1].strip()) == (0, "nothing to do")


def test_the_incidents_command_reads_an_old_file(old_file: Path) -> None:
    result = _cli("incidents", "--database", str(old_file))
    assert result.returncode == 0, result.stderr
    assert "Open incidents (3)" in result.stdout
    assert "Pending deliveries: 2" in result.stdout


def test_the_deliver_command_on_an_old_file_says_which_command_to_run(old_file: Path) -> None:
    result = _cli("deliver", "--database", str(old_file), "--webhook", "http://127.0.0.1:9/x")
    assert result.returncode == 4
    assert f"run `service-monitoring migrate --database {old_file}`" in result.stderr
    assert old_file.read_bytes() == FIXTURE.read_bytes()
