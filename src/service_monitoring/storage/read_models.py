"""Per-policy read models, projected from committed events.

Internal module: import :class:`PolicyView` from the public
:mod:`service_monitoring.storage` namespace. A store keeps one view per policy;
users read it through :class:`~service_monitoring.MonitoringRuntime`.

A read model answers questions cheaply (which incidents are open, which rules
are active) but never decides anything: it is derived from the events the
aggregate recorded, can be thrown away and rebuilt from the event log, and is
kept per policy so two policies that reuse a rule id never see each other.

>>> from service_monitoring import RuleActivated
>>> from service_monitoring.storage import PolicyView
>>> view = PolicyView.empty("checkout").evolve([RuleActivated("checkout", "latency")])
>>> view.active_rules
('latency',)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.errors import DomainError
from ..domain.events import (
    DomainEvent,
    IncidentClosed,
    IncidentOpened,
    RuleActivated,
    RuleAdded,
    RuleRetired,
)
from ..domain.values import Alert

__all__ = ["PolicyView"]


@dataclass(frozen=True, slots=True)
class PolicyView:
    """What one policy looks like to readers: active rule ids and open incidents."""

    policy_id: str
    active_rules: tuple[str, ...] = ()
    open_incidents: tuple[Alert, ...] = ()

    @classmethod
    def empty(cls, policy_id: str) -> PolicyView:
        """The view of a policy before any event."""
        return cls(policy_id)

    @classmethod
    def rebuild(cls, policy_id: str, events: Iterable[DomainEvent]) -> PolicyView:
        """Project the whole event log of *policy_id* from scratch."""
        return cls.empty(policy_id).evolve(events)

    def evolve(self, events: Iterable[DomainEvent]) -> PolicyView:
        """Return the view after *events*; events of another policy are refused.

        Only what the events touch is rebuilt: a cycle that opens one incident
        does not copy the list of active rules.
        """
        active: dict[str, None] | None = None
        incidents: dict[str, Alert] | None = None
        for event in events:
            if event.policy_id != self.policy_id:
                raise DomainError(
                    f"view of {self.policy_id!r} cannot take an event of {event.policy_id!r}"
                )
            match event:
                case RuleActivated(rule_id=rule_id) | RuleRetired(rule_id=rule_id):
                    if active is None:
                        active = dict.fromkeys(self.active_rules)
                    if isinstance(event, RuleActivated):
                        active[rule_id] = None
                    else:
                        active.pop(rule_id, None)
                case IncidentOpened() | IncidentClosed():
                    if incidents is None:
                        incidents = {alert.rule_id: alert for alert in self.open_incidents}
                    if isinstance(event, IncidentOpened):
                        incidents[event.alert.rule_id] = event.alert
                    else:
                        incidents.pop(event.rule_id, None)
                case RuleAdded():
                    pass
        return PolicyView(
            self.policy_id,
            self.active_rules if active is None else tuple(active),
            self.open_incidents if incidents is None else tuple(incidents.values()),
        )
