"""The trust boundary: untrusted JSON in, validated :class:`MetricSample` objects out.

Internal module: import :func:`decode_samples` and :class:`PayloadLimits` from
:mod:`service_monitoring`.

The accepted document is exactly::

    {"samples": [{"metric": "cpu.utilisation", "value": 0.93,
                  "observed_at": "2026-11-21T10:00:00+00:00"}]}

* ``metric`` matches :data:`METRIC_NAME` -- a lower-case letter, then
  lower-case letters, digits and ``_ . : -`` -- and is at most
  ``PayloadLimits.max_metric_length`` (default 128) characters long;
* ``value`` is a JSON number, finite once read as a float (not ``true``,
  not a string, not ``NaN`` or ``Infinity``);
* ``observed_at`` is an ISO 8601 timestamp of at most 64 characters with an
  explicit UTC offset (``+00:00`` or ``Z``).

Everything else is refused with :class:`~service_monitoring.PayloadRejected`,
whose message names the position and the reason and quotes at most a short,
ASCII-escaped excerpt of the input. Each check runs before the work it
protects: the size before decoding, the nesting depth before parsing, so
no input can make the parser recurse or allocate without bound.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from ..domain.clock import utc_now
from ..domain.errors import DomainError, PayloadRejected
from ..domain.values import MetricSample, to_utc

__all__ = ["MAX_DEPTH", "METRIC_NAME", "PayloadLimits", "decode_samples"]

#: The characters a metric name may use (its length is limited separately).
METRIC_NAME: Final = re.compile(r"[a-z][a-z0-9_.:-]*")

#: How deeply the format nests: the document, the samples list, one sample.
MAX_DEPTH: Final = 3

_TOP_FIELDS: Final = frozenset({"samples"})
_SAMPLE_FIELDS: Final = ("metric", "value", "observed_at")
_MAX_TIMESTAMP_LENGTH: Final = 64
_MAX_INT_DIGITS: Final = 400  # any longer integer is out of float range anyway
_EXCERPT: Final = 32
# A JSON string (escapes included) or one bracket: what the depth scan looks at.
_TOKENS: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{}]', re.DOTALL)


@dataclass(frozen=True, slots=True)
class PayloadLimits:
    """How much one payload may hold; each limit is checked before the work it bounds.

    ``max_bytes`` bounds the payload's size in UTF-8 (default 1 MiB),
    ``max_samples`` the number of samples (default 10,000),
    ``max_metric_length`` the characters of a metric name (default 128) and
    ``max_clock_skew`` how many seconds a sample may lie ahead of the receiver's
    clock (default 300): a sample from further in the future would move its
    metric's evaluation watermark past every real sample to come.

    >>> PayloadLimits().max_bytes
    1048576
    >>> PayloadLimits(max_samples=0)
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: max_samples must be a whole number >= 1, got 0
    """

    max_bytes: int = 1024 * 1024
    max_samples: int = 10_000
    max_metric_length: int = 128
    max_clock_skew: float = 300.0

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_samples", "max_metric_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DomainError(f"{name} must be a whole number >= 1, got {value!r}")
        skew = self.max_clock_skew
        if (
            isinstance(skew, bool)
            or not isinstance(skew, int | float)
            or not math.isfinite(skew)
            or skew < 0
        ):
            raise DomainError(f"max_clock_skew must be a finite number >= 0, got {skew!r}")


def decode_samples(
    payload: bytes | str,
    *,
    limits: PayloadLimits | None = None,
    now: datetime | None = None,
) -> list[MetricSample]:
    """Decode an untrusted JSON payload into samples, or raise :class:`PayloadRejected`.

    A sample observed more than ``limits.max_clock_skew`` seconds after *now*
    (default: the current time) is refused. The function has no other side
    effects: it logs and counts nothing (the caller that handles the rejection
    does, see :meth:`~service_monitoring.Telemetry.payload_rejected`).

    >>> payload = b'{"samples": [{"metric": "cpu.utilisation", "value": 0.93,'
    >>> payload += b' "observed_at": "2026-11-21T10:00:00+00:00"}]}'
    >>> [(s.metric, s.value) for s in decode_samples(payload)]
    [('cpu.utilisation', 0.93)]
    >>> boolean = '{"samples": [{"metric": "cpu", "value": true, "observed_at": "x"}]}'
    >>> decode_samples(boolean)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.PayloadRejected: samples[0].value: expected a finite
    number, got bool
    """
    if limits is None:
        limits = PayloadLimits()
    elif not isinstance(limits, PayloadLimits):
        raise DomainError(f"limits must be a PayloadLimits, got {type(limits).__name__}")
    latest = to_utc(utc_now() if now is None else now, name="now") + timedelta(
        seconds=limits.max_clock_skew
    )
    text = _text_of(payload, limits.max_bytes)
    _check_depth(text)
    document = _parse(text)
    return _samples_of(document, limits, latest)


# -- stage 1: bytes to text, within the size limit ---------------------------------------


def _text_of(payload: object, max_bytes: int) -> str:
    if isinstance(payload, str):
        if len(payload) > max_bytes:  # every character takes at least one byte
            raise _too_large(max_bytes)
        try:
            raw = payload.encode("utf-8")
        except UnicodeEncodeError as error:
            raise PayloadRejected(
                "", f"text is not valid Unicode (lone surrogate at index {error.start})"
            ) from None
    elif isinstance(payload, bytes):
        raw = payload
    else:
        raise PayloadRejected("", f"expected bytes or str, got {type(payload).__name__}")
    if len(raw) > max_bytes:
        raise _too_large(max_bytes)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadRejected("", f"not valid UTF-8 (at byte {error.start})") from None


def _too_large(max_bytes: int) -> PayloadRejected:
    return PayloadRejected("", f"payload larger than {max_bytes} bytes")


# -- stage 2: nesting depth, before the parser sees the text -----------------------------


def _check_depth(text: str) -> None:
    """Refuse text whose brackets nest deeper than the format, outside strings."""
    depth = 0
    for match in _TOKENS.finditer(text):
        lexeme = match.group()
        if lexeme in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise PayloadRejected(
                    "", f"nesting deeper than {MAX_DEPTH} levels (at character {match.start()})"
                )
        elif lexeme in ("]", "}"):
            depth = max(depth - 1, 0)
        elif lexeme == '"':
            return  # an unterminated string: the parser refuses the text
        # a whole string: skipped, its brackets are data


# -- stage 3: parsing, with markers where a value is refused -------------------------------


class _Refused:
    """Stands where the parser met something the format refuses; validation reports it."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


