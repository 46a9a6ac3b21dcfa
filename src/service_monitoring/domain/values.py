"""Value objects of the monitoring domain.

Internal module: import these names from :mod:`service_monitoring`.

Every class here is immutable and validates itself on construction, so an
object that exists is an object that is valid. Timestamps are normalised to
UTC; a naive :class:`~datetime.datetime` is refused with a
:class:`~service_monitoring.DomainError` instead of failing later inside a
comparison.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from numbers import Real
from typing import Final

from .errors import DomainError

__all__ = [
    "MAX_ID_LENGTH",
    "MAX_WINDOW",
    "Alert",
    "MetricSample",
    "RuleState",
    "Severity",
    "ThresholdRule",
    "check_identifier",
    "incident_id_for",
    "to_utc",
]

_MODE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

#: The longest id or metric name, in characters.
MAX_ID_LENGTH: Final = 256
#: The largest ``window`` a rule may ask for: what a mode keeps per rule is bounded by it.
MAX_WINDOW: Final = 1000


class Severity(StrEnum):
    """How urgent an alert raised by a rule is.

    >>> Severity("critical")
    <Severity.CRITICAL: 'critical'>
    """

    WARNING = "warning"
    CRITICAL = "critical"


class RuleState(StrEnum):
    """Where a rule is in its lifecycle: ``DRAFT`` → ``ACTIVE`` → ``RETIRED``.

    A draft may also be retired without ever being active.

    >>> [state.value for state in RuleState]
    ['draft', 'active', 'retired']
    """

    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


def to_utc(moment: object, *, name: str = "timestamp") -> datetime:
    """Return *moment* as an aware UTC datetime, or raise :class:`DomainError`.

    >>> from datetime import timedelta, timezone
    >>> to_utc(datetime(2026, 11, 21, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.timezone.utc)
    """
    if not isinstance(moment, datetime):
        raise DomainError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError(f"{name} must be timezone-aware, got a naive datetime")
    if moment.tzinfo is UTC:
        return moment
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01 at UTC+5 is before the earliest UTC datetime
        raise DomainError(f"{name} is outside the range of UTC datetimes: {moment!r}") from None


def _finite(value: object, *, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise DomainError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise DomainError(f"{name} must be finite, got {number!r}")
    return number


def check_identifier(value: object, *, name: str) -> str:
    """Return *value* if it can name something, else raise :class:`DomainError`.

    An identifier (a policy, rule or incident id, a metric name) is a non-empty
    string of at most :data:`MAX_ID_LENGTH` printable characters with no
    surrounding whitespace. Control characters, line breaks, bidirectional
    overrides and lone surrogates are refused: an id ends up in terminals, logs
    and databases, and must not be able to forge a line in any of them.

    >>> check_identifier("latency-p99", name="rule_id")
    'latency-p99'
    >>> check_identifier("evil\u202eexe", name="rule_id")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: rule_id must use printable characters
    only, got 'evil\u202eexe'
    """
    if not isinstance(value, str):
        raise DomainError(f"{name} must be a string, got {type(value).__name__}")
    if not value or value != value.strip():
        raise DomainError(f"{name} must be non-empty without surrounding whitespace: {value!r}")
    if len(value) > MAX_ID_LENGTH:
        raise DomainError(f"{name} must be at most {MAX_ID_LENGTH} characters, got {len(value)}")
    if not value.isprintable():
        raise DomainError(f"{name} must use printable characters only, got {value!r}"[:200])
    return value


def _severity(value: object) -> Severity:
    try:
        return Severity(value)  # type: ignore[arg-type]  # any value: Severity refuses bad ones
    except ValueError:
        allowed = ", ".join(level.value for level in Severity)
        raise DomainError(f"severity must be one of {allowed}; got {value!r}") from None


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One observation of one metric at one moment.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> sample = MetricSample("cpu.utilisation", 0.93, at)
    >>> sample.value
    0.93
    >>> MetricSample("cpu.utilisation", True, sample.observed_at)
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: value must be a real number, got bool
    """

    metric: str
    value: float
    observed_at: datetime

    def __post_init__(self) -> None:
        check_identifier(self.metric, name="metric")
        object.__setattr__(self, "value", _finite(self.value, name="value"))
        object.__setattr__(self, "observed_at", to_utc(self.observed_at, name="observed_at"))


@dataclass(frozen=True, slots=True, init=False)
class ThresholdRule:
    """A rule that raises an alert when *metric* breaches *threshold*.

    *mode* names the evaluation mode that decides what "breach" means (see
    :class:`~service_monitoring.ModeRegistry`); the policy checks that the
    mode exists, and that *window* suits it, when the rule is added.

    *clear_threshold* adds hysteresis: an incident the rule opened stays open
    until the newest sample is below it, so a value hovering at the threshold
    does not open and close an incident on every cycle. ``None`` (the default,
    and the meaning of every rule stored before document format 2) closes the
    incident as soon as the rule stops breaching.

    >>> rule = ThresholdRule("latency-p99", "http.latency_ms", 250, "critical")
    >>> rule.severity, rule.threshold, rule.window, rule.mode, rule.clear_threshold
    (<Severity.CRITICAL: 'critical'>, 250.0, 1, 'threshold', None)
    >>> ThresholdRule("steady", "http.latency_ms", 250, "critical", clear_threshold=200)
    ... # doctest: +NORMALIZE_WHITESPACE
    ThresholdRule(rule_id='steady', metric='http.latency_ms', threshold=250.0,
                  severity=<Severity.CRITICAL: 'critical'>, window=1, mode='threshold',
                  clear_threshold=200.0)
    >>> ThresholdRule("bad", "http.latency_ms", 250, "critical", clear_threshold=300)
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: clear_threshold must be below threshold
    (250.0), got 300.0
    >>> ThresholdRule("bad", "http.latency_ms", float("nan"), "warning")
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: threshold must be finite, got nan
    """

    rule_id: str
    metric: str
    threshold: float
    severity: Severity
    window: int
    mode: str
    clear_threshold: float | None

    def __init__(
        self,
        rule_id: str,
        metric: str,
        threshold: float,
        severity: Severity | str,
        *,
        window: int = 1,
        mode: str = "threshold",
        clear_threshold: float | None = None,
    ) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
            raise DomainError(
                f"window must be a whole number from 1 to {MAX_WINDOW}, got {window!r}"
            )
        if not isinstance(mode, str) or not _MODE_NAME.fullmatch(mode):
            raise DomainError(f"mode must be a lower-case name such as 'threshold', got {mode!r}")
        setattr_ = object.__setattr__
        setattr_(self, "rule_id", check_identifier(rule_id, name="rule_id"))
        setattr_(self, "metric", check_identifier(metric, name="metric"))
        setattr_(self, "threshold", _finite(threshold, name="threshold"))
        setattr_(self, "severity", _severity(severity))
        setattr_(self, "window", window)
        setattr_(self, "mode", mode)
        if clear_threshold is not None:
            clear_threshold = _finite(clear_threshold, name="clear_threshold")
            if clear_threshold >= self.threshold:
                raise DomainError(
                    f"clear_threshold must be below threshold ({self.threshold}), "
                    f"got {clear_threshold}"
                )
        setattr_(self, "clear_threshold", clear_threshold)


def incident_id_for(policy_id: str, rule_id: str, sample: MetricSample) -> str:
    """Derive the stable incident id of *rule_id* breaching at *sample*.

    The same policy, rule and observation always give the same id, whatever
    characters the ids contain: every field is written with its length in
    front before hashing, so ``("a:b", "c")`` and ``("a", "b:c")`` cannot
    collide. The timestamp keeps full microsecond precision.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    >>> one = incident_id_for("checkout", "latency", MetricSample("http.latency_ms", 300, at))
    >>> one == incident_id_for("checkout", "latency", MetricSample("http.latency_ms", 300, at))
    True
    >>> one
    'inc-9a0a7d8e0ee85fcc0e9be53c'
    """
    check_identifier(policy_id, name="policy_id")
    check_identifier(rule_id, name="rule_id")
    if not isinstance(sample, MetricSample):
        raise DomainError(f"sample must be a MetricSample, got {type(sample).__name__}")
    fields = (
        policy_id,
        rule_id,
        sample.metric,
        sample.observed_at.isoformat(timespec="microseconds"),
        sample.value.hex(),
    )
    material = "".join(f"{len(field)}:{field}" for field in fields)
    return "inc-" + hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Alert:
    """An incident opened because a rule breached: what is published to sinks.

    ``incident_id`` is stable (see :func:`~service_monitoring.incident_id_for`),
    so a consumer that receives the same alert twice can recognise it.
    """

    incident_id: str
    policy_id: str
    rule_id: str
    metric: str
    severity: Severity
    threshold: float
    observed_value: float
    observed_at: datetime

    def __post_init__(self) -> None:
        for name in ("incident_id", "policy_id", "rule_id", "metric"):
            check_identifier(getattr(self, name), name=name)
        object.__setattr__(self, "severity", _severity(self.severity))
        object.__setattr__(self, "threshold", _finite(self.threshold, name="threshold"))
        object.__setattr__(
            self, "observed_value", _finite(self.observed_value, name="observed_value")
        )
        object.__setattr__(self, "observed_at", to_utc(self.observed_at, name="observed_at"))

    @classmethod
    def open(cls, policy_id: str, rule: ThresholdRule, sample: MetricSample) -> Alert:
        """Build the alert for *rule* of *policy_id* breaching at *sample*.

        >>> from datetime import datetime, timezone
        >>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
        >>> at = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
        >>> alert = Alert.open("checkout", rule, MetricSample("http.latency_ms", 300, at))
        >>> alert.rule_id, alert.observed_value, alert.severity.value
        ('latency', 300.0, 'critical')
        """
        # Every field comes from objects that validated themselves: skip re-validation.
        alert = object.__new__(cls)
        for name, value in (
            ("incident_id", incident_id_for(policy_id, rule.rule_id, sample)),
            ("policy_id", policy_id),
            ("rule_id", rule.rule_id),
            ("metric", rule.metric),
            ("severity", rule.severity),
            ("threshold", rule.threshold),
            ("observed_value", sample.value),
            ("observed_at", sample.observed_at),
        ):
            object.__setattr__(alert, name, value)
        return alert
