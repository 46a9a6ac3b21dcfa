"""The rule lifecycle: which state a rule may move to from which.

Internal module: :class:`~service_monitoring.MonitoringPolicy` checks every move
here before it changes anything.

A rule is born a draft, may become active, and ends retired; a draft may be
retired without ever running. Nothing leaves ``RETIRED``.

>>> from service_monitoring import RuleState
>>> DRAFT, ACTIVE, RETIRED = RuleState
>>> check_transition("latency", DRAFT, ACTIVE)
>>> check_transition("latency", RETIRED, ACTIVE)  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
service_monitoring.domain.errors.InvalidTransition: rule 'latency' is retired;
it cannot become active
"""

from __future__ import annotations

from typing import Final

from .errors import InvalidTransition
from .values import RuleState

__all__ = ["ALLOWED", "check_transition"]

#: Every (from, to) move the lifecycle allows.
ALLOWED: Final = frozenset(
    {
        (RuleState.DRAFT, RuleState.ACTIVE),
        (RuleState.DRAFT, RuleState.RETIRED),
        (RuleState.ACTIVE, RuleState.RETIRED),
    }
)


def check_transition(rule_id: str, current: RuleState, target: RuleState) -> None:
    """Raise :class:`~service_monitoring.InvalidTransition` unless *current* may become *target*."""
    if (current, target) not in ALLOWED:
        raise InvalidTransition(
            f"rule {rule_id!r} is {current.value}; it cannot become {target.value}"
        )
