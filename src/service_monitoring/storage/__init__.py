"""The storage namespace: what someone writing or choosing a store relies on.

Public: everything in ``__all__`` is covered by the same promise as the names of
:mod:`service_monitoring`: a minor release only adds, and a name leaves only after
one minor release in which using it warns. The modules inside this package are
implementation detail.

A user of :class:`~service_monitoring.MonitoringRuntime` needs none of this: the
runtime picks a store from its ``database`` argument. Import from here to use a
unit of work directly, or to write a new store: implement :class:`Store`, and
:class:`StoreUnitOfWork` gives it a unit of work without another line.

>>> from service_monitoring import MonitoringPolicy
>>> from service_monitoring.storage import InMemoryStore, StoreUnitOfWork
>>> store = InMemoryStore()
>>> with StoreUnitOfWork(store) as uow:
...     uow.policies.add(MonitoringPolicy("checkout"))
...     uow.commit()
>>> store.policy_ids()
('checkout',)
"""

from .memory import InMemoryStore, InMemoryUnitOfWork
from .port import Change, LeasingStore, PendingDelivery, Store
from .read_models import PolicyView
from .repository import PolicyRepository
from .sqlite import SqliteStore
from .sqlite_unit_of_work import SqliteUnitOfWork
from .unit_of_work import StoreUnitOfWork, UnitOfWork

__all__ = [
    # the contract a store implements, and what it receives and returns
    "Store",
    "LeasingStore",
    "Change",
    "PendingDelivery",
    "PolicyView",
    # units of work: one written for every store, and its protocol
    "UnitOfWork",
    "StoreUnitOfWork",
    "PolicyRepository",
    # the two stores and their units of work
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "SqliteStore",
    "SqliteUnitOfWork",
]
