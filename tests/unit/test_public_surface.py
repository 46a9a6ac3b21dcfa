"""The public surface is pinned: changing it is a decision made here, in review, on purpose."""

from __future__ import annotations

import importlib
import pkgutil

import service_monitoring

PINNED = [
    "MonitoringRuntime",
    "CycleReport",
    "DeliveryPolicy",
    "PendingDelivery",
    "Severity",
    "RuleState",
    "MetricSample",
    "ThresholdRule",
    "Alert",
    "incident_id_for",
    "MonitoringPolicy",
    "EvaluationMode",
    "Verdict",
    "ModeRegistry",
    "STANDARD_MODES",
    "RuleAdded",
    "RuleActivated",
    "RuleRetired",
    "IncidentOpened",
    "IncidentClosed",
    "UnitOfWork",
    "PolicyRepository",
    "InMemoryUnitOfWork",
    "InMemoryStore",
    "SqliteUnitOfWork",
    "SqliteStore",
    "Store",
    "StoreUnitOfWork",
    "Change",
    "PolicyView",
    "IncidentSink",
    "CollectingIncidentSink",
    "WebhookSink",
    "decode_samples",
    "PayloadLimits",
    "Secret",
    "Telemetry",
    "ServiceMonitoringError",
    "DomainError",
    "UnknownRule",
    "InvalidTransition",
    "BoundaryError",
    "PolicyNotFound",
    "ConcurrencyConflict",
    "StoreUnavailable",
    "DeliveryError",
    "PublicationFailed",
    "DeliveryRejected",
    "PayloadRejected",
]


def test_the_public_surface_is_pinned() -> None:
    assert service_monitoring.__all__ == PINNED


def test_every_public_name_resolves_and_lives_in_an_internal_module() -> None:
    for name in service_monitoring.__all__:
        obj = getattr(service_monitoring, name)
        module = getattr(obj, "__module__", None) or type(obj).__module__
        assert module.startswith("service_monitoring."), (name, module)


def test_the_package_root_exposes_nothing_else_without_an_underscore() -> None:
    submodules = {info.name for info in pkgutil.iter_modules(service_monitoring.__path__)}
    for name in submodules:
        importlib.import_module(f"service_monitoring.{name}")
    exposed = {name for name in vars(service_monitoring) if not name.startswith("_")}
    assert exposed - submodules == set(PINNED)


def test_every_internal_module_says_it_is_internal() -> None:
    for info in pkgutil.iter_modules(service_monitoring.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"service_monitoring.{info.name}")
        assert module.__doc__ is not None, info.name
        assert "internal" in module.__doc__.lower(), info.name
