"""The codec: domain objects to JSON-ready dicts and back, for storage.

Internal module: the stores use it; nothing outside the package should. It is the
storage format only: the webhook's wire format is
:mod:`service_monitoring.delivery.payload`, so either can change without the other.

Each encoder writes a ``"type"`` tag and only plain JSON values (``str``,
``float``, ``int``, lists, dicts); timestamps travel as ISO 8601 strings with
their UTC offset. Decoding goes through the classes' own constructors, so a
stored value that breaks an invariant is refused exactly as new input would
be. No ``pickle``: stored bytes are data, never code.

>>> from datetime import datetime, timezone
>>> from service_monitoring import ThresholdRule
>>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
>>> encode_rule(rule)  # doctest: +NORMALIZE_WHITESPACE
{'rule_id': 'latency', 'metric': 'http.latency_ms', 'threshold': 250.0,
 'severity': 'critical', 'window': 1, 'mode': 'threshold'}
>>> decode_rule(encode_rule(rule)) == rule
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..domain.errors import DomainError
from ..domain.events import (
    DomainEvent,
    IncidentClosed,
    IncidentOpened,
    RuleActivated,
    RuleAdded,
    RuleRetired,
)
from ..domain.modes import ModeRegistry
from ..domain.policy import MonitoringPolicy
from ..domain.values import Alert, MetricSample, RuleState, ThresholdRule, to_utc
from .read_models import PolicyView

__all__ = [
    "decode_alert",
    "decode_event",
    "decode_policy",
    "decode_rule",
    "decode_view",
    "dumps",
    "encode_alert",
    "encode_event",
    "encode_policy",
    "encode_rule",
    "encode_view",
    "loads",
]

Document = dict[str, Any]


def dumps(document: object) -> str:
    """Serialise a document compactly; non-finite floats are refused."""
    return json.dumps(document, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def loads(text: str) -> Any:
    """Parse a stored document."""
    return json.loads(text)


def _moment(text: object) -> datetime:
    if not isinstance(text, str):
        raise DomainError(f"expected an ISO 8601 timestamp, got {type(text).__name__}")
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError as error:
        raise DomainError(f"unreadable timestamp {text[:40]!r}: {error}") from None


def encode_rule(rule: ThresholdRule) -> Document:
    """A rule as a dict."""
    return {
        "rule_id": rule.rule_id,
        "metric": rule.metric,
        "threshold": rule.threshold,
        "severity": rule.severity.value,
        "window": rule.window,
        "mode": rule.mode,
    }


def decode_rule(data: Mapping[str, Any]) -> ThresholdRule:
    """A rule from :func:`encode_rule`'s output."""
    return ThresholdRule(
        data["rule_id"],
        data["metric"],
        data["threshold"],
        data["severity"],
        window=data["window"],
        mode=data["mode"],
    )


def _encode_sample(sample: MetricSample) -> Document:
    return {"metric": sample.metric, "value": sample.value, "at": sample.observed_at.isoformat()}


def _decode_sample(data: Mapping[str, Any]) -> MetricSample:
    return MetricSample(data["metric"], data["value"], _moment(data["at"]))


def encode_alert(alert: Alert) -> Document:
    """An alert as a dict (the stored shape; the webhook has its own payload encoder)."""
    return {
        "incident_id": alert.incident_id,
        "policy_id": alert.policy_id,
        "rule_id": alert.rule_id,
        "metric": alert.metric,
        "severity": alert.severity.value,
        "threshold": alert.threshold,
        "observed_value": alert.observed_value,
        "observed_at": alert.observed_at.isoformat(),
    }


def decode_alert(data: Mapping[str, Any]) -> Alert:
    """An alert from :func:`encode_alert`'s output; the alert validates every field."""
    return Alert(
        incident_id=data["incident_id"],
        policy_id=data["policy_id"],
        rule_id=data["rule_id"],
        metric=data["metric"],
        severity=data["severity"],
        threshold=data["threshold"],
        observed_value=data["observed_value"],
        observed_at=_moment(data["observed_at"]),
    )


