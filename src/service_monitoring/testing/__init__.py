"""The test kit: the contracts an extension must pass, and strategies for the domain.

Public: everything in ``__all__`` is covered by the same promise as the names of
:mod:`service_monitoring`: a minor release only adds, and a name leaves only after
one minor release in which using it warns. The modules inside this package are
implementation detail. The kit needs Hypothesis: install the package with its
``testing`` extra (``service-monitoring[testing]``).

Subclass a contract in a test module, name the subclass ``Test...`` and define
its factory: pytest runs one test per promise, and a broken promise fails with a
:class:`ContractViolation` that names it. The strategies draw valid samples, rules,
alerts and policies for your own properties.

>>> from service_monitoring.storage import InMemoryStore
>>> from service_monitoring.testing import StoreContract
>>> class TestInMemoryStore(StoreContract):
...     def make_store(self):
...         return InMemoryStore()
>>> TestInMemoryStore().test_a_committed_policy_can_be_loaded.__doc__
'a committed policy can be loaded'
>>> TestInMemoryStore().test_a_committed_policy_can_be_loaded()
"""

try:
    import hypothesis as _hypothesis  # noqa: F401  (the kit's one dependency)
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "service_monitoring.testing needs Hypothesis: install service-monitoring[testing]"
    ) from None

from .mode_contract import ModeContract
from .promises import ContractViolation
from .sink_contract import SinkContract
from .store_contract import LeasingStoreContract, StoreContract
from .strategies import alerts, identifiers, policies, rules, sample_series, samples

__all__ = [
    # what a failed promise raises
    "ContractViolation",
    # the contracts: subclass one, define its factory
    "StoreContract",
    "LeasingStoreContract",
    "SinkContract",
    "ModeContract",
    # Hypothesis strategies that draw valid domain objects
    "identifiers",
    "samples",
    "sample_series",
    "rules",
    "alerts",
    "policies",
]
