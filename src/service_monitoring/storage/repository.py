"""The repository: how a unit of work finds, adds and tracks policies.

Internal module: import :class:`PolicyRepository` from the public
:mod:`service_monitoring.storage` namespace; use it through ``uow.policies``.

:class:`PolicyRepository` is the protocol every unit of work exposes as
``uow.policies``. :class:`TrackingRepository` implements it once for every
store: it is an *identity map* (asking twice for one policy inside one unit
of work returns the same object) that remembers the version each policy had
when it was loaded, so the commit can detect a concurrent writer.

A loaded policy is a private copy: changing it changes nothing in the store
until the unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from ..domain.errors import DomainError
from ..domain.policy import MonitoringPolicy

__all__ = ["Loaded", "PolicyRepository", "TrackingRepository"]


class PolicyRepository(Protocol):
    """The collection-like face of stored policies inside one unit of work."""

    def get(self, policy_id: str) -> MonitoringPolicy:
        """Return the policy, or raise :class:`~service_monitoring.PolicyNotFound`."""
        ...

    def add(self, policy: MonitoringPolicy) -> None:
        """Add a new policy; it is stored when the unit of work commits."""
        ...


@dataclass(slots=True)
class Loaded:
    """A policy tracked by a unit of work.

    ``version`` is the stored version it was loaded at (``None``: new);
    ``revision`` is the policy's own change counter at that moment.
    """

    policy: MonitoringPolicy
    version: int | None
    revision: int

    @property
    def changed(self) -> bool:
        """Whether the policy is new or changed since it was loaded or last saved."""
        return self.version is None or self.policy.revision != self.revision


class TrackingRepository:
    """An identity map over a store's ``load`` and ``exists`` functions.

    >>> from service_monitoring import MonitoringPolicy
    >>> from service_monitoring.storage import InMemoryUnitOfWork
    >>> with InMemoryUnitOfWork() as uow:
    ...     uow.policies.add(MonitoringPolicy("checkout"))
    ...     uow.policies.get("checkout") is uow.policies.get("checkout")
    True
    """

    __slots__ = ("_exists", "_load", "_tracked")

    def __init__(
        self,
        load: Callable[[str], tuple[int, MonitoringPolicy]],
        exists: Callable[[str], bool],
    ) -> None:
        self._load = load
        self._exists = exists
        self._tracked: dict[str, Loaded] = {}

    def get(self, policy_id: str) -> MonitoringPolicy:
        if not isinstance(policy_id, str):
            raise DomainError(f"policy_id must be a string, got {type(policy_id).__name__}")
        entry = self._tracked.get(policy_id)
        if entry is None:
            version, policy = self._load(policy_id)
            entry = self._tracked[policy_id] = Loaded(policy, version, policy.revision)
        return entry.policy

    def add(self, policy: MonitoringPolicy) -> None:
        if not isinstance(policy, MonitoringPolicy):
            raise DomainError(f"add takes a MonitoringPolicy, got {type(policy).__name__}")
        policy_id = policy.policy_id
        if policy_id in self._tracked or self._exists(policy_id):
            raise DomainError(f"policy {policy_id!r} already exists")
        self._tracked[policy_id] = Loaded(policy, None, policy.revision)

    def tracked(self) -> Iterator[Loaded]:
        """Every policy this unit of work loaded or added."""
        return iter(tuple(self._tracked.values()))

    def forget(self) -> None:
        """Drop every tracked policy (rollback)."""
        self._tracked.clear()
