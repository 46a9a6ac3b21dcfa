"""The SQLite schema: its tables, its version, and how a file is prepared for use.

Internal module: :class:`~service_monitoring.storage.SqliteStore` calls
:func:`prepare_schema` when it opens a file.

The schema version is kept in ``PRAGMA user_version``. A file written by a
newer release (a higher version) is refused rather than misread. A file of an
older version is read as it is -- the codec upcasts each document it decodes --
but never written to: :mod:`service_monitoring.storage.migration` upgrades it
first, so a file is never half in one format and half in another.

========  =======================================================================
version   what changed
========  =======================================================================
1         release 1.0: the four tables (``outbox_leases`` added by 1.1 on open)
2         every document carries ``"format": 2``; rules carry ``clear_threshold``
========  =======================================================================
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from ..domain.errors import NotADatabase, StoreUnavailable

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "check_schema",
    "create_tables",
    "prepare_schema",
    "schema_version",
]

#: The schema this code writes; a file with a newer one is refused.
SCHEMA_VERSION: Final = 2
#: The tables every database of this package holds (``outbox_leases`` came later, in the
#: same schema version: a write-open adds it, and reading needs none of it).
TABLES: Final = frozenset({"policies", "events", "policy_views", "outbox"})

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS policies (
    policy_id TEXT PRIMARY KEY,
    version   INTEGER NOT NULL,
    document  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    policy_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (policy_id, seq)
);
CREATE TABLE IF NOT EXISTS policy_views (
    policy_id TEXT PRIMARY KEY,
    document  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  TEXT NOT NULL UNIQUE,
    policy_id    TEXT NOT NULL,
    document     TEXT NOT NULL,
    enqueued_at  TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE delivered_at IS NULL;
CREATE TABLE IF NOT EXISTS outbox_leases (
    incident_id TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    until       REAL NOT NULL
);
"""


def _tables(db: sqlite3.Connection) -> set[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def schema_version(db: sqlite3.Connection, path: Path) -> int:
    """The schema version of *db*, refused unless it is a database of this package.

    Reads only. A version newer than :data:`SCHEMA_VERSION` is refused with
    :class:`~service_monitoring.StoreUnavailable` naming both versions.
    """
    (found,) = db.execute("PRAGMA user_version").fetchone()
    missing = sorted(TABLES - _tables(db))
    if found == 0 or missing:
        raise NotADatabase(f"database {path}: not a service-monitoring database")
    if found > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"database {path}: schema version {found} is newer than this "
            f"package supports ({SCHEMA_VERSION})"
        )
    return int(found)


def check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse *db* unless this package can read it: any schema version up to the current one.

    Reads only: a read-only store calls it instead of :func:`prepare_schema`.
    """
    schema_version(db, path)


def create_tables(db: sqlite3.Connection) -> None:
    """Create whichever tables *db* lacks (every statement is ``IF NOT EXISTS``)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def prepare_schema(db: sqlite3.Connection, path: Path) -> None:
    """Create the tables *db* lacks and stamp the schema version, inside the caller's transaction.

    A file whose schema version is newer than :data:`SCHEMA_VERSION` is refused with
    :class:`~service_monitoring.StoreUnavailable` naming *path*, and so is an older one,
    with the command that migrates it. A file with no schema version that already holds
    tables is another application's database: :class:`~service_monitoring.NotADatabase`.
    All are refused before anything is written.
    """
    (found,) = db.execute("PRAGMA user_version").fetchone()
    if found > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"database {path}: schema version {found} is newer than this "
            f"package supports ({SCHEMA_VERSION})"
        )
    if 0 < found < SCHEMA_VERSION:
        raise StoreUnavailable(
            f"database {path}: schema version {found} must be migrated to {SCHEMA_VERSION} "
            f"before this release writes to it; run `service-monitoring migrate --database "
            f"{path}` (read-only commands work without it)"
        )
    if found == 0 and _tables(db):
        raise NotADatabase(
            f"database {path}: not a service-monitoring database (it holds other tables)"
        )
    create_tables(db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
