"""Properties of decode_samples: PayloadRejected is the only failure, valid input round-trips.

``benchmarks/fuzz_decode.py`` (``tox -e fuzz``) runs the same idea over 100,000+ inputs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service_monitoring import MetricSample, PayloadLimits, PayloadRejected, decode_samples

QUICK = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

offsets = st.integers(-23 * 60, 23 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=offsets
)
metric_names = st.from_regex(r"[a-z][a-z0-9_.:-]{0,20}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**15), 10**15)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@st.composite
def near_valid_documents(draw: st.DrawFn) -> str:
    """A samples document whose every part may be right or subtly wrong, maybe cut short."""
    items = []
    for _ in range(draw(st.integers(0, 4))):
        item = {
            "metric": draw(metric_names | json_values),
            "value": draw(finite | json_values),
            "observed_at": draw(moments.map(datetime.isoformat) | st.text(max_size=30)),
        }
        if draw(st.booleans()):
            item[draw(st.sampled_from(["metric", "value", "observed_at", "extra"]))] = draw(
                json_values
            )
        items.append(item)
    text = json.dumps({"samples": items} if draw(st.booleans()) else draw(json_values))
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["", "NaN", ",", '"', "[[", "}"])) + text[cut:]
    return text


def decode_or_rejection(data: bytes | str) -> list[MetricSample] | PayloadRejected:
    try:
        return decode_samples(data, limits=PayloadLimits(max_bytes=2000))
    except PayloadRejected as error:
        return error


@QUICK
@given(st.binary(max_size=300) | st.text(max_size=300) | near_valid_documents())
def test_any_input_gives_samples_or_payload_rejected(data: bytes | str) -> None:
    outcome = decode_or_rejection(data)
    if isinstance(outcome, PayloadRejected):
        assert outcome.position == "" or outcome.position.startswith("samples")
        assert len(str(outcome)) < 300
    else:
        assert all(isinstance(sample, MetricSample) for sample in outcome)


@QUICK
@given(st.lists(st.tuples(metric_names, finite, moments), max_size=20))
def test_valid_documents_round_trip(triples: list[tuple[str, float, datetime]]) -> None:
    document = {
        "samples": [
            {"metric": metric, "value": value, "observed_at": at.isoformat()}
            for metric, value, at in triples
        ]
    }
    after_every_moment = datetime(2100, 1, 2, tzinfo=UTC)
    decoded = decode_samples(json.dumps(document).encode(), now=after_every_moment)
    assert decoded == [
        MetricSample(metric, float(value), at.astimezone(UTC)) for metric, value, at in triples
    ]


@QUICK
@given(moments, st.integers(0, 3600), st.integers(-7200, 7200))
def test_a_sample_is_accepted_exactly_up_to_the_clock_skew(
    now: datetime, skew: int, offset_seconds: int
) -> None:
    at = now + timedelta(seconds=offset_seconds)
    document = {"samples": [{"metric": "cpu", "value": 1.0, "observed_at": at.isoformat()}]}
    limits = PayloadLimits(max_clock_skew=skew)
    if offset_seconds > skew:
        with pytest.raises(PayloadRejected, match="ahead of the receiving clock") as caught:
            decode_samples(json.dumps(document), limits=limits, now=now)
        assert caught.value.position == "samples[0].observed_at"
    else:
        [decoded] = decode_samples(json.dumps(document), limits=limits, now=now)
        assert decoded.observed_at == at
