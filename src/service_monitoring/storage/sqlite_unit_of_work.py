"""The SQLite unit of work: borrow an open store, or own one for the length of a ``with`` block.

Internal module: import :class:`SqliteUnitOfWork` from the public
:mod:`service_monitoring.storage` namespace.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Self

from ..domain.clock import Clock
from ..domain.modes import ModeRegistry
from .sqlite import SqliteStore, check_database_path
from .unit_of_work import StoreUnitOfWork

__all__ = ["SqliteUnitOfWork"]


class SqliteUnitOfWork(StoreUnitOfWork):
    """A unit of work over a SQLite store.

    Given a store it borrows it and leaves it open. Given a path it owns its
    own :class:`SqliteStore`: it opens it when the ``with`` block starts and
    closes it when the block ends, so nothing is held open between blocks and
    the object can be entered again.

    >>> import pathlib, tempfile
    >>> from service_monitoring import MonitoringPolicy
    >>> folder = tempfile.TemporaryDirectory()
    >>> uow = SqliteUnitOfWork(pathlib.Path(folder.name, "monitoring.db"))
    >>> with uow:
    ...     uow.policies.add(MonitoringPolicy("checkout"))
    ...     uow.commit()
    >>> uow.store is None                      # closed again after the block
    True
    >>> with uow:
    ...     uow.policies.get("checkout").policy_id
    'checkout'
    >>> folder.cleanup()
    """

    def __init__(
        self,
        database: str | os.PathLike[str] | SqliteStore,
        *,
        modes: ModeRegistry | None = None,
        clock: Clock | None = None,
    ) -> None:
        if isinstance(database, SqliteStore):
            self._path: str | os.PathLike[str] | None = None
            super().__init__(database, clock=clock)
        else:
            self._path = check_database_path(database)
            super().__init__(None, clock=clock)
        self._modes = modes

    @property
    def store(self) -> SqliteStore | None:
        """The store in use: borrowed, or owned and open only inside the ``with`` block."""
        assert self._store is None or isinstance(self._store, SqliteStore)
        return self._store

    def __enter__(self) -> Self:
        if self._path is not None and self._store is None:
            self._store = SqliteStore(self._path, modes=self._modes)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            if self._path is not None and self._store is not None:
                self._store.close()
                self._store = None
