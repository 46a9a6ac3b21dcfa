"""The unit of work: one aggregate change, committed whole or not at all.

Internal module: import the unit-of-work classes from :mod:`service_monitoring`.

A unit of work is a context manager. Inside it you load policies through
``uow.policies``, change them, and call :meth:`~StoreUnitOfWork.commit`.
Leaving the block without committing -- normally or by an exception --
discards the changes of *this* unit of work and touches nothing else.

The commit hands the store a list of :class:`Change` records: the new state of
each changed policy, the events that explain it, and the version the policy
had when it was loaded. The store applies all of it atomically -- policy,
event log, outbox and read model -- or raises and applies none of it.

>>> from service_monitoring import InMemoryStore, InMemoryUnitOfWork, MonitoringPolicy
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self

from .aggregate import MonitoringPolicy
from .errors import ConcurrencyConflict, DomainError, StoreUnavailable
from .events import DomainEvent, IncidentOpened, RuleActivated, RuleAdded, RuleRetired
from .model import Alert, RuleState, to_utc
from .read_models import PolicyView
from .repository import Loaded, PolicyRepository, TrackingRepository

__all__ = [
    "Change",
    "Clock",
    "PendingDelivery",
    "Store",
    "StoreUnitOfWork",
    "UnitOfWork",
    "check_version",
    "founding_events",
    "utc_now",
]

#: A function returning the current moment as an aware datetime.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: the current moment in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Change:
    """One policy's committed change, as a store receives it.

    ``expected_version`` is the version the policy had when loaded (``None``
    for a new policy); ``policy`` is a snapshot the store may keep.
    """

    policy: MonitoringPolicy
    expected_version: int | None
    events: tuple[DomainEvent, ...]

    @property
    def policy_id(self) -> str:
        """The changed policy's id."""
        return self.policy.policy_id


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """An incident committed to the outbox and not yet acknowledged by the sink."""

    alert: Alert
    enqueued_at: datetime
    attempts: int = 0


def check_version(change: Change, stored: int | None) -> None:
    """Refuse *change* if the policy's stored version is not the one it was loaded at.

    Both stores call this inside their commit, under their own lock or
    transaction, so the check and the write cannot be separated.
    """
    if change.expected_version is None and stored is not None:
        raise ConcurrencyConflict(
            f"policy {change.policy_id!r} was added by another unit of work first"
        )
    if change.expected_version is not None and stored != change.expected_version:
        raise ConcurrencyConflict(
            f"policy {change.policy_id!r} changed since it was loaded "
            f"(loaded at version {change.expected_version}, stored version is {stored})"
        )


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


class Store(Protocol):
    """What a unit of work and the runtime need from a storage backend."""

    def load(self, policy_id: str) -> tuple[int, MonitoringPolicy]:
        """Return the committed version and a private copy of the policy."""
        ...

    def exists(self, policy_id: str) -> bool:
        """Whether a policy with this id is committed."""
        ...

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        """Apply every change atomically, or raise and apply none."""
        ...

    def policy_ids(self) -> tuple[str, ...]:
        """The ids of committed policies, in the order they were first stored."""
        ...

    def view(self, policy_id: str) -> PolicyView:
        """The read model of one policy."""
        ...

    def rebuild_view(self, policy_id: str) -> PolicyView:
        """Recompute one policy's read model from its event log, store it and return it."""
        ...

    def event_log(self, policy_id: str) -> tuple[DomainEvent, ...]:
        """Every committed event of one policy, oldest first."""
        ...

    def pending_deliveries(self, limit: int) -> list[PendingDelivery]:
        """Up to *limit* undelivered outbox entries, oldest first."""
        ...

    def pending_count(self) -> int:
        """How many outbox entries wait for delivery."""
        ...

    def record_attempt(self, incident_ids: Sequence[str]) -> None:
        """Count a failed delivery attempt for these entries."""
        ...

    def mark_delivered(self, incident_ids: Sequence[str], *, at: datetime) -> None:
        """Remove acknowledged entries from the pending outbox."""
        ...

    def close(self) -> None:
        """Release what the store holds open."""
        ...


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
