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
    mode = "threshold"             # optional: "threshold", "consecutive", "rate_of_change"
    state = "active"               # optional: "draft", "active" (default) or "retired"

Unknown keys are refused, so a misspelt optional key is an error rather
than a silently ignored line. Every error names the key, for example
``rules[1]: severity must be one of warning, critical; got 'urgent'``.

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
import tomllib
from typing import Any, Final

from ..domain.errors import DomainError
from ..domain.modes import ModeRegistry
from ..domain.policy import MonitoringPolicy
from ..domain.values import RuleState, ThresholdRule
from ..intake.samples import METRIC_NAME

__all__ = ["parse_policy"]

_POLICY_KEYS: Final = frozenset({"id", "rules"})
_REQUIRED: Final = ("rule_id", "metric", "threshold", "severity")
_RULE_KEYS: Final = frozenset({*_REQUIRED, "window", "mode", "state"})
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]{1,40}")


def parse_policy(text: str, *, modes: ModeRegistry | None = None) -> MonitoringPolicy:
    """Build the policy a TOML document describes, or raise :class:`DomainError` naming the key.

    >>> parse_policy('id = "checkout"\\nowner = "me"')
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: owner: unknown key
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DomainError(f"invalid TOML: {error}") from None
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
    for index, table in enumerate(rules):
        _add_rule(policy, table, f"rules[{index}]")
    return policy


def _add_rule(policy: MonitoringPolicy, table: Any, position: str) -> None:
    if not isinstance(table, dict):
        raise DomainError(f"{position}: expected a table, got {_kind(table)}")
    _check_keys(table, f"{position}.", _RULE_KEYS, _REQUIRED)
    for key in ("rule_id", "metric", "severity", "mode", "state"):
        if key in table and not isinstance(table[key], str):
            raise DomainError(f"{position}.{key}: expected a string, got {_kind(table[key])}")
    for key, expected in (("threshold", (int, float)), ("window", (int,))):
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
