"""``service-monitoring serve`` as a real process: HTTP answers, signals, the database after."""

from __future__ import annotations

import signal
import socket
import sqlite3
from pathlib import Path

import pytest

from serve_support import (
    ServeFactory,
    batch,
    committed_probes,
    integrity,
    summary,
    wait_until,
)
from service_monitoring import MonitoringRuntime
from service_monitoring.cli.app import main


def test_the_endpoints_answer_as_documented(serve: ServeFactory) -> None:
    server = serve("--queue-limit", "3", "--interval", "3600")
    accepted = server.post(batch(0, 1))
    assert (accepted.status, accepted.document) == (202, {"accepted": 2, "queued": 2})

    rejected = server.post(b'{"samples": [{"metric": "Bad", "value": 1, "observed_at": "x"}]}')
    assert rejected.status == 400
    assert rejected.document["error"].startswith("samples[0].metric: ")  # type: ignore[union-attr]

    full = server.post(batch(2, 3))
    assert full.status == 429
    assert 1 <= int(full.headers["Retry-After"]) <= 3600

    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as raw:
        raw.sendall(b"POST /samples HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 413 ")

    health = server.get("/healthz")
    assert (health.status, health.document) == (
        200,
        {
            "status": "ok",
            "queue_depth": 2,
            "queue_limit": 3,
            "pending_deliveries": 0,
            "last_cycle_age_seconds": None,
        },
    )
    assert server.get("/incidents").document == {"open_incidents": [], "pending": []}
    assert server.get("/metrics").status == 404

    server.signal(signal.SIGTERM)
    code, lines, err = server.finish()
    assert (code, err) == (0, "")
    counts = summary(lines)
    assert (counts["accepted"], counts["committed"], counts["refused"]) == (2, 2, 1)
    assert committed_probes(server.database) == {"probe-00", "probe-01"}
    # No sink option: standard output was the sink, one line per incident.
    assert sum("probes/probe-0" in line for line in lines) == 2
    assert integrity(server.database) == "ok"


def test_sigterm_commits_every_accepted_batch_and_delivers_it(
    serve: ServeFactory, endpoint
) -> None:
    # One cycle an hour: everything accepted is committed by the shutdown's last cycle.
    server = serve("--interval", "3600", "--webhook", endpoint.url)
    for probe in range(30):
        assert server.post(batch(probe)).status == 202
    server.signal(signal.SIGTERM)
    code, lines, err = server.finish()
    assert (code, err) == (0, "")
    counts = summary(lines)
    assert counts == {
        "accepted": 30, "committed": 30, "refused": 0, "cycles": 1, "delivered": 30, "pending": 0,
    }  # fmt: skip
    expected = {f"probe-{n:02d}" for n in range(30)}
    assert committed_probes(server.database) == expected
    with MonitoringRuntime(database=server.database, read_only=True) as runtime:
        delivered = {alert.incident_id for alert in runtime.open_incidents("probes")}
        assert runtime.pending_count() == 0
    assert set(endpoint.acknowledged) == delivered
    assert integrity(server.database) == "ok"


def test_sigint_while_cycles_run_loses_nothing(serve: ServeFactory, endpoint) -> None:
    server = serve("--interval", "0.1", "--webhook", endpoint.url, "--delivery-interval", "0.1")
    for probe in range(10):
        assert server.post(batch(probe)).status == 202
    wait_until(lambda: len(endpoint.acknowledged) == 10, "the first ten to be delivered")
    health = server.get("/healthz").document
    assert health["status"] == "ok"
    assert isinstance(health["last_cycle_age_seconds"], float)
    incidents = server.get("/incidents").document["open_incidents"]
    assert len(incidents) == 10  # type: ignore[arg-type]
    for probe in range(10, 20):
        assert server.post(batch(probe)).status == 202
    server.signal(signal.SIGINT)
    code, lines, err = server.finish()
    assert (code, err) == (0, "")
    counts = summary(lines)
    assert counts["accepted"] == counts["committed"] == 20
    assert counts["delivered"] == 20 and counts["pending"] == 0
    assert committed_probes(server.database) == {f"probe-{n:02d}" for n in range(20)}
    assert len(set(endpoint.acknowledged)) == 20
    assert integrity(server.database) == "ok"


def test_a_second_signal_during_a_stuck_drain_exits_at_once(serve: ServeFactory, endpoint) -> None:
    endpoint.delay = 600  # the webhook holds every request: delivery cannot finish
    server = serve(
        "--interval", "0.1", "--webhook", endpoint.url, "--drain-seconds", "600",
    )  # fmt: skip
    for probe in range(5):
        assert server.post(batch(probe)).status == 202
    wait_until(lambda: server.get("/healthz").document["queue_depth"] == 0, "a cycle")
    wait_until(lambda: len(committed_probes(server.database)) == 5, "the commit")
    server.signal(signal.SIGTERM)
    wait_until(lambda: not server.listening(), "the listening socket to close")
    server.signal(signal.SIGTERM)
    code, lines, err = server.finish()
    assert code == 128 + signal.SIGTERM
    assert "0 accepted samples were not committed" in err
    assert not any(line.startswith("serve: stopped") for line in lines)
    assert integrity(server.database) == "ok"
    assert committed_probes(server.database) == {f"probe-{n:02d}" for n in range(5)}
    with MonitoringRuntime(database=server.database, read_only=True) as runtime:
        assert runtime.pending_count() == 5  # still owed to the webhook, not lost


def test_a_second_signal_counts_what_was_not_committed(serve: ServeFactory) -> None:
    server = serve("--interval", "3600")
    for probe in range(4):
        assert server.post(batch(probe, extra=2)).status == 202
    blocker = sqlite3.connect(server.database, timeout=60)
    blocker.execute("BEGIN EXCLUSIVE")  # no cycle can commit while this is held
    try:
        # Two different signals: a second one of the same kind could merge with the first.
        server.signal(signal.SIGINT)
        server.signal(signal.SIGTERM)
        code, _, err = server.finish()
    finally:
        blocker.rollback()
        blocker.close()
    assert code in (128 + signal.SIGINT, 128 + signal.SIGTERM)
    assert "12 accepted samples were not committed" in err
    assert integrity(server.database) == "ok"
    assert committed_probes(server.database) == set()


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--port", "70000", "--port must be a whole number from 0 to 65535, got 70000"),
        ("--interval", "0", "--interval must be a finite number of seconds > 0, got 0.0"),
        ("--interval", "nan", "--interval must be a finite number of seconds > 0, got nan"),
        ("--queue-limit", "0", "--queue-limit must be a whole number >= 1, got 0"),
        ("--drain-seconds", "-1", "--drain-seconds must be a finite number of seconds >= 0"),
        ("--delivery-interval", "0", "--delivery-interval must be a finite number of seconds"),
    ],
)
def test_bad_options_are_refused_in_one_line_before_anything_opens(
    policy_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    reason: str,
) -> None:
    database = tmp_path / "never.db"
    argv = ["--no-plugins", "serve", "--policy", str(policy_file), "--database", str(database)]
    assert main([*argv, option, value]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert reason in err
    assert not database.exists()


def test_a_port_in_use_is_refused_in_one_line(
    policy_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["--no-plugins", "serve", "--policy", str(policy_file)]
        code = main([*argv, "--database", str(tmp_path / "a.db"), "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert f"--port {port}: cannot listen on 127.0.0.1: " in err
