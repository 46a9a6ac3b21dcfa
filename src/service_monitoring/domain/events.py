"""Domain events: immutable records of what changed in a policy.

Internal module: import these names from :mod:`service_monitoring`.

The aggregate records an event for every change it accepts; the unit of work
stores them with the change, and the read models are rebuilt from them.

>>> from service_monitoring import MonitoringPolicy, ThresholdRule
>>> policy = MonitoringPolicy("checkout")
>>> policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
>>> policy.activate_rule("latency")
>>> [type(event).__name__ for event in policy.collect_events()]
['RuleAdded', 'RuleActivated']
"""

from __future__ import annotations

from dataclasses import dataclass

from .values import Alert, ThresholdRule

__all__ = [
    "DomainEvent",
    "IncidentClosed",
    "IncidentOpened",
    "RuleActivated",
    "RuleAdded",
    "RuleRetired",
]


@dataclass(frozen=True, slots=True)
class RuleAdded:
    """A draft rule joined the policy."""

    policy_id: str
    rule: ThresholdRule


@dataclass(frozen=True, slots=True)
class RuleActivated:
    """A rule started taking part in evaluation."""

    policy_id: str
    rule_id: str


@dataclass(frozen=True, slots=True)
class RuleRetired:
    """A rule left evaluation for good; *reason* says why."""

    policy_id: str
    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class IncidentOpened:
    """A rule breached and an incident was opened; *alert* is what gets published."""

    alert: Alert

    @property
    def policy_id(self) -> str:
        """The policy the incident belongs to."""
        return self.alert.policy_id


@dataclass(frozen=True, slots=True)
class IncidentClosed:
    """An open incident ended: the metric recovered or the rule was retired."""

    policy_id: str
    rule_id: str
    incident_id: str
    reason: str


#: Every event the aggregate records.
DomainEvent = RuleAdded | RuleActivated | RuleRetired | IncidentOpened | IncidentClosed
