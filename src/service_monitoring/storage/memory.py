"""The in-memory store and its unit of work: the embedded default.

Internal module: import :class:`InMemoryStore` and :class:`InMemoryUnitOfWork`
from the public :mod:`service_monitoring.storage` namespace.

Committed state is a set of per-policy records guarded by one lock. A commit
checks versions, computes every new record (policy snapshot, events, read
model, outbox entries) and only then swaps them in, so a failure at any step
leaves the store exactly as it was. Nothing is ever copied wholesale: loading
copies one policy, committing stores one snapshot per changed policy.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.clock import Clock
from ..domain.errors import DomainError, PolicyNotFound
from ..domain.events import DomainEvent, IncidentOpened
from ..domain.policy import MonitoringPolicy
from .port import Change, PendingDelivery, check_version
from .read_models import PolicyView
from .unit_of_work import StoreUnitOfWork

__all__ = ["InMemoryStore", "InMemoryUnitOfWork"]


@dataclass(frozen=True, slots=True)
class _Record:
    version: int
    policy: MonitoringPolicy
    events: list[DomainEvent]  # append-only, shared by a policy's successive records
    view: PolicyView


class InMemoryStore:
    """Committed policies, their event logs, read models and the outbox, in memory.

    Thread-safe: every read and every commit holds the store's lock. It leases
    outbox entries (:class:`~service_monitoring.storage.LeasingStore`), so two
    runtimes sharing one store do not deliver the same batch at once.

    >>> from service_monitoring import MonitoringPolicy
    >>> from service_monitoring.storage import InMemoryUnitOfWork
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     uow.policies.add(MonitoringPolicy("checkout"))
    ...     uow.commit()
    >>> store.load("checkout")[0]
    1
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}
        self._outbox: dict[str, PendingDelivery] = {}
        self._leases: dict[str, tuple[str, datetime]] = {}  # incident id -> (owner, until)

    # -- policies ---------------------------------------------------------------

    def load(self, policy_id: str) -> tuple[int, MonitoringPolicy]:
        record = self._record(policy_id)
        return record.version, copy.copy(record.policy)

    def exists(self, policy_id: str) -> bool:
        _check_id(policy_id)
        with self._lock:
            return policy_id in self._records

    def policy_ids(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._records)

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        with self._lock:
            staged: dict[str, _Record] = {}
            logs: list[tuple[list[DomainEvent], tuple[DomainEvent, ...]]] = []
            new_entries: dict[str, PendingDelivery] = {}
            for change in changes:
                current = self._records.get(change.policy_id)
                check_version(change, None if current is None else current.version)
                base_view = PolicyView.empty(change.policy_id) if current is None else current.view
                log: list[DomainEvent] = [] if current is None else current.events
                staged[change.policy_id] = _Record(
                    version=1 if current is None else current.version + 1,
                    policy=change.policy,
                    events=log,
                    view=base_view.evolve(change.events),
                )
                logs.append((log, change.events))
                for event in change.events:
                    if isinstance(event, IncidentOpened):
                        incident_id = event.alert.incident_id
                        if incident_id not in self._outbox:
                            new_entries[incident_id] = PendingDelivery(event.alert, at)
            # Everything is computed; nothing below can fail.
            for log, events in logs:
                log.extend(events)
            self._records.update(staged)
            self._outbox.update(new_entries)

    # -- read models ----------------------------------------------------------------

    def view(self, policy_id: str) -> PolicyView:
        return self._record(policy_id).view

    def event_log(self, policy_id: str) -> tuple[DomainEvent, ...]:
        with self._lock:
            return tuple(self._require(policy_id).events)

    def rebuild_view(self, policy_id: str) -> PolicyView:
        with self._lock:
            record = self._require(policy_id)
            view = PolicyView.rebuild(policy_id, record.events)
            self._records[policy_id] = replace(record, view=view)
            return view

    # -- outbox -----------------------------------------------------------------------

    def pending_deliveries(self, limit: int) -> list[PendingDelivery]:
        with self._lock:
            entries = iter(self._outbox.values())
            return [entry for _, entry in zip(range(limit), entries, strict=False)]

    def pending_count(self) -> int:
        with self._lock:
            return len(self._outbox)

    def record_attempt(self, incident_ids: Sequence[str]) -> None:
        with self._lock:
            for incident_id in incident_ids:
                entry = self._outbox.get(incident_id)
                if entry is not None:
                    self._outbox[incident_id] = replace(entry, attempts=entry.attempts + 1)

    def mark_delivered(self, incident_ids: Sequence[str], *, at: datetime) -> None:
        with self._lock:
            for incident_id in incident_ids:
                self._outbox.pop(incident_id, None)
                self._leases.pop(incident_id, None)

    def claim_pending(
        self, limit: int, *, owner: str, now: datetime, until: datetime
    ) -> list[PendingDelivery]:
        with self._lock:
            claimed: list[PendingDelivery] = []
            for incident_id, entry in self._outbox.items():
                if len(claimed) >= limit:
                    break
                holder = self._leases.get(incident_id)
                if holder is None or holder[0] == owner or holder[1] <= now:
                    self._leases[incident_id] = (owner, until)
                    claimed.append(entry)
            return claimed

    def release(self, incident_ids: Sequence[str], *, owner: str) -> None:
        with self._lock:
            for incident_id in incident_ids:
                if self._leases.get(incident_id, ("",))[0] == owner:
                    del self._leases[incident_id]

    def close(self) -> None:
        """Nothing to release; present so every store closes the same way."""

    # -- internals ----------------------------------------------------------------------

    def _record(self, policy_id: str) -> _Record:
        with self._lock:
            return self._require(policy_id)

    def _require(self, policy_id: str) -> _Record:
        _check_id(policy_id)
        record = self._records.get(policy_id)
        if record is None:
            raise PolicyNotFound(f"no policy {policy_id!r} is stored")
        return record


def _check_id(policy_id: object) -> None:
    if not isinstance(policy_id, str):
        raise DomainError(f"expected a string id, got {type(policy_id).__name__}")


class InMemoryUnitOfWork(StoreUnitOfWork):
    """A unit of work over an :class:`InMemoryStore` (a new, private one if none is given).

    >>> from service_monitoring import MonitoringPolicy, ThresholdRule
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     policy = MonitoringPolicy("checkout")
    ...     policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    ...     uow.policies.add(policy)
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     uow.policies.get("checkout").activate_rule("latency")   # not committed
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     uow.policies.get("checkout").rule_state("latency").value
    'draft'
    """

    def __init__(self, store: InMemoryStore | None = None, *, clock: Clock | None = None) -> None:
        if store is not None and not isinstance(store, InMemoryStore):
            raise DomainError(f"store must be an InMemoryStore, got {type(store).__name__}")
        self.store = InMemoryStore() if store is None else store
        super().__init__(self.store, clock=clock)
