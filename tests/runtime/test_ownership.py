"""Whoever opens a resource closes it: counted, not assumed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from service_monitoring import (
    CollectingIncidentSink,
    MonitoringPolicy,
    MonitoringRuntime,
    StoreUnavailable,
)
from service_monitoring.storage import (
    SqliteStore,
    SqliteUnitOfWork,
)
from support import latency_policy, sample


class ConnectionSpy:
    """Wraps sqlite3.connect and remembers every connection, to count the ones left open."""

    def __init__(self) -> None:
        self.opened: list[sqlite3.Connection] = []
        self.real = sqlite3.connect

    def __call__(self, *args: object, **kwargs: object) -> sqlite3.Connection:
        connection = self.real(*args, **kwargs)  # type: ignore[arg-type]
        self.opened.append(connection)
        return connection

    def still_open(self) -> int:
        count = 0
        for connection in self.opened:
            try:
                connection.execute("SELECT 1")
            except sqlite3.ProgrammingError:
                continue  # "Cannot operate on a closed database."
            count += 1
        return count


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> ConnectionSpy:
    watcher = ConnectionSpy()
    monkeypatch.setattr(sqlite3, "connect", watcher)
    return watcher


def test_the_runtime_closes_the_connection_it_opened(spy: ConnectionSpy, tmp_path: Path) -> None:
    with MonitoringRuntime(database=tmp_path / "m.db") as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        assert spy.still_open() == 1
    assert len(spy.opened) == 1
    assert spy.still_open() == 0


def test_the_runtime_closes_its_connection_when_the_block_raises(
    spy: ConnectionSpy, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError), MonitoringRuntime(database=tmp_path / "m.db"):
        raise RuntimeError("caller failed")
    assert spy.still_open() == 0


def test_the_runtime_still_closes_the_sink_when_closing_the_store_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []

    class Sink(CollectingIncidentSink):
        def close(self) -> None:
            closed.append("sink")

    runtime = MonitoringRuntime(database=tmp_path / "m.db", sink=Sink())

    def broken_close(store: SqliteStore) -> None:
        raise StoreUnavailable("disk went away")

    monkeypatch.setattr(SqliteStore, "close", broken_close)
    with pytest.raises(StoreUnavailable):
        runtime.close()
    assert closed == ["sink"]


def test_a_unit_of_work_given_a_path_opens_and_closes_its_own_store(
    spy: ConnectionSpy, tmp_path: Path
) -> None:
    uow = SqliteUnitOfWork(tmp_path / "m.db")
    assert spy.opened == []  # nothing is held open before the block
    with pytest.raises(StoreUnavailable, match="opens its database when its with block starts"):
        uow.policies.get("checkout")
    for round_trip in range(2):
        with uow:
            assert spy.still_open() == 1
            if round_trip == 0:
                uow.policies.add(MonitoringPolicy("checkout"))
                uow.commit()
            else:
                assert uow.policies.get("checkout").policy_id == "checkout"
        assert spy.still_open() == 0
        assert uow.store is None


def test_a_unit_of_work_given_a_store_leaves_it_open(spy: ConnectionSpy, tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "m.db") as store:
        with SqliteUnitOfWork(store) as uow:
            uow.policies.add(MonitoringPolicy("checkout"))
            uow.commit()
        assert not store.closed
        assert spy.still_open() == 1
    assert spy.still_open() == 0


@pytest.mark.parametrize(
    "options",
    [{"database": "missing-folder/monitoring.db"}, {"conflict_attempts": 0}],
    ids=["database-cannot-be-opened", "invalid-argument"],
)
def test_a_sink_handed_to_a_constructor_that_fails_is_closed(
    tmp_path: Path, options: dict[str, object]
) -> None:
    closed: list[str] = []

    class Sink(CollectingIncidentSink):
        def close(self) -> None:
            closed.append("sink")

    if "database" in options:
        options = {"database": tmp_path / str(options["database"])}
    with pytest.raises((StoreUnavailable, ValueError)):
        MonitoringRuntime(sink=Sink(), **options)  # type: ignore[arg-type]
    assert closed == ["sink"]
