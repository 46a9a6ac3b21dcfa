"""Which database files the commands open, and how.

``incidents`` only reads; ``deliver`` writes delivery state but creates nothing; no command
writes to another application's SQLite file, and a file that is not ours (or missing, or
empty) is rejected input: exit 2, the file left byte-identical.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from service_monitoring.cli.app import main

NOT_OURS = "not a service-monitoring database"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def foreign_database(path: Path) -> bytes:
    """Another application's SQLite file: its own table, no schema version; returns its bytes."""
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("INSERT INTO customers (name) VALUES ('Ada')")
    raw.close()
    return path.read_bytes()


def tables(path: Path) -> list[str]:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as raw:
        rows = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    raw.close()
    return sorted(name for (name,) in rows)


@pytest.fixture
def stored(capsys, policy_path, samples_path, tmp_path) -> Path:
    """A database of ours with one open incident."""
    database = tmp_path / "monitoring.db"
    assert run(capsys, "run", "--policy", policy_path, "--samples", samples_path(320),
               "--database", database)[0] == 0  # fmt: skip
    return database


@pytest.mark.parametrize(
    "argv",
    [
        ["incidents"],
        ["incidents", "--json"],
        ["deliver", "--webhook", "http://127.0.0.1:9/hooks"],
        ["run", "--policy", "{policy}", "--samples", "{samples}"],
    ],
    ids=["incidents", "incidents-json", "deliver", "run"],
)
def test_another_applications_database_is_refused_with_exit_2_and_left_byte_identical(
    capsys, tmp_path, policy_path, samples_path, argv: list[str]
) -> None:
    crm = tmp_path / "crm.db"
    before = foreign_database(crm)
    files = {"{policy}": str(policy_path), "{samples}": str(samples_path(320))}
    code, out, err = run(capsys, *[files.get(a, a) for a in argv], "--database", crm)
    assert (code, out) == (2, "")
    assert err.startswith(f"service-monitoring: error: database {crm}: {NOT_OURS}")
    assert err.count("\n") == 1
    assert crm.read_bytes() == before
    assert tables(crm) == ["customers"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["crm.db", "policy.toml", "samples.json"]
    )


def test_incidents_opens_the_database_read_only(capsys, stored: Path) -> None:
    before = stored.read_bytes()
    for argv in (["incidents"], ["incidents", "--json"]):
        code, out, err = run(capsys, *argv, "--database", stored)
        assert (code, err) == (0, "")
        assert "inc-" in out
    assert stored.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [["incidents"], ["incidents", "--json"], ["deliver", "--webhook", "http://127.0.0.1:9/h"]],
    ids=["incidents", "incidents-json", "deliver"],
)
def test_an_empty_file_is_no_database_and_stays_empty(capsys, tmp_path, argv) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    code, out, err = run(capsys, *argv, "--database", empty)
    assert (code, out) == (2, "")
    assert err == f"service-monitoring: error: {empty}: no such database\n"
    assert empty.read_bytes() == b""
    assert [p.name for p in tmp_path.iterdir()] == ["empty.db"]


def test_deliver_with_nothing_pending_leaves_the_database_untouched(
    capsys, stored: Path, endpoint
) -> None:
    before = stored.read_bytes()
    code, out, err = run(capsys, "deliver", "--database", stored, "--webhook", endpoint.url)
    assert (code, out, err) == (0, "Delivered 0 incidents; 0 pending\n", "")
    assert stored.read_bytes() == before
    assert endpoint.requests == []


def test_a_database_of_ours_is_still_refused_with_exit_4_when_unreadable(capsys, write) -> None:
    garbage = write("garbage.db", b"not a database at all" * 200)
    code, out, err = run(capsys, "incidents", "--database", garbage)
    assert (code, out) == (4, "")
    assert err.startswith(f"service-monitoring: error: database {garbage}: ")
    assert garbage.read_bytes() == b"not a database at all" * 200
