"""The policy file: a monitoring policy written in TOML, for the command line.

Internal module: ``service-monitoring run --policy FILE`` reads it.

The format, every key but ``id`` and the rule keys marked optional required::

    id = "checkout"                # the policy id

    [[rules]]                      # one table per rule, in order
    rule_id = "latency-p99"
    metric = "http.latency_ms"     # a lower-case letter, then [a-z0-9_.:-]
    threshold = 250                # a number
    severity = "critical"          # "warning" or "critical"
    window = 1                     # optional, default 1
    clear_threshold = 200          # optional: an open incident closes only below it
    mode = "threshold"             # optional: "threshold", "consecutive", "rate_of_change"
    state = "active"               # optional: "draft", "active" (default) or "retired"

Unknown keys are refused, so a misspelt optional key is an error rather
than a silently ignored line. Every error names the key, for example
``rules[1]: severity must be one of warning, critical; got 'urgent'``.

Limits: a policy file is at most 1 MiB (:data:`MAX_POLICY_BYTES`, 1,048,576 bytes of
UTF-8) and holds at most 1,000 rules (:data:`MAX_RULES`); ``service-monitoring run``
reads at most one byte more than the size limit, so an endless file (``/dev/zero``)
is refused as soon as it is too large. A document nested too deeply for the parser
and an integer longer than Python converts (4,300 digits by default) are refused too.
Every refusal, whatever the input, is a :class:`~service_monitoring.DomainError`
naming what was wrong: :func:`parse_policy` and :func:`load_policy` raise nothing else.

>>> policy = parse_policy('''
... id = "checkout"
... [[rules]]
... rule_id = "latency-p99"
... metric = "http.latency_ms"
... threshold = 250
... severity = "critical"
... ''')
>>> policy.active_rules()[0].rule_id
'latency-p99'
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any, Final

from ..domain.errors import DomainError
from ..domain.modes import ModeRegistry
from ..domain.policy import MonitoringPolicy
from ..domain.values import RuleState, ThresholdRule
from ..intake.samples import METRIC_NAME

__all__ = ["MAX_POLICY_BYTES", "MAX_RULES", "load_policy", "parse_policy"]

#: The largest policy file accepted, in bytes of UTF-8 (1 MiB).
MAX_POLICY_BYTES: Final = 1024 * 1024
#: The most rules one policy file may hold.
MAX_RULES: Final = 1000

_POLICY_KEYS: Final = frozenset({"id", "rules"})
_REQUIRED: Final = ("rule_id", "metric", "threshold", "severity")
_RULE_KEYS: Final = frozenset({*_REQUIRED, "window", "mode", "state", "clear_threshold"})
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]{1,40}")


def load_policy(
    raw: bytes,
    *,
    modes: ModeRegistry | None = None,
    max_bytes: int = MAX_POLICY_BYTES,
    max_rules: int = MAX_RULES,
) -> MonitoringPolicy:
    """Build the policy a policy file's bytes describe: :func:`parse_policy` after UTF-8.

    >>> load_policy(b'id = "checkout"\\n# \\xff')
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: not valid UTF-8 (at byte 18)
    """
    if len(raw) > max_bytes:
        raise DomainError(f"policy file larger than {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DomainError(f"not valid UTF-8 (at byte {error.start})") from None
    return parse_policy(text, modes=modes, max_bytes=max_bytes, max_rules=max_rules)


def parse_policy(
    text: str,
    *,
    modes: ModeRegistry | None = None,
    max_bytes: int = MAX_POLICY_BYTES,
    max_rules: int = MAX_RULES,
) -> MonitoringPolicy:
    """Build the policy a TOML document describes, or raise :class:`DomainError` naming the key.

    *max_bytes* bounds the document's size in UTF-8, *max_rules* its number of rules.

    >>> parse_policy('id = "checkout"\\nowner = "me"')
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: owner: unknown key
    """
    if not isinstance(text, str):
        raise DomainError(f"a policy document is text, got {type(text).__name__}")
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise DomainError(f"policy file larger than {max_bytes} bytes")
    document = _toml(text)
    _check_keys(document, "", _POLICY_KEYS, ("id",))
    policy_id = document["id"]
    if not isinstance(policy_id, str):
        raise DomainError(f"id: expected a string, got {_kind(policy_id)}")
    try:
        policy = MonitoringPolicy(policy_id, modes=modes)
    except DomainError as error:
        raise DomainError(f"id: {error}") from None
    rules = document.get("rules", [])
    if not isinstance(rules, list):
        raise DomainError(f"rules: expected an array of tables ([[rules]]), got {_kind(rules)}")
    if len(rules) > max_rules:
        raise DomainError(f"rules: more than {max_rules} rules")
    for index, table in enumerate(rules):
        _add_rule(policy, table, f"rules[{index}]")
    return policy


def _toml(text: str) -> dict[str, Any]:
    """The document *text* holds; every way the TOML parser fails becomes a DomainError."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DomainError(f"invalid TOML: {error}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise DomainError("invalid TOML: nested too deeply") from None
    except ValueError as error:  # int() refused an integer longer than the interpreter allows
        if "integer string conversion" not in str(error):
            raise DomainError(f"invalid TOML: {error}") from None
        digits = sys.get_int_max_str_digits()
        raise DomainError(f"invalid TOML: an integer has more than {digits} digits") from None


