"""The SQLite schema: its tables, its version, and how a file is prepared for use.

Internal module: :class:`~service_monitoring.storage.SqliteStore` calls
:func:`prepare_schema` when it opens a file.

The schema version is kept in ``PRAGMA user_version``. A file written by a
newer release (a higher version) is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from ..domain.errors import StoreUnavailable

__all__ = ["SCHEMA_VERSION", "prepare_schema"]

#: The schema this code writes; a file with a newer one is refused.
SCHEMA_VERSION: Final = 1

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
"""


def prepare_schema(db: sqlite3.Connection, path: Path) -> None:
    """Create the tables *db* lacks and stamp the schema version, inside the caller's transaction.

    A file whose schema version is newer than :data:`SCHEMA_VERSION` is refused
    with :class:`~service_monitoring.StoreUnavailable` naming *path*.
    """
    (found,) = db.execute("PRAGMA user_version").fetchone()
    if found > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"database {path}: schema version {found} is newer than this "
            f"package supports ({SCHEMA_VERSION})"
        )
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
