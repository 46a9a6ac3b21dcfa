"""service_monitoring: the executable capstone of *Python Object-Oriented Programming*.

Everything listed in ``__all__`` is the public contract and keeps working
across minor releases; every submodule is implementation detail.
"""

from .aggregate import MonitoringPolicy
from .boundary import PayloadLimits, decode_samples
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
from .observability import Telemetry
from .policies import STANDARD_MODES, EvaluationMode, ModeRegistry, Verdict
from .read_models import PolicyView
from .repository import PolicyRepository
from .runtime import CycleReport, DeliveryPolicy, MonitoringRuntime
from .secret import Secret
from .sinks import CollectingIncidentSink, IncidentSink
from .sqlite_store import SqliteStore, SqliteUnitOfWork
from .unit_of_work import Change, PendingDelivery, Store, StoreUnitOfWork, UnitOfWork
from .webhook import WebhookSink

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
    "PolicyRepository",
    "InMemoryUnitOfWork",
    "InMemoryStore",
    "SqliteUnitOfWork",
    "SqliteStore",
    # the storage extension point: what a new store implements and receives
    "Store",
    "StoreUnitOfWork",
    "Change",
    "PolicyView",
    # sinks
    "IncidentSink",
    "CollectingIncidentSink",
    "WebhookSink",
    # trust boundary
    "decode_samples",
    "PayloadLimits",
    "Secret",
    # observability
    "Telemetry",
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
