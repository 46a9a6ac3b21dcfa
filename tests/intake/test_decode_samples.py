"""decode_samples: untrusted JSON in, samples or PayloadRejected out, naming position and reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from service_monitoring import (
    BoundaryError,
    DomainError,
    MetricSample,
    PayloadLimits,
    PayloadRejected,
    decode_samples,
)

AT = "2026-11-21T10:00:00+00:00"


def sample(metric: object = "cpu.utilisation", value: object = 0.93, at: object = AT) -> dict:
    return {"metric": metric, "value": value, "observed_at": at}


def payload(*samples: object) -> str:
    return json.dumps({"samples": list(samples)})


def raw(value: str = "0.93", extra: str = "") -> str:
    """One sample written by hand, with *value* and *extra* pasted in verbatim."""
    return (
        '{"samples": [{"metric": "cpu", "value": '
        + value
        + ', "observed_at": "'
        + AT
        + '"'
        + extra
        + "}]}"
    )


def rejection(data: bytes | str, limits: PayloadLimits | None = None) -> str:
    with pytest.raises(PayloadRejected) as caught:
        decode_samples(data, limits=limits)
    return str(caught.value)


def test_a_valid_payload_becomes_samples_in_order() -> None:
    data = payload(sample(), sample("http.latency_ms", 320, "2026-11-21T12:00:00+02:00"))
    assert decode_samples(data.encode()) == [
        MetricSample("cpu.utilisation", 0.93, datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),
        MetricSample("http.latency_ms", 320.0, datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),
    ]


def test_bytes_and_text_decode_alike_and_an_empty_list_is_valid() -> None:
    data = payload(sample())
    assert decode_samples(data) == decode_samples(data.encode())
    assert decode_samples('{"samples": []}') == []


def test_a_z_offset_and_a_utc_offset_are_explicit() -> None:
    (one,) = decode_samples(payload(sample(at="2026-11-21T10:00:00Z")))
    assert one.observed_at == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def test_payload_rejected_is_a_boundary_error_with_position_and_reason() -> None:
    error = PayloadRejected("samples[3].value", "expected a finite number, got bool")
    assert isinstance(error, BoundaryError)
    assert str(error) == "samples[3].value: expected a finite number, got bool"
    assert (error.position, error.reason) == (
        "samples[3].value",
        "expected a finite number, got bool",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "not valid UTF-8 (at byte 0)"),
        ('{"samples": [', "invalid JSON at line 1 column 14"),
        ("", "invalid JSON at line 1 column 1"),
        ('{"samples": [], "samples": []}', "duplicate key 'samples'"),
        ("[1, 2]", 'expected an object with a "samples" list, got list'),
        ("NaN", 'expected an object with a "samples" list, got NaN'),
        ('{"sample": []}', "unknown field 'sample'"),
        ("{}", "missing field 'samples'"),
        ('{"samples": {}}', "samples: expected a list of samples, got object"),
        ('{"samples": "x"}', "samples: expected a list of samples, got string"),
        ('{"samples": [[[1]]]}', "nesting deeper than 3 levels"),
        ('{"samples": [{"a": {"b": 1}}]}', "nesting deeper than 3 levels"),
    ],
)
def test_malformed_documents_are_rejected(data: bytes | str, message: str) -> None:
    assert message in rejection(data)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (sample(value=True), "samples[0].value: expected a finite number, got bool"),
        (sample(value="0.93"), "samples[0].value: expected a finite number, got string"),
        (sample(value=None), "samples[0].value: expected a finite number, got null"),
        (sample(metric=7), "samples[0].metric: expected a string, got int"),
        (sample(metric="CPU"), "samples[0].metric: a metric name is a lower-case letter"),
        (sample(metric="cpu load"), "samples[0].metric: a metric name"),
        (sample(metric=""), "samples[0].metric: a metric name"),
        (sample(metric="a" * 129), "samples[0].metric: a metric name"),
        (sample(at=1700000000), "samples[0].observed_at: expected an ISO 8601 timestamp string"),
        (sample(at="2026-11-21T10:00:00"), "samples[0].observed_at: expected an ISO 8601"),
        (sample(at="yesterday"), "samples[0].observed_at: expected an ISO 8601"),
        (sample(at="2026-11-21T10:00:00+00:00" + " " * 50), "samples[0].observed_at:"),
        (sample(at="0001-01-01T00:00:00+05:00"), "samples[0].observed_at: out of range in UTC"),
        ({"metric": "cpu", "value": 1}, "samples[0]: missing field 'observed_at'"),
        ({**sample(), "unit": "%"}, "samples[0]: unknown field 'unit'"),
        ("cpu", "samples[0]: expected a sample object, got string"),
    ],
)
def test_wrong_fields_are_rejected_at_their_position(item: object, message: str) -> None:
    assert message in rejection(payload(item))
    assert message.replace("samples[0]", "samples[1]") in rejection(payload(sample(), item))


@pytest.mark.parametrize(
    ("literal", "shown"),
    [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e999", "range")],
)
def test_non_finite_numbers_are_rejected(literal: str, shown: str) -> None:
    message = rejection(raw(literal))
    assert message.startswith("samples[0].value: expected a finite number")
    assert shown in message


@pytest.mark.parametrize("digits", [309, 400, 5000, 50_000])
def test_huge_integers_are_rejected_not_crashed_on(digits: int) -> None:
    assert "samples[0].value: expected a finite number" in rejection(raw("9" * digits))


def test_duplicate_keys_inside_a_sample_are_rejected_at_the_sample() -> None:
    assert rejection(raw("1", ', "value": 2')) == "samples[0]: duplicate key 'value'"


def test_the_byte_limit_is_checked_before_parsing() -> None:
    limits = PayloadLimits(max_bytes=64)
    assert rejection("[" * 65, limits) == "payload larger than 64 bytes"
    assert rejection(b" " * 65, limits) == "payload larger than 64 bytes"
    assert rejection("é" * 33, limits) == "payload larger than 64 bytes"  # 66 bytes in UTF-8


def test_the_default_limits_are_one_mebibyte_and_ten_thousand_samples() -> None:
    assert PayloadLimits() == PayloadLimits(max_bytes=1024 * 1024, max_samples=10_000)
    too_big = '{"samples": []}' + " " * (1024 * 1024)
    assert rejection(too_big) == "payload larger than 1048576 bytes"
    many = payload(*[sample(at=f"2026-11-21T10:00:{i % 60:02d}Z") for i in range(10_001)])
    assert rejection(many) == "samples: more than 10000 samples (10001)"


def test_the_sample_and_metric_length_limits_are_configurable() -> None:
    limits = PayloadLimits(max_samples=2, max_metric_length=5)
    assert decode_samples(payload(sample("cpu.a"), sample("cpu.b")), limits=limits)
    assert rejection(payload(*[sample("cpu")] * 3), limits).startswith("samples: more than 2")
    assert "at most 5 characters" in rejection(payload(sample("cpu.ab")), limits)


def test_deep_nesting_never_reaches_the_parser() -> None:
    for data in ("[" * 100_000, '{"a":' * 50_000, "[" * 500_000 + "]" * 500_000):
        assert "nesting deeper than 3 levels" in rejection(data)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert rejection(raw("1", ', "x": "[[[[{{{{\\"]]"')) == "samples[0]: unknown field 'x'"


def test_lone_surrogates_are_rejected() -> None:
    assert rejection("\ud800") == "text is not valid Unicode (lone surrogate at index 0)"
    escaped = payload(sample(metric="\ud800"))  # json.dumps escapes it as \\ud800
    assert "samples[0].metric: a metric name" in rejection(escaped)


def test_a_payload_of_the_wrong_type_is_rejected() -> None:
    assert rejection(memoryview(b"{}")) == "expected bytes or str, got memoryview"  # type: ignore[arg-type]


def test_messages_quote_only_a_short_ascii_excerpt_of_the_input() -> None:
    secret_tail = "x" * 200 + "TAIL"
    for item in (sample(metric="Z" + secret_tail), sample(at="2026" + secret_tail)):
        message = rejection(payload(item))
        assert "TAIL" not in message
        assert len(message) < 200
        assert message.isascii()
    assert rejection(payload({**sample(), "k" + secret_tail: 1})).endswith("...")
    assert rejection(payload(sample(metric="ünïcödé"))).isascii()


def test_limits_validate_themselves() -> None:
    for bad in (0, -1, True, 1.5, "10"):
        with pytest.raises(DomainError):
            PayloadLimits(max_bytes=bad)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="limits must be a PayloadLimits"):
        decode_samples("{}", limits={"max_bytes": 10})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "observed_at",
    ["9999-12-31T23:59:59Z", "2026-11-21T10:05:01+00:00", "2026-11-21T11:05:01+01:00"],
)
def test_a_sample_from_a_clock_running_ahead_is_refused_at_the_boundary(observed_at: str) -> None:
    now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    payload = json.dumps(
        {
            "samples": [
                {"metric": "cpu", "value": 0.5, "observed_at": "2026-11-21T09:59:00Z"},
                {"metric": "cpu", "value": 0.5, "observed_at": observed_at},
            ]
        }
    )
    with pytest.raises(PayloadRejected, match="more than 300 s ahead") as caught:
        decode_samples(payload, now=now)
    assert caught.value.position == "samples[1].observed_at"
    just_in_time = payload.replace(observed_at, "2026-11-21T10:05:00Z")
    assert len(decode_samples(just_in_time, now=now)) == 2


@pytest.mark.parametrize("skew", [-1, float("nan"), float("inf"), True, "300"])
def test_the_clock_skew_limit_is_a_finite_number_of_seconds(skew: object) -> None:
    with pytest.raises(DomainError, match="max_clock_skew must be a finite number >= 0"):
        PayloadLimits(max_clock_skew=skew)  # type: ignore[arg-type]
