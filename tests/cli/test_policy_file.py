"""The TOML policy file: defaults, states, and errors that name the key."""

from __future__ import annotations

import pytest

from service_monitoring import DomainError, RuleState, ThresholdRule
from service_monitoring.cli.policy_file import parse_policy

RULE = 'rule_id = "{rule_id}"\nmetric = "http.latency_ms"\nthreshold = 250\nseverity = "critical"\n'


def policy_text(*rules: str) -> str:
    return 'id = "checkout"\n' + "".join(f"[[rules]]\n{rule}" for rule in rules)


def test_defaults_are_an_active_threshold_rule_with_window_1() -> None:
    policy = parse_policy(policy_text(RULE.format(rule_id="latency")))
    assert policy.rules() == (ThresholdRule("latency", "http.latency_ms", 250, "critical"),)
    assert policy.rule_state("latency") is RuleState.ACTIVE


def test_states_modes_and_windows_are_read() -> None:
    policy = parse_policy(
        policy_text(
            RULE.format(rule_id="a") + 'state = "draft"\n',
            RULE.format(rule_id="b") + 'state = "retired"\n',
            RULE.format(rule_id="c") + 'mode = "consecutive"\nwindow = 3\n',
        )
    )
    assert [policy.rule_state(r).value for r in "abc"] == ["draft", "retired", "active"]
    assert (policy.rule("c").mode, policy.rule("c").window) == ("consecutive", 3)


def test_a_policy_without_rules_is_valid() -> None:
    assert parse_policy('id = "empty"').rules() == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (policy_text(RULE.format(rule_id="a"), RULE.format(rule_id="a")), "rules[1]: policy"),
        (
            policy_text(RULE.format(rule_id="a"), RULE.format(rule_id="b")),
            "rules[1]: rule 'b' would watch 'http.latency_ms'",
        ),
        (policy_text(RULE.format(rule_id="a") + 'mode = "median"\n'), "rules[0]: unknown"),
        (policy_text(RULE.format(rule_id="a") + "window = 2\n"), "rules[0]: rule 'a': mode"),
        (policy_text(RULE.format(rule_id="a") + "window = true\n"), "rules[0].window: expected"),
        (
            policy_text(RULE.format(rule_id="a") + 'state = "actve"\n'),
            "rules[0].state: must be one of draft, active, retired; got 'actve'",
        ),
        (policy_text(RULE.replace("250", "inf").format(rule_id="a")), "threshold must be finite"),
        (policy_text('metric = "m"'), "rules[0].rule_id: missing key"),
        ('id = " padded "', "id: policy_id must be non-empty without surrounding whitespace"),
        ('id = "c"\nrules = [1]', "rules[0]: expected a table, got integer"),
        ('id = "c"\n"bad key\\n" = 1', "'bad key\\n': unknown key"),
    ],
)
def test_errors_name_the_rule_and_key(text: str, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_policy(text)
    assert str(caught.value).startswith(message) or message in str(caught.value)
