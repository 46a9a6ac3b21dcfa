"""Fixtures shared by the capstone's tests: one store of each kind, runtime databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service_monitoring import (
    InMemoryStore,
    InMemoryUnitOfWork,
    SqliteStore,
    SqliteUnitOfWork,
    UnitOfWork,
)

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(params=["memory", "sqlite"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def uow_factory(store_kind: str, tmp_path: Path) -> Iterator[UowFactory]:
    """Units of work that share one store of the parametrised kind."""
    if store_kind == "memory":
        memory = InMemoryStore()
        yield lambda: InMemoryUnitOfWork(memory)
    else:
        sqlite = SqliteStore(tmp_path / "contract.db")
        try:
            yield lambda: SqliteUnitOfWork(sqlite)
        finally:
            sqlite.close()


@pytest.fixture
def database(store_kind: str, tmp_path: Path) -> Path | None:
    """``None`` (in memory) or a SQLite path, for MonitoringRuntime(database=...)."""
    return None if store_kind == "memory" else tmp_path / "runtime.db"
