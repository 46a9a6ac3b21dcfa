"""Read models are projections of committed events: per policy, never judging, always rebuildable.

Also the hand-over of events from a unit of work to its store, which any code that wants to react
to committed events (an in-process dispatcher) must respect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest

from service_monitoring import (
    DomainError,
    IncidentClosed,
    RuleActivated,
    RuleRetired,
    ThresholdRule,
)
from service_monitoring.domain.events import DomainEvent
from service_monitoring.storage import (
    Change,
    InMemoryStore,
    PolicyView,
    SqliteStore,
    Store,
    StoreUnitOfWork,
)
from support import latency_policy, sample


@pytest.fixture
def store(store_kind: str, tmp_path: Path) -> Iterator[Store]:
    """One store of the parametrised kind, closed afterwards."""
    opened: Store = InMemoryStore() if store_kind == "memory" else SqliteStore(tmp_path / "p.db")
    try:
        yield opened
    finally:
        opened.close()


def test_a_view_refuses_an_event_of_another_policy() -> None:
    view = PolicyView.empty("checkout").evolve([RuleActivated("checkout", "latency")])
    with pytest.raises(DomainError, match="view of 'checkout' cannot take an event of 'search'"):
        view.evolve([RuleActivated("checkout", "errors"), RuleActivated("search", "latency")])
    assert view.active_rules == ("latency",)


def test_a_view_records_events_without_judging_them() -> None:
    """The aggregate refuses these sequences; the view believes the log and does not re-check."""
    twice = [RuleActivated("checkout", "latency"), RuleActivated("checkout", "latency")]
    assert PolicyView.empty("checkout").evolve(twice).active_rules == ("latency",)
    unknown = [
        RuleRetired("checkout", "ghost", "never added"),
        IncidentClosed("checkout", "ghost", "inc-0", "recovered"),
    ]
    assert PolicyView.empty("checkout").evolve(unknown) == PolicyView.empty("checkout")


def test_the_stored_view_equals_a_rebuild_of_the_stored_log(store: Store) -> None:
    policy = latency_policy()
    policy.add_rule(ThresholdRule("errors", "http.error_ratio", 0.05, "warning"))
    with StoreUnitOfWork(store) as uow:
        uow.policies.add(policy)
        uow.commit()
    steps = [
        lambda p: p.activate_rule("errors"),
        lambda p: p.evaluate([sample("http.latency_ms", 300, 0), sample("http.error_ratio", 0.1)]),
        lambda p: p.evaluate([sample("http.latency_ms", 100, 1)]),
        lambda p: p.retire_rule("errors", "folded into the latency SLO"),
        lambda p: p.evaluate([sample("http.latency_ms", 400, 2)]),
    ]
    for step in steps:
        with StoreUnitOfWork(store) as uow:
            step(uow.policies.get("checkout"))
            uow.commit()
        assert PolicyView.rebuild("checkout", store.event_log("checkout")) == store.view("checkout")
    view = store.view("checkout")
    assert view.active_rules == ("latency",)
    assert [alert.rule_id for alert in view.open_incidents] == ["latency"]
    assert store.rebuild_view("checkout") == view


class RecordingStore:
    """Delegates to a real store and remembers the events each commit handed it."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.committed: list[DomainEvent] = []

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        self.inner.commit(changes, at=at)
        self.committed.extend(event for change in changes for event in change.events)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_commit_hands_the_store_exactly_the_events_it_appends_to_the_log(store: Store) -> None:
    recording = RecordingStore(store)
    with StoreUnitOfWork(recording) as uow:  # type: ignore[arg-type]
        uow.policies.add(latency_policy())
        uow.commit()
        uow.policies.get("checkout").evaluate([sample("http.latency_ms", 300)])
        uow.commit()
    assert recording.committed == list(store.event_log("checkout"))
    assert [type(event).__name__ for event in recording.committed] == [
        "RuleAdded",
        "RuleActivated",
        "IncidentOpened",
    ]


def test_events_collected_before_commit_never_reach_the_view_or_the_log(store: Store) -> None:
    """collect_events() is a hand-over: whoever calls it first owns the events."""
    with StoreUnitOfWork(store) as uow:
        uow.policies.add(latency_policy(active=False))
        uow.commit()
    with StoreUnitOfWork(store) as uow:
        policy = uow.policies.get("checkout")
        policy.activate_rule("latency")
        taken = policy.collect_events()
        uow.commit()
    assert taken == [RuleActivated("checkout", "latency")]
    assert [rule.rule_id for rule in store.load("checkout")[1].active_rules()] == ["latency"]
    assert store.view("checkout").active_rules == ()
    assert RuleActivated("checkout", "latency") not in store.event_log("checkout")
    assert store.rebuild_view("checkout").active_rules == ()