def _add_rule(policy: MonitoringPolicy, table: Any, position: str) -> None:
    if not isinstance(table, dict):
        raise DomainError(f"{position}: expected a table, got {_kind(table)}")
    _check_keys(table, f"{position}.", _RULE_KEYS, _REQUIRED)
    for key in ("rule_id", "metric", "severity", "mode", "state"):
        if key in table and not isinstance(table[key], str):
            raise DomainError(f"{position}.{key}: expected a string, got {_kind(table[key])}")
    for key, expected in (
        ("threshold", (int, float)),
        ("window", (int,)),
        ("clear_threshold", (int, float)),
    ):
        value = table.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, expected):
            raise DomainError(f"{position}.{key}: expected a number, got {_kind(value)}")
    if not METRIC_NAME.fullmatch(table["metric"]):
        raise DomainError(
            f"{position}.metric: a metric name is a lower-case letter then [a-z0-9_.:-], "
            f"got {_excerpt(table['metric'])}"
        )
    state_name = table.get("state", RuleState.ACTIVE.value)
    try:
        state = RuleState(state_name)
    except ValueError:
        allowed = ", ".join(state.value for state in RuleState)
        raise DomainError(
            f"{position}.state: must be one of {allowed}; got {_excerpt(state_name)}"
        ) from None
    try:
        rule = ThresholdRule(
            table["rule_id"],
            table["metric"],
            table["threshold"],
            table["severity"],
            window=table.get("window", 1),
            mode=table.get("mode", "threshold"),
            clear_threshold=table.get("clear_threshold"),
        )
        policy.add_rule(rule)
        if state is RuleState.ACTIVE:
            policy.activate_rule(rule.rule_id)
        elif state is RuleState.RETIRED:
            policy.retire_rule(rule.rule_id, "retired in the policy file")
    except DomainError as error:
        raise DomainError(f"{position}: {error}") from None


def _check_keys(
    table: dict[str, Any], prefix: str, allowed: frozenset[str], required: tuple[str, ...]
) -> None:
    for key in table:
        if key not in allowed:
            raise DomainError(f"{prefix}{_key(key)}: unknown key")
    for key in required:
        if key not in table:
            raise DomainError(f"{prefix}{key}: missing key")


def _kind(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    return names.get(type(value), "table" if isinstance(value, dict) else type(value).__name__)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _excerpt(key)


def _excerpt(text: str) -> str:
    return ascii(text[:40]) + ("..." if len(text) > 40 else "")
