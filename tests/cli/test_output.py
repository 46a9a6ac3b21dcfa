"""What the command writes: nothing forged on a terminal, and no traceback when output fails.

Output failures are tested with real processes (``python -m service_monitoring``): one whose
standard output is a pipe nobody reads any more, one whose standard output is ``/dev/full``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service_monitoring import Alert, MonitoringRuntime, Severity
from service_monitoring.cli import render
from service_monitoring.cli.app import main

COMMAND = [sys.executable, "-m", "service_monitoring"]
#: A reader that closes its standard input, says so, and exits: the pipe then has no reader.
CLOSE_STDIN = "import os; os.close(0); print('closed', flush=True)"
EXIT_PIPE = 141  # a closed pipe: what a shell reports for a process ended by SIGPIPE
EXIT_OUTPUT = 5  # any other failure to write standard output


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def printable(text: str) -> bool:
    """Every line of *text* holds printable characters only."""
    return all(line.isprintable() for line in text.split("\n"))


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "SERVICE_MONITORING_TOKEN"}


def into_a_closed_pipe(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run *argv* with its standard output on a pipe whose reader has closed its end."""
    read_end, write_end = os.pipe()
    reader = subprocess.Popen(
        [sys.executable, "-c", CLOSE_STDIN], stdin=read_end, stdout=subprocess.PIPE
    )
    os.close(read_end)
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline() == b"closed\n"  # nobody can read the pipe now
        return subprocess.run(
            [*COMMAND, *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=environment(),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
        reader.communicate(timeout=30)


def into_dev_full(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run *argv* with its standard output on /dev/full: every write fails with ENOSPC."""
    with open("/dev/full", "wb") as full:
        return subprocess.run(
            [*COMMAND, *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=environment(),
            timeout=60,
            check=False,
        )


@pytest.fixture
def stored(policy_path: Path, samples_path, tmp_path: Path, capsys) -> Path:
    """A database with one open incident, the policy file and a samples file in tmp_path."""
    database = tmp_path / "monitoring.db"
    samples_path(320)
    assert main(["run", "--policy", str(policy_path), "--samples", str(tmp_path / "samples.json"),
                 "--database", str(database)]) == 0  # fmt: skip
    capsys.readouterr()
    return database


# -- a closed pipe: quiet, exit 141 ---------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["incidents", "--database", "monitoring.db", "--json"],
        ["incidents", "--database", "monitoring.db"],
        ["demo"],
        ["--help"],
    ],
    ids=["incidents-json", "incidents", "demo", "help"],
)
def test_a_closed_pipe_ends_the_command_quietly_with_exit_141(
    stored: Path, argv: list[str]
) -> None:
    result = into_a_closed_pipe(argv, stored.parent)
    assert (result.returncode, result.stderr.decode()) == (EXIT_PIPE, "")


def test_run_into_a_closed_pipe_changes_no_database(stored: Path, tmp_path: Path) -> None:
    before = stored.read_bytes()
    (tmp_path / "later.json").write_text(
        '{"samples": [{"metric": "http.latency_ms", "value": 330, '
        '"observed_at": "2026-11-21T10:05:00Z"}]}'
    )
    for database in ("monitoring.db", "new.db"):
        argv = ["run", "--policy", "policy.toml", "--samples", "later.json", "--database", database]
        result = into_a_closed_pipe(argv, tmp_path)
        assert (result.returncode, result.stderr.decode()) == (EXIT_PIPE, "")
    assert stored.read_bytes() == before
    assert not (tmp_path / "new.db").exists()


# -- a full device: one line on stderr, exit 5 ----------------------------------------------

FULL = "service-monitoring: error: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize(
    "argv",
    [["incidents", "--database", "monitoring.db", "--json"], ["demo"], ["--version"]],
    ids=["incidents-json", "demo", "version"],
)
def test_an_unwritable_output_is_one_line_on_stderr_and_exit_5(
    stored: Path, argv: list[str]
) -> None:
    result = into_dev_full(argv, stored.parent)
    assert (result.returncode, result.stderr.decode()) == (EXIT_OUTPUT, FULL)


def test_run_notices_an_unwritable_output_before_it_changes_the_database(
    stored: Path, tmp_path: Path, endpoint
) -> None:
    before = stored.read_bytes()
    (tmp_path / "later.json").write_text(
        '{"samples": [{"metric": "http.latency_ms", "value": 330, '
        '"observed_at": "2026-11-21T10:05:00Z"}]}'
    )
    run_ = ["run", "--policy", "policy.toml", "--samples", "later.json"]
    for extra in (
        ["--database", "monitoring.db"],
        ["--database", "new.db"],
        ["--database", "monitoring.db", "--webhook", endpoint.url],
    ):
        result = into_dev_full([*run_, *extra], tmp_path)
        assert (result.returncode, result.stderr.decode()) == (EXIT_OUTPUT, FULL)
    assert stored.read_bytes() == before
    assert not (tmp_path / "new.db").exists()
    assert endpoint.requests == []


# -- escaping: nothing the command prints can drive a terminal --------------------------------


def test_the_exit_codes_are_the_documented_ones() -> None:
    from service_monitoring.cli import app

    assert (app.EXIT_PIPE, app.EXIT_OUTPUT) == (EXIT_PIPE, EXIT_OUTPUT)


def test_escape_spells_out_every_character_that_is_not_printable() -> None:
    escape = render.escape
    assert escape("plain text, é ✓ 漢字") == "plain text, é ✓ 漢字"
    assert escape("a\x1b[2Jb\x07\n\r\t\x00\x7f\x9b") == "a\\x1b[2Jb\\x07\\n\\r\\t\\x00\\x7f\\x9b"
    assert escape("evil\u202etxt.exe\u2028\ufeff") == "evil\\u202etxt.exe\\u2028\\ufeff"
    assert escape("\ud800 \U000e0041") == "\\ud800 \\U000e0041"


def test_print_line_writes_one_printable_line(capsys) -> None:
    render.print_line(sys.stdout, "one\ntwo\x1b[31m\u202e")
    assert capsys.readouterr().out == "one\\ntwo\\x1b[31m\\u202e\n"


def forged_alert() -> Alert:
    """An alert whose ids carry control characters, built past every check of the domain."""
    alert = object.__new__(Alert)
    for name, value in (
        ("incident_id", "inc-1\x1b[2J"),
        ("policy_id", "checkout\nOpen incidents (0)"),
        ("rule_id", "rule\u202etxt.exe"),
        ("metric", "m\x07"),
        ("severity", Severity.CRITICAL),
        ("threshold", 250.0),
        ("observed_value", 320.0),
        ("observed_at", datetime(2026, 11, 21, 10, 1, tzinfo=UTC)),
    ):
        object.__setattr__(alert, name, value)
    return alert


def test_incidents_escapes_control_characters_in_stored_data(
    capsys, stored: Path, monkeypatch
) -> None:
    monkeypatch.setattr(MonitoringRuntime, "open_incidents", lambda self, pid: (forged_alert(),))
    code, out, err = run(capsys, "incidents", "--database", stored)
    assert (code, err) == (0, "")
    assert printable(out)
    assert out.splitlines() == [
        "Open incidents (1)",
        "  inc-1\\x1b[2J  critical  checkout\\nOpen incidents (0)/rule\\u202etxt.exe  "
        "m\\x07=320 (threshold 250) at 2026-11-21T10:01:00Z",
        "Pending deliveries: 0",
    ]
    code, out, err = run(capsys, "incidents", "--database", stored, "--json")
    assert (code, err) == (0, "")
    assert printable(out)
    assert "\\u001b[2J" in out


def test_a_webhooks_reason_phrase_reaches_stderr_escaped(
    capsys, policy_path, samples_path, hostile_endpoint: str
) -> None:
    code, out, err = run(capsys, "run", "--policy", policy_path, "--samples", samples_path(320),
                         "--webhook", hostile_endpoint)  # fmt: skip
    assert code == 3
    assert printable(out) and printable(err)
    assert err.count("\n") == 1
    assert "answered HTTP 401 \\x1b]0;owned\\x07\\x1b[2J\\x9bDenied" in err


def test_error_lines_escape_what_they_quote(capsys, samples_path, tmp_path) -> None:
    missing = tmp_path / "evil\x1b[2J\nservice-monitoring: ok.toml"
    code, out, err = run(capsys, "run", "--policy", missing, "--samples", samples_path(1))
    assert (code, out) == (2, "")
    assert printable(err)
    assert err.count("\n") == 1
    assert "evil\\x1b[2J\\nservice-monitoring: ok.toml: No such file or directory" in err
    code, out, err = run(capsys, "demo", "--bogus\x1b[2J\u202e")
    assert code == 2
    assert printable(err)
    assert "unrecognized arguments: --bogus\\x1b[2J\\u202e" in err
