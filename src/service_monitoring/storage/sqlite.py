"""The SQLite store: durable state in one file.

Internal module: import :class:`SqliteStore` from the public
:mod:`service_monitoring.storage` namespace (its unit of work is in
:mod:`service_monitoring.storage.sqlite_unit_of_work`).

One connection per store, in autocommit mode, so every write runs in an
explicit ``BEGIN IMMEDIATE`` transaction that either commits whole or rolls
back whole. Policies are stored as codec documents with a version number; a
commit updates a policy only ``WHERE version = ?``, which is the optimistic
check that makes a concurrent writer fail with
:class:`~service_monitoring.ConcurrencyConflict` instead of being overwritten.
Every :mod:`sqlite3` error is translated at this boundary into
:class:`~service_monitoring.StoreUnavailable`, naming the file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from ..domain.errors import (
    ConcurrencyConflict,
    DomainError,
    NotADatabase,
    PolicyNotFound,
    ServiceMonitoringError,
    StoreUnavailable,
)
from ..domain.events import DomainEvent, IncidentOpened
from ..domain.modes import ModeRegistry
from ..domain.policy import MonitoringPolicy
from .codec import (
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
from .port import Change, PendingDelivery, check_version
from .read_models import PolicyView
from .sqlite_schema import check_schema, prepare_schema

__all__ = ["SqliteStore", "check_database_path"]

_T = TypeVar("_T")


def check_database_path(database: object) -> str | os.PathLike[str]:
    """*database* if it is a file path; else :class:`~service_monitoring.DomainError`."""
    if isinstance(database, bytes) or not isinstance(database, str | os.PathLike):
        raise DomainError(f"database must be a path, got {type(database).__name__}")
    return database


class SqliteStore:
    """Policies, event logs, read models and the outbox in one SQLite file.

    The store leases outbox entries (:class:`~service_monitoring.storage.LeasingStore`),
    so two processes delivering from one file do not send the same batch at once.
    The schema is created on first use; a file that holds other tables is refused,
    untouched. With ``read_only=True`` the file is opened read-only and must already
    be a database of this package: nothing is created and every write is refused
    with :class:`~service_monitoring.StoreUnavailable`. The store owns its
    connection: :meth:`close` it, or use it as a context manager.

    >>> import tempfile, pathlib
    >>> from service_monitoring import MonitoringPolicy
    >>> from service_monitoring.storage import SqliteUnitOfWork
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name, "monitoring.db")
    >>> with SqliteStore(path) as store:
    ...     with SqliteUnitOfWork(store) as uow:
    ...         uow.policies.add(MonitoringPolicy("checkout"))
    ...         uow.commit()
    >>> with SqliteStore(path) as reopened:
    ...     reopened.policy_ids()
    ('checkout',)
    >>> folder.cleanup()
    """

    def __init__(
        self,
        database: str | os.PathLike[str],
        *,
        modes: ModeRegistry | None = None,
        read_only: bool = False,
    ) -> None:
        check_database_path(database)
        if not isinstance(read_only, bool):
            raise DomainError(f"read_only must be True or False, got {read_only!r}")
        self.path = Path(database)
        self.read_only = read_only
        self._modes = modes
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None
        if read_only and not (self.path.is_file() and self.path.stat().st_size > 0):
            # SQLite would report an empty or missing file as an empty database.
            raise NotADatabase(f"database {self.path}: no such database")
        with self._guard():
            self._connection = (
                sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=5.0,
                )
                if read_only
                else sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=5.0
                )
            )
            try:
                self._prepare()
            except BaseException:
                self._connection.close()
                self._connection = None
                raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self._connection is None

    # -- policies ----------------------------------------------------------------------

    def load(self, policy_id: str) -> tuple[int, MonitoringPolicy]:
        row = self._one("SELECT version, document FROM policies WHERE policy_id = ?", policy_id)
        if row is None:
            raise PolicyNotFound(f"no policy {policy_id!r} is stored in {self.path.name}")
        return row[0], self._decode(decode_policy, row[1], modes=self._modes)

    def exists(self, policy_id: str) -> bool:
        return self._one("SELECT 1 FROM policies WHERE policy_id = ?", policy_id) is not None

    def policy_ids(self) -> tuple[str, ...]:
        with self._transaction(write=False) as db:
            return tuple(
                row[0] for row in db.execute("SELECT policy_id FROM policies ORDER BY rowid")
            )

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        stamp = at.isoformat()
        with self._transaction(write=True) as db:
            for change in changes:
                self._write_change(db, change, stamp)

    # -- read models ------------------------------------------------------------------

    def view(self, policy_id: str) -> PolicyView:
        row = self._one("SELECT document FROM policy_views WHERE policy_id = ?", policy_id)
        if row is None:
            if not self.exists(policy_id):
                raise PolicyNotFound(f"no policy {policy_id!r} is stored in {self.path.name}")
            return PolicyView.empty(policy_id)
        return self._decode(decode_view, row[0])

    def event_log(self, policy_id: str) -> tuple[DomainEvent, ...]:
        with self._transaction(write=False) as db:
            return self._events_of(db, policy_id)

    def rebuild_view(self, policy_id: str) -> PolicyView:
        # One write transaction from the read of the log to the write of the view: a
        # commit cannot slip in between and be overwritten by a view that lacks it.
        with self._transaction(write=True) as db:
            view = PolicyView.rebuild(policy_id, self._events_of(db, policy_id))
            db.execute(
                "INSERT OR REPLACE INTO policy_views (policy_id, document) VALUES (?, ?)",
                (policy_id, dumps(encode_view(view))),
            )
        return view

    def _events_of(self, db: sqlite3.Connection, policy_id: str) -> tuple[DomainEvent, ...]:
        """One policy's event log, read inside the caller's transaction."""
        if not isinstance(policy_id, str):
            raise DomainError(f"expected a string id, got {type(policy_id).__name__}")
        if (
            db.execute("SELECT 1 FROM policies WHERE policy_id = ?", (policy_id,)).fetchone()
            is None
        ):
            raise PolicyNotFound(f"no policy {policy_id!r} is stored in {self.path.name}")
        rows = db.execute(
            "SELECT document FROM events WHERE policy_id = ? ORDER BY seq", (policy_id,)
        ).fetchall()
        return tuple(self._decode(decode_event, row[0]) for row in rows)

    # -- outbox ------------------------------------------------------------------------

    def pending_deliveries(self, limit: int) -> list[PendingDelivery]:
        with self._transaction(write=False) as db:
            rows = db.execute(
                "SELECT document, enqueued_at, attempts FROM outbox WHERE delivered_at IS NULL "
                "ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            PendingDelivery(
                self._decode(decode_alert, document),
                datetime.fromisoformat(enqueued_at),
                attempts,
            )
            for document, enqueued_at, attempts in rows
        ]

    def pending_count(self) -> int:
        row = self._one("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
        return 0 if row is None else int(row[0])

    def record_attempt(self, incident_ids: Sequence[str]) -> None:
        with self._transaction(write=True) as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1 WHERE incident_id = ?",
                [(incident_id,) for incident_id in incident_ids],
            )

    def mark_delivered(self, incident_ids: Sequence[str], *, at: datetime) -> None:
        stamp = at.isoformat()
        with self._transaction(write=True) as db:
            db.executemany(
                "UPDATE outbox SET delivered_at = ? WHERE incident_id = ? AND delivered_at IS NULL",
                [(stamp, incident_id) for incident_id in incident_ids],
            )
            db.executemany(
                "DELETE FROM outbox_leases WHERE incident_id = ?",
                [(incident_id,) for incident_id in incident_ids],
            )

    def claim_pending(
        self, limit: int, *, owner: str, now: datetime, until: datetime
    ) -> list[PendingDelivery]:
        with self._transaction(write=True) as db:
            rows = db.execute(
                "SELECT o.incident_id, o.document, o.enqueued_at, o.attempts FROM outbox o "
                "LEFT JOIN outbox_leases l ON l.incident_id = o.incident_id "
                "WHERE o.delivered_at IS NULL AND (l.owner IS NULL OR l.owner = ? OR l.until <= ?) "
                "ORDER BY o.seq LIMIT ?",
                (owner, now.timestamp(), limit),
            ).fetchall()
            db.executemany(
                "INSERT OR REPLACE INTO outbox_leases (incident_id, owner, until) VALUES (?, ?, ?)",
                [(row[0], owner, until.timestamp()) for row in rows],
            )
        return [
            PendingDelivery(
                self._decode(decode_alert, document), datetime.fromisoformat(enqueued_at), attempts
            )
            for _, document, enqueued_at, attempts in rows
        ]

    def release(self, incident_ids: Sequence[str], *, owner: str) -> None:
        with self._transaction(write=True) as db:
            db.executemany(
                "DELETE FROM outbox_leases WHERE incident_id = ? AND owner = ?",
                [(incident_id, owner) for incident_id in incident_ids],
            )

    # -- internals ------------------------------------------------------------------------

    def _prepare(self) -> None:
        with self._transaction(write=not self.read_only) as db:
            if self.read_only:
                check_schema(db, self.path)
            else:
                prepare_schema(db, self.path)

    def _write_change(self, db: sqlite3.Connection, change: Change, stamp: str) -> None:
        policy_id = change.policy_id
        row = db.execute(
            "SELECT version FROM policies WHERE policy_id = ?", (policy_id,)
        ).fetchone()
        check_version(change, None if row is None else row[0])
        document = dumps(encode_policy(change.policy))
        if row is None:
            db.execute(
                "INSERT INTO policies (policy_id, version, document) VALUES (?, 1, ?)",
                (policy_id, document),
            )
        else:
            updated = db.execute(
                "UPDATE policies SET version = version + 1, document = ? "
                "WHERE policy_id = ? AND version = ?",
                (document, policy_id, change.expected_version),
            )
            if updated.rowcount != 1:  # pragma: no cover - guarded by BEGIN IMMEDIATE
                raise ConcurrencyConflict(f"policy {policy_id!r} changed during the commit")
        (last,) = db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE policy_id = ?", (policy_id,)
        ).fetchone()
        db.executemany(
            "INSERT INTO events (policy_id, seq, recorded_at, document) VALUES (?, ?, ?, ?)",
            [
                (policy_id, last + offset, stamp, dumps(encode_event(event)))
                for offset, event in enumerate(change.events, start=1)
            ],
        )
        view_row = db.execute(
            "SELECT document FROM policy_views WHERE policy_id = ?", (policy_id,)
        ).fetchone()
        view = PolicyView.empty(policy_id) if view_row is None else decode_view(loads(view_row[0]))
        db.execute(
            "INSERT OR REPLACE INTO policy_views (policy_id, document) VALUES (?, ?)",
            (policy_id, dumps(encode_view(view.evolve(change.events)))),
        )
        db.executemany(
            "INSERT OR IGNORE INTO outbox (incident_id, policy_id, document, enqueued_at) "
            "VALUES (?, ?, ?, ?)",
            [
                (event.alert.incident_id, policy_id, dumps(encode_alert(event.alert)), stamp)
                for event in change.events
                if isinstance(event, IncidentOpened)
            ],
        )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Translate sqlite3 errors into :class:`StoreUnavailable` naming the file."""
        try:
            yield
        except sqlite3.Error as error:
            raise StoreUnavailable(f"database {self.path}: {error}") from error

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        with self._lock, self._guard():
            db = self._connection
            if db is None:
                raise StoreUnavailable(f"database {self.path}: the store is closed")
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _one(self, sql: str, *params: object) -> Any:
        for value in params:
            if not isinstance(value, str):
                raise DomainError(f"expected a string id, got {type(value).__name__}")
        with self._transaction(write=False) as db:
            return db.execute(sql, params).fetchone()

    def _decode(self, decoder: Callable[..., _T], text: str, **options: Any) -> _T:
        """Decode a stored document; a document that no longer decodes is a damaged store."""
        try:
            return decoder(loads(text), **options)
        except (ServiceMonitoringError, ValueError, KeyError, TypeError, RecursionError) as error:
            raise StoreUnavailable(
                f"database {self.path}: a stored record cannot be read "
                f"({type(error).__name__}: {error})"
            ) from error