def encode_event(event: DomainEvent) -> Document:
    """An event as a dict tagged with its type."""
    match event:
        case RuleAdded(policy_id, rule):
            return {"type": "RuleAdded", "policy_id": policy_id, "rule": encode_rule(rule)}
        case RuleActivated(policy_id, rule_id):
            return {"type": "RuleActivated", "policy_id": policy_id, "rule_id": rule_id}
        case RuleRetired(policy_id, rule_id, reason):
            return {
                "type": "RuleRetired",
                "policy_id": policy_id,
                "rule_id": rule_id,
                "reason": reason,
            }
        case IncidentOpened(alert):
            return {"type": "IncidentOpened", "alert": encode_alert(alert)}
        case IncidentClosed(policy_id, rule_id, incident_id, reason):
            return {
                "type": "IncidentClosed",
                "policy_id": policy_id,
                "rule_id": rule_id,
                "incident_id": incident_id,
                "reason": reason,
            }
    raise DomainError(f"not a domain event: {type(event).__name__}")


def decode_event(data: Mapping[str, Any]) -> DomainEvent:
    """An event from :func:`encode_event`'s output."""
    kind = data.get("type")
    if kind == "RuleAdded":
        return RuleAdded(data["policy_id"], decode_rule(data["rule"]))
    if kind == "RuleActivated":
        return RuleActivated(data["policy_id"], data["rule_id"])
    if kind == "RuleRetired":
        return RuleRetired(data["policy_id"], data["rule_id"], data["reason"])
    if kind == "IncidentOpened":
        return IncidentOpened(decode_alert(data["alert"]))
    if kind == "IncidentClosed":
        return IncidentClosed(
            data["policy_id"], data["rule_id"], data["incident_id"], data["reason"]
        )
    raise DomainError(f"unknown event type {kind!r}")


def encode_policy(policy: MonitoringPolicy) -> Document:
    """A policy's full state (not its pending events) as a dict."""
    rules = policy.rules()
    metrics = dict.fromkeys(rule.metric for rule in rules)
    seen = {metric: policy.last_evaluated(metric) for metric in metrics}
    return {
        "type": "MonitoringPolicy",
        "policy_id": policy.policy_id,
        "rules": [
            {**encode_rule(rule), "state": policy.rule_state(rule.rule_id).value} for rule in rules
        ],
        "seen": {metric: moment.isoformat() for metric, moment in seen.items() if moment},
        "recent": {
            rule.rule_id: [_encode_sample(sample) for sample in kept]
            for rule in rules
            if (kept := policy.recent_samples(rule.rule_id))
        },
        "open": [encode_alert(alert) for alert in policy.open_incidents()],
    }


def decode_policy(
    data: Mapping[str, Any], *, modes: ModeRegistry | None = None
) -> MonitoringPolicy:
    """A policy from :func:`encode_policy`'s output; every rule is checked against *modes*."""
    if data.get("type") != "MonitoringPolicy":
        raise DomainError(f"not a stored policy: type {data.get('type')!r}")
    rules: Iterable[tuple[ThresholdRule, RuleState]] = [
        (decode_rule(item), RuleState(item["state"])) for item in data["rules"]
    ]
    return MonitoringPolicy.restore(
        data["policy_id"],
        modes=modes,
        rules=rules,
        seen={metric: _moment(text) for metric, text in data["seen"].items()},
        recent={
            rule_id: tuple(_decode_sample(item) for item in items)
            for rule_id, items in data["recent"].items()
        },
        open_incidents=[decode_alert(item) for item in data["open"]],
    )


def encode_view(view: PolicyView) -> Document:
    """A read model as a dict, for a store that keeps it."""
    return {
        "policy_id": view.policy_id,
        "active_rules": list(view.active_rules),
        "open_incidents": [encode_alert(alert) for alert in view.open_incidents],
    }


def decode_view(data: Mapping[str, Any]) -> PolicyView:
    """A read model from :func:`encode_view`'s output."""
    return PolicyView(
        data["policy_id"],
        tuple(data["active_rules"]),
        tuple(decode_alert(item) for item in data["open_incidents"]),
    )
