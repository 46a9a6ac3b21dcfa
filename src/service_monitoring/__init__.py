"""service_monitoring: the executable capstone of *Python Object-Oriented Programming*.

Everything listed in ``__all__`` is the public contract for a user of the
runtime. A minor release only adds to it; a name leaves it only after one minor
release in which using it warns. A second public namespace,
:mod:`service_monitoring.storage`, serves someone who uses a unit of work
directly or writes a store. Every other module is implementation detail.

Names that moved from here to :mod:`service_monitoring.storage` in 1.1.0 still
import from here until 1.2.0, with a :class:`DeprecationWarning` that names
their new home:

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     from service_monitoring import InMemoryStore
>>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
service_monitoring.InMemoryStore is deprecated and will be removed in 1.2.0;
use 'from service_monitoring.storage import InMemoryStore'
"""

import importlib as _importlib
import warnings as _warnings

from .delivery.outbox import DeliveryPolicy
from .delivery.sinks import CollectingIncidentSink, IncidentSink
from .delivery.webhook import WebhookSink
from .domain.errors import (
    BoundaryError,
    ConcurrencyConflict,
    DeliveryError,
    DeliveryRejected,
    DomainError,
    InvalidTransition,
    NotADatabase,
    PayloadRejected,
    PolicyNotFound,
    PublicationFailed,
    ServiceMonitoringError,
    StoreUnavailable,
    UnknownRule,
)
from .domain.events import IncidentClosed, IncidentOpened, RuleActivated, RuleAdded, RuleRetired
from .domain.modes import STANDARD_MODES, EvaluationMode, ModeRegistry, Verdict
from .domain.policy import MonitoringPolicy
from .domain.reports import CycleReport, Evaluation
from .domain.values import Alert, MetricSample, RuleState, Severity, ThresholdRule, incident_id_for
from .intake.samples import PayloadLimits, decode_samples
from .intake.secret import Secret
from .plugins import Plugin, PluginGroup, PluginProblem, PluginReport, load_plugins
from .runtime import MonitoringRuntime
from .telemetry.signals import Telemetry

__all__ = [
    # the facade
    "MonitoringRuntime",
    "CycleReport",
    "DeliveryPolicy",
    # the model
    "Severity",
    "RuleState",
    "MetricSample",
    "ThresholdRule",
    "Alert",
    "incident_id_for",
    "MonitoringPolicy",
    "Evaluation",
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
    # plugins: extension through entry points
    "load_plugins",
    "PluginReport",
    "Plugin",
    "PluginProblem",
    "PluginGroup",
    # errors
    "ServiceMonitoringError",
    "DomainError",
    "UnknownRule",
    "InvalidTransition",
    "BoundaryError",
    "PolicyNotFound",
    "ConcurrencyConflict",
    "StoreUnavailable",
    "NotADatabase",
    "DeliveryError",
    "PublicationFailed",
    "DeliveryRejected",
    "PayloadRejected",
]

#: The names that left the root for the storage namespace in 1.1.0, and their new home.
_MOVED: dict[str, str] = dict.fromkeys(
    sorted(
        {
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
        }
    ),
    "service_monitoring.storage",
)
#: The release that stops serving the names of ``_MOVED`` from the root.
_REMOVED_IN = "1.2.0"


def __getattr__(name: str) -> object:
    """Serve a moved name from its new home, with a warning that names the new import."""
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _warnings.warn(
        f"{__name__}.{name} is deprecated and will be removed in {_REMOVED_IN}; "
        f"use 'from {home} import {name}'",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(_importlib.import_module(home), name)
