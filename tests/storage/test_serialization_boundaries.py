"""Three formats with three owners: the storage codec, the webhook body and the intake boundary.

Module 06's lesson on serialization boundaries and explicit codecs cites these tests.
"""

from __future__ import annotations

import json

import pytest

from service_monitoring import DomainError, PayloadRejected, ThresholdRule, decode_samples
from service_monitoring.delivery.payload import alert_document, batch_body
from service_monitoring.storage.codec import (
    decode_event,
    decode_policy,
    decode_rule,
    encode_alert,
    encode_policy,
    encode_rule,
)
from support import T0, latency_policy, sample

LATENCY = ThresholdRule("latency", "http.latency_ms", 250, "critical")


def test_the_webhook_body_is_not_the_stored_alert_document() -> None:
    [alert] = latency_policy().evaluate([sample("http.latency_ms", 300)])
    stored, sent = encode_alert(alert), alert_document(alert)
    assert "format" in stored
    assert "format" not in sent  # receivers never see the storage format's version
    assert json.loads(batch_body([alert])) == {"alerts": [sent]}


def test_every_stored_policy_document_is_plain_json() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 300)])
    document = encode_policy(policy)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    assert encode_policy(decode_policy(document)) == document


def test_decoding_a_stored_rule_runs_the_constructor_s_checks() -> None:
    assert decode_rule(encode_rule(LATENCY)) == LATENCY
    with pytest.raises(DomainError, match=r"clear_threshold must be below threshold"):
        decode_rule({**encode_rule(LATENCY), "clear_threshold": 300})


def test_a_stored_type_tag_is_compared_never_resolved() -> None:
    with pytest.raises(DomainError, match=r"unknown event type 'builtins\.eval'"):
        decode_event({"format": 2, "type": "builtins.eval", "policy_id": "checkout"})


def test_the_intake_refuses_an_unknown_field_the_storage_codec_does_not_read() -> None:
    payload = json.dumps(
        {"samples": [{"metric": "cpu", "value": 1, "observed_at": T0.isoformat(), "unit": "%"}]}
    )
    with pytest.raises(PayloadRejected, match=r"samples\[0\]: unknown field 'unit'"):
        decode_samples(payload, now=T0)
    assert decode_rule({**encode_rule(LATENCY), "unit": "ms"}) == LATENCY
