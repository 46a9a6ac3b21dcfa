"""The unit of work: one aggregate change, committed whole or not at all.

Internal module: import :class:`StoreUnitOfWork` and :class:`UnitOfWork` from the
public :mod:`service_monitoring.storage` namespace.

A unit of work is a context manager. Inside it you load policies through
``uow.policies``, change them, and call :meth:`~StoreUnitOfWork.commit`.
Leaving the block without committing -- normally or by an exception --
discards the changes of *this* unit of work and touches nothing else.

The commit hands the store a list of :class:`Change` records: the new state of
each changed policy, the events that explain it, and the version the policy
had when it was loaded. The store applies all of it atomically -- policy,
event log, outbox and read model -- or raises and applies none of it.

>>> from service_monitoring import MonitoringPolicy
>>> from service_monitoring.storage import InMemoryStore, InMemoryUnitOfWork
>>> store = InMemoryStore()
>>> with InMemoryUnitOfWork(store) as uow:
...     uow.policies.add(MonitoringPolicy("checkout"))
...     uow.commit()
>>> with InMemoryUnitOfWork(store) as uow:
...     uow.policies.add(MonitoringPolicy("billing"))   # never committed
>>> store.policy_ids()
('checkout',)
"""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Protocol, Self

from ..domain.clock import Clock, utc_now
from ..domain.errors import DomainError, StoreUnavailable
from ..domain.events import DomainEvent, IncidentOpened, RuleActivated, RuleAdded, RuleRetired
from ..domain.policy import MonitoringPolicy
from ..domain.values import RuleState, to_utc
from .port import Change, Store
from .repository import Loaded, PolicyRepository, TrackingRepository

__all__ = ["StoreUnitOfWork", "UnitOfWork", "founding_events"]


def founding_events(policy: MonitoringPolicy) -> tuple[DomainEvent, ...]:
    """The events that rebuild *policy*'s current state from nothing.

    >>> from service_monitoring import MonitoringPolicy, ThresholdRule
    >>> policy = MonitoringPolicy("checkout")
    >>> policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    >>> policy.activate_rule("latency")
    >>> _ = policy.collect_events()
    >>> [type(event).__name__ for event in founding_events(policy)]
    ['RuleAdded', 'RuleActivated']
    """
    policy_id = policy.policy_id
    events: list[DomainEvent] = []
    for rule in policy.rules():
        events.append(RuleAdded(policy_id, rule))
        state = policy.rule_state(rule.rule_id)
        if state is RuleState.ACTIVE:
            events.append(RuleActivated(policy_id, rule.rule_id))
        elif state is RuleState.RETIRED:
            events.append(RuleRetired(policy_id, rule.rule_id, "retired before registration"))
    events.extend(IncidentOpened(alert) for alert in policy.open_incidents())
    return tuple(events)


class UnitOfWork(Protocol):
    """The protocol both units of work implement."""

    policies: PolicyRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make every change of this unit of work durable and visible, atomically."""
        ...

    def rollback(self) -> None:
        """Discard every uncommitted change of this unit of work."""
        ...


class StoreUnitOfWork:
    """The unit of work, written once for every :class:`Store`.

    It tracks the policies it hands out, and on commit turns each changed one
    into a :class:`Change`. A policy whose revision did not move is not written.
    """

    def __init__(self, store: Store | None, *, clock: Clock | None = None) -> None:
        if clock is not None and not callable(clock):
            raise DomainError(f"clock must be callable, got {type(clock).__name__}")
        # None: a subclass opens the store when its with block starts.
        self._store = store
        self._clock: Clock = utc_now if clock is None else clock
        self._tracking = TrackingRepository(self._load, self._exists)
        #: The policies of this unit of work (an identity map over the store).
        self.policies: PolicyRepository = self._tracking

    def _open_store(self) -> Store:
        if self._store is None:
            raise StoreUnavailable(
                "this unit of work opens its database when its with block starts"
            )
        return self._store

    def _load(self, policy_id: str) -> tuple[int, MonitoringPolicy]:
        return self._open_store().load(policy_id)

    def _exists(self, policy_id: str) -> bool:
        return self._open_store().exists(policy_id)

    def __enter__(self) -> Self:
        self.rollback()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        changed: list[Loaded] = []
        changes: list[Change] = []
        for entry in self._tracking.tracked():
            policy = entry.policy
            if not entry.changed:
                continue
            snapshot = copy.copy(policy)
            events = tuple(snapshot.collect_events())
            if entry.version is None:
                # A new policy enters the store as the events that build its current state,
                # whatever the caller collected before, so its read model can be projected.
                events = founding_events(snapshot)
            changes.append(Change(snapshot, entry.version, events))
            changed.append(entry)
        if not changes:
            return
        store = self._open_store()
        at = to_utc(self._clock(), name="clock()")
        store.commit(changes, at=at)
        # Committed: the working copies are the new baseline of this unit of work.
        for entry in changed:
            entry.policy.collect_events()
            entry.version = 1 if entry.version is None else entry.version + 1
            entry.revision = entry.policy.revision

    def rollback(self) -> None:
        self._tracking.forget()
