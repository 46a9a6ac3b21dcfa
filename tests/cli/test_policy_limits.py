"""A hostile policy file: bounded reading, bounded parsing, one line and exit 2, nothing stored."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from service_monitoring import DomainError
from service_monitoring.cli import policy_file
from service_monitoring.cli.app import main
from service_monitoring.cli.policy_file import parse_policy

MIB = 1024 * 1024


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rules(count: int) -> str:
    """A valid policy document with *count* active rules, one metric each."""
    return 'id = "checkout"\n' + "".join(
        f'[[rules]]\nrule_id = "r{n}"\nmetric = "m{n}"\nthreshold = 1\nseverity = "warning"\n'
        for n in range(count)
    )


def test_the_documented_limits() -> None:
    assert (policy_file.MAX_POLICY_BYTES, policy_file.MAX_RULES) == (MIB, 1000)
    assert policy_file.__doc__ is not None
    assert "1 MiB" in policy_file.__doc__ and "1,000 rules" in policy_file.__doc__


HUGE_INT = (
    'id = "c"\n[[rules]]\nrule_id = "r"\nmetric = "m"\nthreshold = 1'
    + "0" * 5000
    + ('\nseverity = "warning"\n')
)
DEEP_ARRAY = 'id = "c"\nx = ' + "[" * 500 + "]" * 500 + "\n"
DEEP_TABLE = 'id = "c"\nx = ' + "{a = " * 500 + "1" + "}" * 500 + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HUGE_INT, "invalid TOML: an integer has more than 4300 digits"),
        (DEEP_ARRAY, "invalid TOML: nested too deeply"),
        (DEEP_TABLE, "invalid TOML: nested too deeply"),
        (rules(1001), "rules: more than 1000 rules"),
        ("#" * (MIB + 1), f"policy file larger than {MIB} bytes"),
        ('id = "é"\n#' + "é" * (MIB // 2), f"policy file larger than {MIB} bytes"),
    ],
    ids=["5000-digit-int", "500-deep-array", "500-deep-table", "1001-rules", "size", "utf8-size"],
)
def test_the_parser_turns_every_hostile_document_into_a_domain_error(
    text: str, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        parse_policy(text)
    assert str(caught.value) == message


def test_the_limits_can_be_lowered_and_are_inclusive() -> None:
    assert len(parse_policy(rules(3), max_rules=3).rules()) == 3
    with pytest.raises(DomainError, match=r"^rules: more than 2 rules$"):
        parse_policy(rules(3), max_rules=2)
    text = rules(1)
    assert parse_policy(text, max_bytes=len(text)).policy_id == "checkout"
    with pytest.raises(DomainError, match=f"^policy file larger than {len(text) - 1} bytes$"):
        parse_policy(text, max_bytes=len(text) - 1)


def test_a_policy_at_the_rule_limit_is_accepted(capsys, write, samples_path, tmp_path) -> None:
    policy = write("big.toml", rules(1000))
    database = tmp_path / "monitoring.db"
    code, out, err = run(capsys, "run", "--policy", policy, "--samples", samples_path(1),
                         "--database", database)  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith(f"Policy 'checkout': registered from {policy} (1000 rules, 1000 active)")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HUGE_INT, "invalid TOML: an integer has more than 4300 digits"),
        (DEEP_ARRAY, "invalid TOML: nested too deeply"),
        (rules(1001), "rules: more than 1000 rules"),
        ("#" * (MIB + 1), f"policy file larger than {MIB} bytes"),
        (b'id = "c"\n# \xff\n', "not valid UTF-8 (at byte 11)"),
    ],
    ids=["5000-digit-int", "500-deep-array", "1001-rules", "size", "utf8"],
)
def test_a_hostile_policy_file_exits_2_with_one_line_and_stores_nothing(
    capsys, write, samples_path, tmp_path, content: str | bytes, message: str
) -> None:
    policy = write("policy.toml", content)
    database = tmp_path / "monitoring.db"
    code, out, err = run(capsys, "run", "--policy", policy, "--samples", samples_path(1),
                         "--database", database)  # fmt: skip
    assert (code, out) == (2, "")
    assert err == f"service-monitoring: error: {policy}: {message}\n"
    assert not database.exists()


def _two_gib_of_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (2048 * MIB, 2048 * MIB))


def test_an_endless_policy_file_is_read_only_up_to_the_limit(tmp_path: Path, samples_path) -> None:
    """/dev/zero never ends: the command reads one byte past the limit and stops."""
    command = [sys.executable, "-m", "service_monitoring", "run", "--policy", "/dev/zero",
               "--samples", str(samples_path(1)), "--database", str(tmp_path / "m.db")]  # fmt: skip
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_two_gib_of_memory,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"service-monitoring: error: /dev/zero: policy file larger than {MIB} bytes\n"
    )
    assert not (tmp_path / "m.db").exists()
