"""Migrating a SQLite database in place: plan, back up, rewrite in one transaction.

Internal module: the ``service-monitoring migrate`` command calls
:func:`plan_migration` and :func:`migrate`.

A migration brings a file of an older schema version to
:data:`~service_monitoring.storage.sqlite_schema.SCHEMA_VERSION`. Every stored
document is decoded -- the codec upcasts it and the domain's constructors check
it, exactly as a read would -- and encoded again in today's format. So a
document that no longer makes sense stops the migration, with its table and
key, before anything is written. The rest is the same all-or-nothing rule as
every write of the store:

* the file is copied to a backup first, under the migration's write lock
  (SQLite's online backup through a second connection), so the copy is exactly
  the state the migration starts from;
* the rewrite and the new ``user_version`` commit in one ``BEGIN IMMEDIATE``
  transaction: a failure, a crash or a kill leaves the file as it was;
* a file already at the current version is left alone, so running twice is safe.

>>> import tempfile, pathlib
>>> from service_monitoring import MonitoringRuntime
>>> folder = tempfile.TemporaryDirectory()
>>> path = pathlib.Path(folder.name, "monitoring.db")
>>> MonitoringRuntime(database=path).close()        # a new file: already current
>>> plan_migration(path).needed
False
>>> folder.cleanup()
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..domain.errors import DomainError, NotADatabase, ServiceMonitoringError, StoreUnavailable
from ..domain.modes import ModeRegistry
from .codec import (
    FORMAT_VERSION,
    decode_alert,
    decode_event,
    decode_policy,
    decode_view,
    dumps,
    encode_alert,
    encode_event,
    encode_policy,
    encode_view,
    loads,
)
from .sqlite_schema import SCHEMA_VERSION, create_tables, schema_version

__all__ = ["MigrationPlan", "default_backup", "migrate", "plan_migration"]


@dataclass(frozen=True, slots=True)
class _Table:
    """One table of documents: how to name a row and how to rewrite its document."""

    name: str
    key: str
    label: str
    rewrite: Callable[[Any, ModeRegistry | None], Any]


_TABLES: Final = (
    _Table(
        "policies",
        "policy_id",
        "policies",
        lambda data, modes: encode_policy(decode_policy(data, modes=modes)),
    ),
    _Table(
        "events",
        "policy_id || ' #' || seq",
        "events",
        lambda data, modes: encode_event(decode_event(data)),
    ),
    _Table(
        "policy_views",
        "policy_id",
        "read models",
        lambda data, modes: encode_view(decode_view(data)),
    ),
    _Table(
        "outbox",
        "incident_id",
        "outbox entries",
        lambda data, modes: encode_alert(decode_alert(data)),
    ),
)


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """What a migration of *path* does: the versions, and the documents per table it rewrites.

    ``documents`` pairs each table's label with how many of its documents are in
    an older format than :data:`~service_monitoring.storage.codec.FORMAT_VERSION`.
    """

    path: Path
    from_version: int
    to_version: int
    documents: tuple[tuple[str, int], ...]

    @property
    def needed(self) -> bool:
        """Whether the file is older than this release's schema."""
        return self.from_version < self.to_version

    @property
    def total(self) -> int:
        """How many documents the migration rewrites."""
        return sum(count for _, count in self.documents)


def default_backup(path: Path) -> Path:
    """Where the backup of *path* goes unless the caller names a file.

    >>> default_backup(Path("/srv/monitoring.db"))
    PosixPath('/srv/monitoring.db.schema-1.bak')
    """
    return path.with_name(f"{path.name}.schema-{SCHEMA_VERSION - 1}.bak")


def plan_migration(path: Path) -> MigrationPlan:
    """Read *path* (read-only) and say what :func:`migrate` would do; change nothing."""
    with _connected(path, read_only=True) as db:
        found = schema_version(db, path)
        counts = tuple((table.label, _old_documents(db, table)) for table in _TABLES)
    return MigrationPlan(path, found, SCHEMA_VERSION, counts)


def migrate(
    path: Path, *, backup: Path | None = None, modes: ModeRegistry | None = None
) -> MigrationPlan:
    """Upgrade *path* to the current schema, all or nothing; return what was done.

    A file already current is left untouched (no backup is written). Otherwise the
    file is first copied to *backup* (default :func:`default_backup`), which must
    not exist yet; then every document is rewritten and the version stamped in one
    transaction. A document that cannot be read raises
    :class:`~service_monitoring.StoreUnavailable` naming its table and key; the
    file is left as it was, and the backup is removed again. *modes* must know every
    mode the stored rules name.
    """
    target = default_backup(path) if backup is None else backup
    with _connected(path, read_only=False) as db:
        db.execute("BEGIN IMMEDIATE")  # no other writer from here to COMMIT
        try:
            found = schema_version(db, path)
            if found >= SCHEMA_VERSION:
                db.execute("ROLLBACK")
                return MigrationPlan(path, found, SCHEMA_VERSION, ())
            if target.exists():
                raise DomainError(
                    f"backup {target} exists already; move it away or name another "
                    "file for the backup"
                )
            _back_up(path, target)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        try:
            counts = tuple((table.label, _rewrite(db, table, path, modes)) for table in _TABLES)
            create_tables(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            target.unlink()  # the file is as it was: a copy of it is no longer needed
            raise
        db.execute("COMMIT")
    return MigrationPlan(path, found, SCHEMA_VERSION, counts)


def _back_up(path: Path, target: Path) -> None:
    """Copy *path* to *target* through a second, read-only connection.

    The caller holds the write lock (``BEGIN IMMEDIATE``), which still lets readers
    in: the copy is exactly the state the migration starts from.
    """
    with _connected(path, read_only=True) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


def _old_documents(db: sqlite3.Connection, table: _Table) -> int:
    count = 0
    for (text,) in db.execute(f"SELECT document FROM {table.name}"):  # noqa: S608 - fixed names
        data = loads(text)
        if not isinstance(data, dict) or data.get("format", 1) != FORMAT_VERSION:
            count += 1
    return count


def _rewrite(db: sqlite3.Connection, table: _Table, path: Path, modes: ModeRegistry | None) -> int:
    rows = db.execute(
        f"SELECT rowid, {table.key}, document FROM {table.name}"  # noqa: S608 - fixed names
    ).fetchall()
    rewritten = 0
    for rowid, key, text in rows:
        try:
            data = loads(text)
            document = dumps(table.rewrite(data, modes))
        except (ServiceMonitoringError, ValueError, KeyError, TypeError, RecursionError) as error:
            raise StoreUnavailable(
                f"database {path}: {table.name} {key!r} cannot be migrated "
                f"({type(error).__name__}: {error}); nothing was changed"
            ) from error
        if document != text:
            db.execute(
                f"UPDATE {table.name} SET document = ? WHERE rowid = ?",  # noqa: S608
                (document, rowid),
            )
            rewritten += 1
    return rewritten


@contextmanager
def _connected(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    """A connection to the existing file *path*, every sqlite3 error named as the store's."""
    if not (path.is_file() and path.stat().st_size > 0):
        raise NotADatabase(f"database {path}: no such database")
    try:
        uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
        db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5.0)
    except sqlite3.Error as error:
        raise StoreUnavailable(f"database {path}: {error}") from error
    try:
        yield db
    except sqlite3.DatabaseError as error:
        if "not a database" in str(error):
            raise NotADatabase(f"database {path}: not a service-monitoring database") from error
        raise StoreUnavailable(f"database {path}: {error}") from error
    finally:
        db.close()
