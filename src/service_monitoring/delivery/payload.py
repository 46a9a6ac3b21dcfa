"""The webhook's wire format: the JSON body a receiver gets for one batch.

Internal module: :class:`~service_monitoring.WebhookSink` sends it, and
``service-monitoring incidents --json`` prints incidents in the same shape.

This is a contract with systems outside the package, so it is written here
on its own rather than borrowed from the storage codec: the stored format may
change (and be migrated) without a receiver noticing, and the other way round.

>>> from datetime import datetime, timezone
>>> from service_monitoring import Alert, MetricSample, ThresholdRule
>>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
>>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
>>> alert = Alert.open("checkout", rule, MetricSample("http.latency_ms", 300, at))
>>> sorted(alert_document(alert))  # doctest: +NORMALIZE_WHITESPACE
['incident_id', 'metric', 'observed_at', 'observed_value', 'policy_id', 'rule_id',
 'severity', 'threshold']
>>> batch_body([alert])[:11]
b'{"alerts":['
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..domain.values import Alert

__all__ = ["alert_document", "batch_body"]


def alert_document(alert: Alert) -> dict[str, Any]:
    """One incident as the JSON object a receiver reads."""
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


def batch_body(alerts: Sequence[Alert]) -> bytes:
    """The request body for one batch: ``{"alerts": [...]}`` as compact UTF-8 JSON."""
    return json.dumps(
        {"alerts": [alert_document(alert) for alert in alerts]},
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")
