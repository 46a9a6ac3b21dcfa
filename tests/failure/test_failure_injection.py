"""Failure injected at each step of a cycle: the store, the event log, the read model, the outbox,
and the sink before, during and after delivery. A failed commit leaves everything as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from service_monitoring import (
    Alert,
    DeliveryPolicy,
    MonitoringRuntime,
    PublicationFailed,
    StoreUnavailable,
)
from service_monitoring.storage import InMemoryStore, PolicyView, SqliteStore
from service_monitoring.storage import memory as memory_store
from service_monitoring.storage import sqlite as sqlite_store
from service_monitoring.storage.codec import encode_policy
from support import latency_policy, sample

BREACH = [sample("http.latency_ms", 300)]


class Boom(Exception):
    """The injected failure."""


def fail(*args: object, **kwargs: object) -> None:
    raise Boom("injected")


class RecordingSink:
    def __init__(self) -> None:
        self.received: list[str] = []

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.received.extend(alert.incident_id for alert in alerts)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def runtime(database: Path | None, sink: RecordingSink) -> Iterator[MonitoringRuntime]:
    with MonitoringRuntime(
        database=database, sink=sink, delivery=DeliveryPolicy(attempts=1)
    ) as runtime:
        runtime.register_policy(latency_policy())
        runtime.register_policy(latency_policy("neighbour"))
        runtime.run_cycle("neighbour", [sample("http.latency_ms", 999)])
        yield runtime


def observable_state(runtime: MonitoringRuntime, database: Path | None) -> object:
    """Everything a reader can see, plus the raw file for SQLite."""
    state = [
        (
            policy_id,
            encode_policy(runtime.policy(policy_id)),
            runtime.open_incidents(policy_id),
            runtime.active_rules(policy_id),
        )
        for policy_id in runtime.policy_ids()
    ]
    state.append(tuple(runtime.pending_deliveries()))  # type: ignore[arg-type]
    if database is not None:
        with sqlite3.connect(database) as raw:
            state.append(tuple(raw.iterdump()))  # type: ignore[arg-type]
        raw.close()
    return state


# (store kind, step, object whose attribute the step calls, attribute name)
COMMIT_STEPS = [
    ("memory", "version check", memory_store, "check_version"),
    ("memory", "read model", PolicyView, "evolve"),
    ("memory", "outbox", memory_store, "PendingDelivery"),
    ("sqlite", "policy write", sqlite_store, "encode_policy"),
    ("sqlite", "event log", sqlite_store, "encode_event"),
    ("sqlite", "read model", PolicyView, "evolve"),
    ("sqlite", "outbox", sqlite_store, "encode_alert"),
]


@pytest.mark.parametrize(
    ("kind", "step", "target", "name"),
    COMMIT_STEPS,
    ids=[f"{kind}-{step}" for kind, step, _, _ in COMMIT_STEPS],
)
def test_a_failure_at_any_commit_step_changes_nothing_and_publishes_nothing(
    kind: str,
    step: str,
    target: object,
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = None if kind == "memory" else tmp_path / "steps.db"
    sink = RecordingSink()
    with MonitoringRuntime(database=database, sink=sink) as runtime:
        runtime.register_policy(latency_policy())
        runtime.register_policy(latency_policy("neighbour"))
        runtime.run_cycle("neighbour", [sample("http.latency_ms", 999)])
        before = observable_state(runtime, database)
        published_before = list(sink.received)
        with monkeypatch.context() as patch:
            patch.setattr(target, name, fail)
            with pytest.raises(Boom):
                runtime.run_cycle("checkout", BREACH)
        assert observable_state(runtime, database) == before, step
        assert sink.received == published_before
        # and the system works again once the fault is gone
        assert runtime.run_cycle("checkout", BREACH).alerts_published == 1


def test_the_sink_failing_before_delivery_keeps_the_incident_pending(
    runtime: MonitoringRuntime, sink: RecordingSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sink, "publish", fail)
    with pytest.raises(PublicationFailed):
        runtime.run_cycle("checkout", BREACH)
    [pending] = runtime.pending_deliveries()
    monkeypatch.undo()
    assert runtime.deliver_pending() == 1
    assert sink.received[-1] == pending.alert.incident_id


def test_the_sink_failing_during_delivery_gets_the_same_ids_again(
    runtime: MonitoringRuntime, sink: RecordingSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    def take_then_fail(alerts: Sequence[Alert]) -> None:
        RecordingSink.publish(sink, alerts)
        raise Boom("connection reset after the body was sent")

    monkeypatch.setattr(sink, "publish", take_then_fail)
    with pytest.raises(PublicationFailed):
        runtime.run_cycle("checkout", BREACH)
    monkeypatch.undo()
    runtime.deliver_pending()
    assert sink.received[-2] == sink.received[-1]  # at least once, same id
    assert runtime.pending_deliveries() == ()


def test_a_failure_after_the_sink_acknowledged_redelivers_with_the_same_id(
    runtime: MonitoringRuntime,
    sink: RecordingSink,
    store_kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The step after delivery, recording it, fails in whichever store the runtime opened.
    store_class = InMemoryStore if store_kind == "memory" else SqliteStore
    monkeypatch.setattr(store_class, "mark_delivered", fail)
    with pytest.raises(Boom):
        runtime.run_cycle("checkout", BREACH)
    monkeypatch.undo()
    [pending] = runtime.pending_deliveries()
    assert runtime.deliver_pending() == 1
    assert sink.received[-2:] == [pending.alert.incident_id] * 2
    assert runtime.open_incidents("checkout") == (pending.alert,)


def test_a_corrupted_sqlite_file_is_reported_as_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable, match=r"not-a-database\.db"):
        MonitoringRuntime(database=path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_a_locked_sqlite_database_is_reported_as_store_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.db"
    connect = sqlite3.connect

    def impatient(*args: object, **kwargs: object) -> sqlite3.Connection:
        # Wait 50 ms for a lock instead of the store's 5 s, so the test is quick.
        return connect(*args, **{**kwargs, "timeout": 0.05})  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", impatient)
    with MonitoringRuntime(database=path) as runtime:
        runtime.register_policy(latency_policy())
        blocker = connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreUnavailable, match="database is locked"):
                runtime.run_cycle("checkout", BREACH)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert runtime.run_cycle("checkout", BREACH).alerts_opened == 1


def test_a_database_written_by_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreUnavailable, match="schema version 99 is newer than this package"):
        MonitoringRuntime(database=path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (99,)
        assert raw.execute("SELECT name FROM sqlite_master").fetchall() == []
    raw.close()


def test_a_stored_policy_whose_mode_is_unknown_to_the_reader_is_reported(tmp_path: Path) -> None:
    from service_monitoring import STANDARD_MODES, MonitoringPolicy, ThresholdRule
    from support import Below

    modes = STANDARD_MODES.extended(Below())
    path = tmp_path / "custom.db"
    policy = MonitoringPolicy("disk", modes=modes)
    policy.add_rule(ThresholdRule("low", "disk.free", 0.1, "critical", mode="below"))
    with MonitoringRuntime(database=path, modes=modes) as runtime:
        runtime.register_policy(policy)
    with MonitoringRuntime(database=path) as reader:
        with pytest.raises(StoreUnavailable, match="a stored record cannot be read"):
            reader.policy("disk")
        assert reader.open_incidents("disk") == ()  # the read model needs no mode
    with MonitoringRuntime(database=path, modes=modes) as runtime:
        assert runtime.policy("disk").rule("low").mode == "below"


@pytest.mark.parametrize(
    "document",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"type": "MonitoringPolicy", "policy_id": 1' + "0" * 5000 + "}",
    ],
    ids=["nested-100000-deep", "5000-digit-int"],
)
def test_a_hostile_stored_document_is_reported_as_store_unavailable(
    tmp_path: Path, document: str
) -> None:
    path = tmp_path / "tampered.db"
    with MonitoringRuntime(database=path) as runtime:
        runtime.register_policy(latency_policy())
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE policies SET document = ?", (document,))
    raw.close()
    with (
        MonitoringRuntime(database=path) as reader,
        pytest.raises(StoreUnavailable, match="a stored record cannot be read"),
    ):
        reader.policy("checkout")
