"""The storage port: what a store implements and what it receives.

Internal module: import :class:`Store`, :class:`Change` and :class:`PendingDelivery`
from the public :mod:`service_monitoring.storage` namespace.

A store keeps committed policies, their event logs, their read models and the
outbox. A unit of work hands it a list of :class:`Change` records in one call to
:meth:`Store.commit`; the store applies them all, atomically, after checking each
one's expected version with :func:`check_version` under its own lock or
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from ..domain.errors import ConcurrencyConflict
from ..domain.events import DomainEvent
from ..domain.policy import MonitoringPolicy
from ..domain.values import Alert
from .read_models import PolicyView

__all__ = ["Change", "LeasingStore", "PendingDelivery", "Store", "check_version"]


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


@runtime_checkable
class LeasingStore(Store, Protocol):
    """A store that lets one deliverer claim a batch, so a second one skips it.

    Delivery is at-least-once whatever the store, but two deliverers draining one
    outbox at once would send every incident twice. A store with this capability
    leases the entries it hands out: until the lease ends, no other owner gets them.
    A lease that outlives its deliverer (the process died) simply expires. The
    outbox uses these methods when the store has them, and falls back to
    :meth:`Store.pending_deliveries` when it does not.
    """

    def claim_pending(
        self, limit: int, *, owner: str, now: datetime, until: datetime
    ) -> list[PendingDelivery]:
        """Lease up to *limit* undelivered entries, oldest first, to *owner* until *until*.

        Skips entries another owner holds a lease on that has not ended at *now*.
        """
        ...

    def release(self, incident_ids: Sequence[str], *, owner: str) -> None:
        """End *owner*'s leases on these entries, so the next deliverer may take them at once."""
        ...
