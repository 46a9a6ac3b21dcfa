"""The public surface: three namespaces, each exactly its ``__all__``; everything else says it is
internal; names that left the root keep working, with a warning that names their new home.

The lists themselves are not copied here: ``tests/docs/test_api_boundary.py`` holds each
``__all__`` to the API pages a reader sees, so a change to either is a change to the docs.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import warnings
from types import ModuleType

import pytest

import service_monitoring
import service_monitoring.storage
import service_monitoring.testing

NAMESPACES = (service_monitoring, service_monitoring.storage, service_monitoring.testing)


def internal_modules() -> list[ModuleType]:
    """Every module and package of the distribution except the public namespaces."""
    found = []
    for info in pkgutil.walk_packages(service_monitoring.__path__, "service_monitoring."):
        module = importlib.import_module(info.name)
        if module not in NAMESPACES and not info.name.endswith("__main__"):
            found.append(module)
    return found


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda module: module.__name__)
def test_every_public_name_resolves_to_an_object_defined_in_an_internal_module(
    namespace: ModuleType,
) -> None:
    assert namespace.__all__, namespace.__name__
    assert len(set(namespace.__all__)) == len(namespace.__all__)
    for name in namespace.__all__:
        obj = getattr(namespace, name)
        module = getattr(obj, "__module__", None) or type(obj).__module__
        assert module.startswith("service_monitoring."), (name, module)
        assert module != namespace.__name__, (name, module)


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda module: module.__name__)
def test_a_namespace_exposes_nothing_public_but_its_all_and_its_subpackages(
    namespace: ModuleType,
) -> None:
    internal_modules()  # import everything, so every subpackage is bound where it can be
    exposed = {
        name
        for name, value in vars(namespace).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert exposed == set(namespace.__all__)


def test_the_two_public_namespaces_share_no_name() -> None:
    assert set(service_monitoring.__all__).isdisjoint(service_monitoring.storage.__all__)


def test_no_two_public_namespaces_share_a_name() -> None:
    """The test kit too: a name means one object, wherever it is imported from."""
    for first, second in itertools.combinations(NAMESPACES, 2):
        assert set(first.__all__).isdisjoint(second.__all__), (first.__name__, second.__name__)


def test_every_internal_module_says_it_is_internal() -> None:
    modules = internal_modules()
    assert len(modules) > 20
    for module in modules:
        assert module.__doc__ is not None, module.__name__
        assert "Internal module" in module.__doc__ or "Internal package" in module.__doc__, (
            module.__name__
        )


#: The 1.1.0 deprecation, a fixed fact of that release: these eleven names left the root.
MOVED_IN_1_1 = [
    "Change",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "PendingDelivery",
    "PolicyRepository",
    "PolicyView",
    "SqliteStore",
    "SqliteUnitOfWork",
    "Store",
    "StoreUnitOfWork",
    "UnitOfWork",
]


def test_every_moved_name_is_public_in_storage_and_nothing_else_warns_from_the_root() -> None:
    assert set(MOVED_IN_1_1) <= set(service_monitoring.storage.__all__)
    newer = sorted(set(service_monitoring.storage.__all__) - set(MOVED_IN_1_1))
    for name in newer:  # added to storage later: never served by the root
        with pytest.raises(AttributeError):
            getattr(service_monitoring, name)


@pytest.mark.parametrize("name", MOVED_IN_1_1)
def test_a_name_that_moved_to_storage_still_imports_from_the_root_with_a_warning(
    name: str,
) -> None:
    new_import = f"from service_monitoring.storage import {name}"
    with pytest.warns(DeprecationWarning, match=f"removed in 1.2.0; use '{new_import}'"):
        moved = getattr(service_monitoring, name)
    assert moved is getattr(service_monitoring.storage, name)


def test_the_new_import_is_silent_and_an_unknown_name_is_an_attribute_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from service_monitoring.storage import InMemoryUnitOfWork  # noqa: F401
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        service_monitoring.NoSuchThing  # noqa: B018
