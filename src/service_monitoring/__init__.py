"""service_monitoring: the executable capstone of *Python Object-Oriented Programming*.

Everything listed in ``__all__`` is the public contract and keeps working
across minor releases; every submodule is implementation detail.
"""

from .aggregate import MonitoringPolicy
from .errors import (
    BoundaryError,
    ConcurrencyConflict,
    DeliveryError,
    DeliveryRejected,
    DomainError,
    InvalidTransition,
    PayloadRejected,
    PolicyNotFound,
    PublicationFailed,
    ServiceMonitoringError,
    StoreUnavailable,
    UnknownRule,
)
from .events import IncidentClosed, IncidentOpened, RuleActivated, RuleAdded, RuleRetired
from .memory_store import InMemoryStore, InMemoryUnitOfWork
from .model import (
    Alert,
    MetricSample,
    RuleState,
    Severity,
    ThresholdRule,
    incident_id_for,
)
from .policies import STANDARD_MODES, EvaluationMode, ModeRegistry, Verdict
from .runtime import CycleReport, DeliveryPolicy, MonitoringRuntime
from .sinks import CollectingIncidentSink, IncidentSink
from .sqlite_store import SqliteStore, SqliteUnitOfWork
from .unit_of_work import PendingDelivery, UnitOfWork

__all__ = [
    # the facade
    "MonitoringRuntime",
    "CycleReport",
    "DeliveryPolicy",
    "PendingDelivery",
    # the model
    "Severity",
    "RuleState",
    "MetricSample",
    "ThresholdRule",
    "Alert",
    "incident_id_for",
    "MonitoringPolicy",
    # evaluation modes: the extension point
    "EvaluationMode",
    "Verdict",
    "ModeRegistry",
    "STANDARD_MODES",
    # domain events
    "RuleAdded",
    "RuleActivated",
    "RuleRetired",
    "IncidentOpened",
    "IncidentClosed",
    # units of work and stores
    "UnitOfWork",
    "InMemoryUnitOfWork",
    "InMemoryStore",
    "SqliteUnitOfWork",
    "SqliteStore",
    # sinks
    "IncidentSink",
    "CollectingIncidentSink",
    # errors
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