class _DuplicateKey:
    """Stands for an object that repeats a key."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _DuplicateKey:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                return _DuplicateKey(key)
            seen.add(key)
    return result


def _constant(name: str) -> _Refused:
    return _Refused(name)  # NaN, Infinity, -Infinity


def _integer(digits: str) -> int | _Refused:
    if len(digits) > _MAX_INT_DIGITS:
        return _Refused("a number out of range")
    return int(digits)


def _parse(text: str) -> Any:
    try:
        return json.loads(
            text, object_pairs_hook=_object, parse_constant=_constant, parse_int=_integer
        )
    except json.JSONDecodeError as error:
        raise PayloadRejected(
            "", f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except ValueError:  # a conversion limit of the interpreter
        raise PayloadRejected("", "invalid JSON: a value cannot be read") from None


# -- stage 4: the shape of the document ---------------------------------------------------


def _samples_of(document: Any, limits: PayloadLimits, latest: datetime) -> list[MetricSample]:
    fields = _fields(document, "", _TOP_FIELDS, 'an object with a "samples" list')
    items = fields["samples"]
    if not isinstance(items, list):
        raise _wrong("samples", "a list of samples", items)
    if len(items) > limits.max_samples:
        raise PayloadRejected("samples", f"more than {limits.max_samples} samples ({len(items)})")
    return [_sample(item, f"samples[{index}]", limits, latest) for index, item in enumerate(items)]


def _sample(item: Any, position: str, limits: PayloadLimits, latest: datetime) -> MetricSample:
    fields = _fields(item, position, frozenset(_SAMPLE_FIELDS), "a sample object")
    metric = _metric(fields["metric"], f"{position}.metric", limits.max_metric_length)
    value = _value(fields["value"], f"{position}.value")
    observed_at = _timestamp(fields["observed_at"], f"{position}.observed_at")
    if observed_at > latest:
        raise PayloadRejected(
            f"{position}.observed_at",
            f"{observed_at.isoformat()} is more than {limits.max_clock_skew:g} s ahead of "
            "the receiving clock (max_clock_skew)",
        )
    try:
        return MetricSample(metric, value, observed_at)
    except (DomainError, ValueError, OverflowError) as error:
        raise PayloadRejected(position, str(error)) from None


def _fields(
    value: Any, position: str, expected: frozenset[str], description: str
) -> dict[str, Any]:
    if isinstance(value, _DuplicateKey):
        raise PayloadRejected(position, f"duplicate key {_excerpt(value.key)}")
    if not isinstance(value, dict):
        raise _wrong(position, description, value)
    for key in value:
        if key not in expected:
            raise PayloadRejected(position, f"unknown field {_excerpt(key)}")
    for key in sorted(expected):
        if key not in value:
            raise PayloadRejected(position, f"missing field {key!r}")
    return value


def _metric(value: Any, position: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise _wrong(position, "a string", value)
    if len(value) > max_length or not METRIC_NAME.fullmatch(value):
        raise PayloadRejected(
            position,
            f"a metric name is a lower-case letter then [a-z0-9_.:-], at most {max_length} "
            f"characters; got {_excerpt(value)}",
        )
    return value


def _value(value: Any, position: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(position, "a finite number", value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise PayloadRejected(position, "expected a finite number, got a number out of range")
    return number


def _timestamp(value: Any, position: str) -> datetime:
    if not isinstance(value, str):
        raise _wrong(position, "an ISO 8601 timestamp string", value)
    expected = "an ISO 8601 timestamp with an explicit offset"
    if len(value) > _MAX_TIMESTAMP_LENGTH:
        raise PayloadRejected(position, f"expected {expected}, got {_excerpt(value)}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadRejected(position, f"expected {expected}, got {_excerpt(value)}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PayloadRejected(position, f"expected {expected}, got a naive {_excerpt(value)}")
    try:
        return to_utc(moment)
    except DomainError:  # an aware time with no UTC equivalent, such as 0001-01-01 at UTC+5
        raise PayloadRejected(position, f"out of range in UTC: {_excerpt(value)}") from None


def _wrong(position: str, expected: str, value: Any) -> PayloadRejected:
    if isinstance(value, _DuplicateKey):
        return PayloadRejected(position, f"duplicate key {_excerpt(value.key)}")
    return PayloadRejected(position, f"expected {expected}, got {_kind(value)}")


_KINDS: Final[tuple[tuple[type, str], ...]] = (
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (str, "string"),
    (list, "list"),
    (dict, "object"),
    (type(None), "null"),
)


def _kind(value: Any) -> str:
    if isinstance(value, _Refused):
        return value.what
    for cls, name in _KINDS:
        if isinstance(value, cls):
            return name
    return type(value).__name__  # pragma: no cover - json produces nothing else


def _excerpt(text: str, limit: int = _EXCERPT) -> str:
    """A short, ASCII-only quotation of untrusted text."""
    return ascii(text[:limit]) + ("..." if len(text) > limit else "")
