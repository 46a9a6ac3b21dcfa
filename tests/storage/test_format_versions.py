"""Stored documents carry a format version; older ones are upcast on read, newer ones refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import get_args

import pytest

from service_monitoring import (
    IncidentOpened,
    MonitoringRuntime,
    RuleAdded,
    StoreUnavailable,
    ThresholdRule,
)
from service_monitoring.storage.codec import (
    FORMAT_VERSION,
    DocumentKind,
    decode_event,
    decode_policy,
    encode_alert,
    encode_event,
    encode_policy,
    encode_view,
    upcast,
    upcaster,
)
from service_monitoring.storage.read_models import PolicyView

from ..support import latency_policy, sample

V1_RULE = {
    "rule_id": "latency",
    "metric": "http.latency_ms",
    "threshold": 250.0,
    "severity": "critical",
    "window": 1,
    "mode": "threshold",
}


def test_every_kind_has_an_upcaster_from_every_older_format() -> None:
    for kind in get_args(DocumentKind):
        document = upcast(kind, {"format": 1, "rules": [], "type": "RuleActivated"})
        assert document["format"] == FORMAT_VERSION


def test_every_document_is_written_in_the_current_format() -> None:
    policy = latency_policy()
    alerts = policy.evaluate([sample("http.latency_ms", 300)])
    documents = [
        encode_policy(policy),
        *(encode_event(event) for event in policy.collect_events()),
        encode_view(PolicyView("checkout", ("latency",), tuple(alerts))),
        encode_alert(alerts[0]),
    ]
    assert {document["format"] for document in documents} == {FORMAT_VERSION}


def test_a_format_1_rule_reads_as_clearing_at_the_threshold() -> None:
    event = decode_event({"type": "RuleAdded", "policy_id": "checkout", "rule": V1_RULE})
    assert isinstance(event, RuleAdded)
    assert event.rule == ThresholdRule("latency", "http.latency_ms", 250, "critical")
    assert event.rule.clear_threshold is None


def test_a_format_1_policy_upcasts_to_the_same_policy_written_today() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 300)])
    today = encode_policy(policy)
    format_1 = {key: value for key, value in today.items() if key != "format"}
    format_1["rules"] = [
        {key: value for key, value in rule.items() if key != "clear_threshold"}
        for rule in today["rules"]
    ]
    assert encode_policy(decode_policy(format_1)) == today


def test_an_opened_event_of_format_1_keeps_its_alert() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 300)])
    [opened] = [e for e in policy.collect_events() if isinstance(e, IncidentOpened)]
    document = {k: v for k, v in encode_event(opened).items() if k != "format"}
    assert decode_event(document) == opened


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, 99])
def test_a_newer_format_is_refused_naming_both_versions(version: int) -> None:
    with pytest.raises(Exception, match=f"has format {version}; this release reads formats 1 to 2"):
        upcast("policy", {"format": version})


@pytest.mark.parametrize("version", [0, -1, "2", True, None])
def test_an_unreadable_format_is_refused(version: object) -> None:
    with pytest.raises(Exception, match="has an unreadable format"):
        upcast("event", {"format": version})


def test_registering_a_second_upcaster_for_one_step_is_refused() -> None:
    with pytest.raises(Exception, match="format 1 of policy documents has an upcaster already"):
        upcaster("policy", 1)(lambda document: document)


def test_a_store_refuses_a_document_from_a_newer_release(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with MonitoringRuntime(database=path) as runtime:
        runtime.register_policy(latency_policy())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE policies SET document = json_set(document, '$.format', 3)")
    db.close()
    with (
        MonitoringRuntime(database=path, read_only=True) as runtime,
        pytest.raises(StoreUnavailable) as refused,
    ):
        runtime.policy("checkout")
    assert "a stored policy has format 3; this release reads formats 1 to 2" in str(refused.value)
    assert str(path) in str(refused.value)
