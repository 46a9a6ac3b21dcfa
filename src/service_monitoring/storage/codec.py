"""The codec: domain objects to JSON-ready dicts and back, for storage.

Internal module: the stores use it; nothing outside the package should. It is the
storage format only: the webhook's wire format is
:mod:`service_monitoring.delivery.payload`, so either can change without the other.

The encoders write only plain JSON values (``str``, ``float``, ``int``, ``None``,
lists, dicts); timestamps travel as ISO 8601 strings with their UTC offset.
Decoding goes through the classes' own constructors, so a stored value that
breaks an invariant is refused exactly as new input would be. No ``pickle``:
stored bytes are data, never code.

**Format versions.** Every stored document -- a policy, an event, a read model,
an outbox entry -- carries ``"format": FORMAT_VERSION``; a document without one
was written before versions existed and is format 1. A decoder first *upcasts*
an older document, one version at a time, by the small functions registered
with :func:`upcaster`, then decodes it as if it had just been written. A
document from a newer release is refused, naming both versions: guessing what a
future field means would be worse than stopping.

>>> from service_monitoring import ThresholdRule
>>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
>>> encode_rule(rule)  # doctest: +NORMALIZE_WHITESPACE
{'rule_id': 'latency', 'metric': 'http.latency_ms', 'threshold': 250.0,
 'severity': 'critical', 'window': 1, 'mode': 'threshold', 'clear_threshold': None}
>>> decode_rule(encode_rule(rule)) == rule
True
>>> upcast("event", {"type": "RuleActivated", "policy_id": "checkout", "rule_id": "latency"})
{'type': 'RuleActivated', 'policy_id': 'checkout', 'rule_id': 'latency', 'format': 2}
>>> upcast("event", {"format": 3, "type": "RuleActivated"})  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
service_monitoring.domain.errors.DomainError: a stored event has format 3; this release
reads formats 1 to 2
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final, Literal

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
    "FORMAT_VERSION",
    "DocumentKind",
    "Upcaster",
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
    "upcast",
    "upcaster",
]

Document = dict[str, Any]
#: What a stored document holds: each kind has its own chain of upcasters.
DocumentKind = Literal["policy", "event", "view", "alert"]
#: Turns a document of one format into the next format's shape.
Upcaster = Callable[[Document], Document]

#: The format every document is written in.
FORMAT_VERSION: Final = 2

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(kind: DocumentKind, version: int) -> Callable[[Upcaster], Upcaster]:
    """Register the function that turns a *kind* document of *version* into *version* + 1."""

    def register(function: Upcaster) -> Upcaster:
        if (kind, version) in _UPCASTERS:
            raise DomainError(f"format {version} of {kind} documents has an upcaster already")
        _UPCASTERS[kind, version] = function
        return function

    return register


def upcast(kind: DocumentKind, data: Mapping[str, Any]) -> Document:
    """*data* brought to :data:`FORMAT_VERSION`, one registered step at a time.

    A newer format is refused with a :class:`~service_monitoring.DomainError`
    naming the document's format and the ones this release reads.
    """
    if not isinstance(data, Mapping):
        raise DomainError(f"a stored {kind} must be a JSON object, got {type(data).__name__}")
    version = data.get("format", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DomainError(f"a stored {kind} has an unreadable format {version!r}")
    if version > FORMAT_VERSION:
        raise DomainError(
            f"a stored {kind} has format {version}; this release reads formats 1 to "
            f"{FORMAT_VERSION}"
        )
    document = dict(data)
    while version < FORMAT_VERSION:
        document = _UPCASTERS[kind, version](document)
        version += 1
        document["format"] = version
    return document


def _stamp(document: Document) -> Document:
    return {"format": FORMAT_VERSION, **document}


# -- format 1 -> 2: rules gained clear_threshold; its absence means "clear at the threshold"


def _rule_1_to_2(rule: Mapping[str, Any]) -> Document:
    return {**rule, "clear_threshold": None}


@upcaster("policy", 1)
def _policy_1_to_2(document: Document) -> Document:
    return {**document, "rules": [_rule_1_to_2(rule) for rule in document["rules"]]}


@upcaster("event", 1)
def _event_1_to_2(document: Document) -> Document:
    if document.get("type") == "RuleAdded":
        return {**document, "rule": _rule_1_to_2(document["rule"])}
    return document


@upcaster("view", 1)
@upcaster("alert", 1)
def _unchanged_1_to_2(document: Document) -> Document:
    return document


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
        "clear_threshold": rule.clear_threshold,
    }


def decode_rule(data: Mapping[str, Any]) -> ThresholdRule:
    """A rule from :func:`encode_rule`'s output (rules are part of other documents)."""
    return ThresholdRule(
        data["rule_id"],
        data["metric"],
        data["threshold"],
        data["severity"],
        window=data["window"],
        mode=data["mode"],
        clear_threshold=data["clear_threshold"],
    )


def _encode_sample(sample: MetricSample) -> Document:
    return {"metric": sample.metric, "value": sample.value, "at": sample.observed_at.isoformat()}


def _decode_sample(data: Mapping[str, Any]) -> MetricSample:
    return MetricSample(data["metric"], data["value"], _moment(data["at"]))


def encode_alert(alert: Alert) -> Document:
    """An alert as an outbox document (the webhook has its own payload encoder)."""
    return _stamp(_alert_fields(alert))


def decode_alert(data: Mapping[str, Any]) -> Alert:
    """An alert from :func:`encode_alert`'s output; the alert validates every field."""
    return _alert(upcast("alert", data))


def _alert_fields(alert: Alert) -> Document:
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


def _alert(data: Mapping[str, Any]) -> Alert:
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
    """An event as a document tagged with its type."""
    return _stamp(_event_fields(event))


def _event_fields(event: DomainEvent) -> Document:
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
            return {"type": "IncidentOpened", "alert": _alert_fields(alert)}
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
    """An event from :func:`encode_event`'s output, or an older format's."""
    data = upcast("event", data)
    kind = data.get("type")
    if kind == "RuleAdded":
        return RuleAdded(data["policy_id"], decode_rule(data["rule"]))
    if kind == "RuleActivated":
        return RuleActivated(data["policy_id"], data["rule_id"])
    if kind == "RuleRetired":
        return RuleRetired(data["policy_id"], data["rule_id"], data["reason"])
    if kind == "IncidentOpened":
        return IncidentOpened(_alert(data["alert"]))
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
        "format": FORMAT_VERSION,
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
        "open": [_alert_fields(alert) for alert in policy.open_incidents()],
    }


def decode_policy(
    data: Mapping[str, Any], *, modes: ModeRegistry | None = None
) -> MonitoringPolicy:
    """A policy from :func:`encode_policy`'s output, or an older format's.

    Every rule is checked against *modes*.
    """
    data = upcast("policy", data)
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
        open_incidents=[_alert(item) for item in data["open"]],
    )


def encode_view(view: PolicyView) -> Document:
    """A read model as a document, for a store that keeps it."""
    return {
        "format": FORMAT_VERSION,
        "policy_id": view.policy_id,
        "active_rules": list(view.active_rules),
        "open_incidents": [_alert_fields(alert) for alert in view.open_incidents],
    }


def decode_view(data: Mapping[str, Any]) -> PolicyView:
    """A read model from :func:`encode_view`'s output, or an older format's."""
    data = upcast("view", data)
    return PolicyView(
        data["policy_id"],
        tuple(data["active_rules"]),
        tuple(_alert(item) for item in data["open_incidents"]),
    )
