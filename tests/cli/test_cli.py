"""The service-monitoring command: in process through main(argv), and once as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service_monitoring import ConcurrencyConflict, MonitoringRuntime
from service_monitoring.cli.app import main

TOKEN = "cli-t0ken-from-the-environment"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- demo, help, version --------------------------------------------------------------------


def test_demo_prints_a_deterministic_report(capsys) -> None:
    code, out, err = run(capsys, "demo")
    assert (code, err) == (0, "")
    assert run(capsys, "demo")[1] == out
    lines = out.splitlines()
    assert lines[0] == "service-monitoring demo: policy 'checkout', in-memory store, fixed clock"
    assert "  latency-p99  active   critical  http.latency_ms > 250 (threshold)" in lines
    assert "  cpu-hot      draft    warning   cpu.utilisation > 0.9 (threshold)" in lines
    assert "  disk-full    retired  warning   disk.used_ratio > 0.8 (threshold)" in lines
    assert "Cycle 1: 7 samples, 1 alert opened, 1 published, 0 pending, 1 open" in lines
    assert "Open incidents (2)" in lines
    assert lines[-1] == "Delivered to the demo sink: 3 alerts"


def test_version_and_help(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, "service-monitoring 1.1.0\n")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "exit codes:" in out
    for line in (
        "  2  rejected input",
        "  3  the sink did not take",
        "  4  the store failed",
        "  5  standard output could not be written",
        "  141  standard output was closed by its reader",
    ):
        assert line in out
    assert "SERVICE_MONITORING_TOKEN" in out


def test_a_usage_error_exits_2(capsys) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "usage: service-monitoring" in err
    assert run(capsys, "run", "--policy", "p.toml")[0] == 2


# -- run ----------------------------------------------------------------------------------------


def test_run_evaluates_the_samples_and_prints_what_happened(
    capsys, policy_path, samples_path
) -> None:
    code, out, err = run(
        capsys, "run", "--policy", policy_path, "--samples", samples_path(120, 320, 330)
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Policy 'checkout': registered from {policy_path} (2 rules, 1 active)"
    assert lines[1] == "Cycle: 3 samples, 1 alert opened, 1 published, 0 pending, 1 open"
    assert "critical  checkout/latency-p99  http.latency_ms=320 (threshold 250)" in lines[2]
    assert lines[2].endswith("at 2026-11-21T10:01:00Z")


def test_run_with_a_database_registers_once_then_uses_the_stored_policy(
    capsys, policy_path, samples_path, write, tmp_path
) -> None:
    database = tmp_path / "monitoring.db"
    first = samples_path(320, name="first.json")
    second = samples_path(330, 100, start_minute=5, name="second.json")
    assert (
        run(capsys, "run", "--policy", policy_path, "--samples", first, "--database", database)[0]
        == 0
    )
    code, out, _ = run(
        capsys, "run", "--policy", policy_path, "--samples", second, "--database", database
    )
    assert code == 0
    assert out.startswith("Policy 'checkout': stored, matches")
    assert "Cycle: 2 samples, 0 alerts opened, 0 published, 0 pending, 0 open" in out
    changed = write("changed.toml", policy_path.read_text().replace("250", "200"))
    code, _, err = run(
        capsys, "run", "--policy", changed, "--samples", second, "--database", database
    )
    assert code == 2
    assert err == (
        f"service-monitoring: error: {changed}: the rules differ from those of the stored "
        "policy 'checkout'; `run` does not change a stored policy\n"
    )
    with MonitoringRuntime(database=database) as runtime:
        assert runtime.policy("checkout").rule("latency-p99").threshold == 250


@pytest.mark.parametrize(
    ("policy_text", "message"),
    [
        ('id = "checkout"\n[[rules]]\nrule_id = ', "invalid TOML: "),
        ('id = "checkout"\nowner = "me"', "owner: unknown key"),
        ("[[rules]]", "id: missing key"),
        ("id = 5", "id: expected a string, got integer"),
        ('id = "checkout"\nrules = 5', "rules: expected an array of tables"),
        (
            'id = "c"\n[[rules]]\nrule_id = "x"\nmetric = "m"\nthreshold = 1\nseverity = "urgent"',
            "rules[0]: severity must be one of warning, critical; got 'urgent'",
        ),
        (
            'id = "c"\n[[rules]]\nrule_id = "x"\nmetric = "m"\nthreshold = "1"\n'
            'severity = "warning"',
            "rules[0].threshold: expected a number, got string",
        ),
        (
            'id = "c"\n[[rules]]\nrule_id = "x"\nmetric = "m"\nthreshold = 1\n'
            'severity = "warning"\nstate = "paused"',
            "rules[0].state: must be one of draft, active, retired; got 'paused'",
        ),
        (
            'id = "c"\n[[rules]]\nrule_id = "x"\nmetric = "Bad Name"\nthreshold = 1\n'
            'severity = "warning"',
            "rules[0].metric: a metric name is a lower-case letter",
        ),
        (
            'id = "c"\n[[rules]]\nrule_id = "x"\nmetric = "m"\nthreshold = 1\n'
            'severity = "warning"\nwindw = 3',
            "rules[0].windw: unknown key",
        ),
    ],
)
def test_an_invalid_policy_file_exits_2_naming_file_and_key(
    capsys, write, samples_path, tmp_path, policy_text: str, message: str
) -> None:
    policy = write("policy.toml", policy_text)
    database = tmp_path / "monitoring.db"
    code, out, err = run(
        capsys, "run", "--policy", policy, "--samples", samples_path(1), "--database", database
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"service-monitoring: error: {policy}: {message}")
    assert err.count("\n") == 1
    assert not database.exists()  # nothing stored


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"samples": [{"metric": "cpu", "value": NaN, "observed_at": "2026-11-21T10:00:00Z"}]}',
         "samples[0].value: expected a finite number, got NaN"),
        (b'{"samples": [{"metric": "cpu", "value": true, "observed_at": "2026-11-21T10:00:00Z"}]}',
         "samples[0].value: expected a finite number, got bool"),
        (b"\xff\xfe", "not valid UTF-8 (at byte 0)"),
        (b"{" * 10, "nesting deeper than 3 levels (at character 3)"),
        (b" " * (1024 * 1024 + 1), "payload larger than 1048576 bytes"),
    ],
)  # fmt: skip
def test_rejected_samples_exit_2_and_store_nothing(
    capsys, policy_path, write, tmp_path, content: bytes, message: str
) -> None:
    samples = write("samples.json", content)
    database = tmp_path / "monitoring.db"
    code, out, err = run(
        capsys, "run", "--policy", policy_path, "--samples", samples, "--database", database
    )
    assert (code, out) == (2, "")
    assert err == f"service-monitoring: error: {samples}: {message}\n"
    assert not database.exists()


def test_missing_files_exit_2(capsys, policy_path, samples_path, tmp_path) -> None:
    missing = tmp_path / "missing.json"
    code, _, err = run(capsys, "run", "--policy", policy_path, "--samples", missing)
    assert code == 2
    assert err == f"service-monitoring: error: {missing}: No such file or directory\n"
    code, _, err = run(capsys, "run", "--policy", tmp_path, "--samples", samples_path(1))
    assert code == 2
    assert err.startswith(f"service-monitoring: error: {tmp_path}: ")


def test_an_unreadable_database_exits_4(capsys, policy_path, samples_path, write) -> None:
    garbage = write("garbage.db", b"not a database at all" * 200)
    code, out, err = run(
        capsys, "run", "--policy", policy_path, "--samples", samples_path(1), "--database", garbage
    )
    assert (code, out) == (4, "")
    assert err.startswith(f"service-monitoring: error: database {garbage}: ")
    assert err.count("\n") == 1


def test_a_lost_concurrency_race_exits_4(capsys, policy_path, samples_path, monkeypatch) -> None:
    def lose(*args: object) -> None:
        raise ConcurrencyConflict("policy 'checkout' changed since it was loaded")

    monkeypatch.setattr(MonitoringRuntime, "run_cycle", lose)
    code, _, err = run(capsys, "run", "--policy", policy_path, "--samples", samples_path(1))
    assert code == 4
    assert err == "service-monitoring: error: policy 'checkout' changed since it was loaded\n"


# -- webhook delivery and recovery -------------------------------------------------------------


def test_run_delivers_to_a_webhook_with_the_token_from_the_environment(
    capsys, policy_path, samples_path, endpoint, monkeypatch
) -> None:
    monkeypatch.setenv("SERVICE_MONITORING_TOKEN", TOKEN)
    code, out, err = run(
        capsys,
        "run",
        "--policy",
        policy_path,
        "--samples",
        samples_path(320),
        "--webhook",
        endpoint.url,
    )
    assert (code, err) == (0, "")
    assert "1 alert opened, 1 published, 0 pending" in out
    (request,) = endpoint.requests
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in out


def test_an_unreachable_webhook_exits_3_and_deliver_recovers(
    capsys, policy_path, samples_path, endpoint, closed_port_url, tmp_path
) -> None:
    database = tmp_path / "monitoring.db"
    code, out, err = run(
        capsys,
        "run",
        "--policy",
        policy_path,
        "--samples",
        samples_path(320),
        "--database",
        database,
        "--webhook",
        closed_port_url,
    )
    assert code == 3
    assert "1 alert opened, 0 published, 1 pending" in out
    assert err.startswith("service-monitoring: error: the sink did not take 1 incident(s)")
    assert err.endswith(
        f"; recover with `service-monitoring deliver --database {database} --webhook URL`\n"
    )

    code, out, _ = run(capsys, "incidents", "--database", database)
    assert code == 0
    assert out.splitlines()[0] == "Open incidents (1)"
    assert out.splitlines()[-1] == "Pending deliveries: 1"

    # Running without a webhook must not hand the webhook's backlog to standard output.
    code, out, err = run(
        capsys,
        "run",
        "--policy",
        policy_path,
        "--samples",
        samples_path(100),
        "--database",
        database,
    )
    assert (code, out) == (2, "")
    assert err == (
        f"service-monitoring: error: {database}: 1 incident waits for a webhook; "
        "pass --webhook URL (or run `service-monitoring deliver` first)\n"
    )
    code, out, _ = run(capsys, "incidents", "--database", database)
    assert out.splitlines()[-1] == "Pending deliveries: 1"

    code, out, err = run(capsys, "deliver", "--database", database, "--webhook", endpoint.url)
    assert (code, out, err) == (0, "Delivered 1 incident; 0 pending\n", "")
    assert len(endpoint.acknowledged) == 1
    code, out, _ = run(capsys, "incidents", "--database", database, "--json")
    document = json.loads(out)
    assert document["pending"] == []
    assert [alert["incident_id"] for alert in document["open_incidents"]] == (endpoint.acknowledged)


def test_a_webhook_that_rejects_the_batch_exits_3(
    capsys, policy_path, samples_path, endpoint
) -> None:
    endpoint.answers = [401]
    code, _, err = run(
        capsys,
        "run",
        "--policy",
        policy_path,
        "--samples",
        samples_path(320),
        "--webhook",
        endpoint.url,
    )
    assert code == 3
    assert "HTTP 401" in err
    assert err.endswith("; without --database the pending incidents are not kept\n")


def test_a_webhook_url_with_credentials_is_refused(capsys, policy_path, samples_path) -> None:
    code, _, err = run(
        capsys,
        "run",
        "--policy",
        policy_path,
        "--samples",
        samples_path(1),
        "--webhook",
        f"https://user:{TOKEN}@alerts.example.com/hook",
    )
    assert code == 2
    assert err == (
        "service-monitoring: error: --webhook: the URL must not contain credentials; "
        "pass them as token\n"
    )


def test_incidents_and_deliver_need_an_existing_database(capsys, tmp_path, endpoint) -> None:
    database = tmp_path / "none.db"
    for argv in (["incidents"], ["deliver", "--webhook", endpoint.url]):
        code, _, err = run(capsys, *argv, "--database", database)
        assert code == 2
        assert err == f"service-monitoring: error: {database}: no such database\n"
    assert not database.exists()


# -- logging -------------------------------------------------------------------------------


def test_log_level_info_writes_structured_records_to_stderr(
    capsys, policy_path, samples_path
) -> None:
    code, _, err = run(
        capsys, "--log-level", "info", "run", "--policy", policy_path, "--samples", samples_path(1)
    )
    assert code == 0
    (line,) = err.splitlines()
    assert " level=INFO logger=service_monitoring.runtime event=cycle.completed " in line
    assert " policy_id=checkout samples=1 " in line


# -- a real process --------------------------------------------------------------------------


def test_python_m_service_monitoring_runs_as_a_subprocess(
    capsys, policy_path, samples_path, write
) -> None:
    environment = {**os.environ, "PYTHONWARNINGS": "error"}
    command = [sys.executable, "-m", "service_monitoring"]
    ok = subprocess.run(
        [*command, "run", "--policy", str(policy_path), "--samples", str(samples_path(320))],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout.startswith("Policy 'checkout': registered from")
    bad = write("bad.json", '{"samples": [{"metric": "cpu"}]}')
    rejected = subprocess.run(
        [*command, "run", "--policy", str(policy_path), "--samples", str(bad)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert rejected.returncode == 2
    assert rejected.stderr == (
        f"service-monitoring: error: {bad}: samples[0]: missing field 'observed_at'\n"
    )
    assert "Traceback" not in rejected.stderr


def test_the_module_docstring_documents_the_exit_codes() -> None:
    import service_monitoring.cli.app as cli

    assert cli.__doc__ is not None
    for text in (
        "Exit codes: 0 success; 2 rejected input",
        "3 the sink",
        "4 the store failed",
        "5 standard output",
        "141 standard output is a pipe whose reader has gone",
    ):
        assert text in " ".join(cli.__doc__.split())


def test_reset_watermark_refuses_what_it_cannot_do_with_one_line(
    tmp_path: Path, policy_path: Path, samples_path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "monitoring.db"
    assert main(["run", "--policy", str(policy_path), "--samples", str(samples_path(1)),
                 "--database", str(database)]) == 0  # fmt: skip
    capsys.readouterr()
    base = ["reset-watermark", "--database", str(database)]
    cases = {
        ("--policy", "billing", "--metric", "http.latency_ms"): "no policy 'billing'",
        ("--policy", "checkout", "--metric", "disk"): "has no watermark for 'disk'",
        ("--policy", "checkout", "--metric", "http.latency_ms", "--to", "soon"): "--to: expected",
        ("--policy", "checkout", "--metric", "http.latency_ms", "--to", "2026-11-21T09:00"): (
            "the timestamp needs an offset"
        ),
    }
    for arguments, message in cases.items():
        assert main([*base, *arguments]) == 2, arguments
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    moved = main([*base, "--policy", "checkout", "--metric", "http.latency_ms",
                  "--to", "2026-11-21T09:00:00+00:00"])  # fmt: skip
    assert moved == 0
    assert "moved back to 2026-11-21T09:00:00+00:00" in capsys.readouterr().out
