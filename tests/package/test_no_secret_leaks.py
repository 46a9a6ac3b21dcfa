"""No secret leaks: a token never shows in a log record, repr, exception, span, file or output.

The scenarios run the paths a token travels -- delivery, every kind of delivery failure,
the command line with the token in its environment variable, rejected input -- while every
log record (DEBUG and up, every logger), stdout, stderr, every exception raised, the
telemetry exported and the database file are captured. Then the token is searched for in
all of it.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service_monitoring import (
    DeliveryPolicy,
    MonitoringRuntime,
    PayloadRejected,
    PublicationFailed,
    Secret,
    Telemetry,
    WebhookSink,
    decode_samples,
)
from service_monitoring.cli.app import main
from support import latency_policy, sample

TOKEN = "sm-leak-canary-7f3a9c1e5b"  # unique enough that any occurrence is a leak

POLICY = """\
id = "checkout"
[[rules]]
rule_id = "latency"
metric = "http.latency_ms"
threshold = 250
severity = "critical"
"""
SAMPLES = (
    '{"samples": [{"metric": "http.latency_ms", "value": 320,'
    ' "observed_at": "2026-11-21T10:00:00+00:00"}]}'
)


class Receiver:
    """An HTTP endpoint on 127.0.0.1 answering each POST with the next status (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.authorizations: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.authorizations.append(self.headers.get("Authorization", ""))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/hook?channel=ops"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


class Evidence:
    """Everything that could carry the token out."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def attempt(self, action: Callable[[], object]) -> object:
        try:
            return action()
        except Exception as error:  # the point: keep every exception raised along the way
            self.texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
            return error


def test_the_token_never_leaks(
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    evidence = Evidence()
    attempt = evidence.attempt
    reader, exporter = InMemoryMetricReader(), InMemorySpanExporter()
    meters = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    tracers = TracerProvider(shutdown_on_exit=False)
    tracers.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = Telemetry(meter_provider=meters, tracer_provider=tracers)
    secret = Secret(TOKEN)

    # The secret itself, every way it may be shown or serialised.
    logging.getLogger("service_monitoring.test").debug("token %s %r", secret, secret)
    evidence.texts += [repr(secret), str(secret), f"{secret:>40}", repr({"t": secret})]
    attempt(lambda: json.dumps({"token": secret}))
    attempt(lambda: pickle.dumps(secret))

    # Delivery through the runtime: success, 5xx retries, 4xx rejection, refused, timeout.
    database = tmp_path / "monitoring.db"
    sink = WebhookSink(receiver.url, token=secret, timeout=1)
    evidence.texts.append(repr(sink))
    runtime = MonitoringRuntime(
        database=database,
        sink=sink,
        telemetry=telemetry,
        delivery=DeliveryPolicy(attempts=2),
        sleep=lambda _: None,
    )
    with runtime:
        runtime.register_policy(latency_policy())
        attempt(lambda: runtime.run_cycle("checkout", [sample("http.latency_ms", 320, 0)]))
        attempt(lambda: runtime.run_cycle("checkout", [sample("http.latency_ms", 100, 1)]))
        receiver.statuses = [503, 503]
        attempt(lambda: runtime.run_cycle("checkout", [sample("http.latency_ms", 330, 2)]))
        receiver.statuses = [401]
        attempt(runtime.deliver_pending)
        assert attempt(runtime.deliver_pending) == 1
    attempt(lambda: WebhookSink(refused_url(), token=secret).publish([]))
    for bad_sink in (refused_url(), receiver.url):
        attempt(lambda url=bad_sink: WebhookSink(url, token=secret, timeout=1).publish(
            [latency_policy().evaluate([sample("http.latency_ms", 400)])[0]]
        ))  # fmt: skip
    attempt(lambda: WebhookSink(f"https://ops:{TOKEN}@alerts.example.com/hook"))
    assert receiver.authorizations[0] == f"Bearer {TOKEN}"  # it was really sent

    # Rejected input at the boundary.
    attempt(lambda: decode_samples('{"samples": [{"metric": "cpu", "value": NaN}]}'))
    assert isinstance(attempt(lambda: decode_samples(b"\xff")), PayloadRejected)

    # The command line, with the token where it belongs: the environment.
    monkeypatch.setenv("SERVICE_MONITORING_TOKEN", TOKEN)
    policy, samples = tmp_path / "policy.toml", tmp_path / "samples.json"
    policy.write_text(POLICY)
    samples.write_text(SAMPLES)
    bad = tmp_path / "bad.json"
    bad.write_text('{"samples": [{"metric": "cpu", "value": "high"}]}')
    cli_db = str(tmp_path / "cli.db")
    common = ["--log-level", "debug"]
    for argv in (
        ["run", "--policy", policy, "--samples", samples, "--webhook", receiver.url],
        ["run", "--policy", policy, "--samples", samples, "--database", cli_db,
         "--webhook", refused_url()],
        ["incidents", "--database", cli_db, "--json"],
        ["deliver", "--database", cli_db, "--webhook", receiver.url],
        ["run", "--policy", policy, "--samples", bad, "--webhook", receiver.url],
        ["run", "--policy", policy, "--samples", samples, "--webhook",
         f"https://u:{TOKEN}@example.com"],
    ):  # fmt: skip
        attempt(lambda argv=argv: main([*common, *map(str, argv)], telemetry=telemetry))
    assert receiver.authorizations[-1] == f"Bearer {TOKEN}"

    # A real process, too.
    completed = subprocess.run(
        [sys.executable, "-m", "service_monitoring", "--log-level", "debug", "run",
         "--policy", str(policy), "--samples", str(samples), "--webhook", refused_url()],
        capture_output=True, text=True, timeout=60, env={**os.environ}, check=False,
    )  # fmt: skip
    assert completed.returncode == 3

    out, err = capsys.readouterr()
    meters.force_flush()
    telemetry_data = reader.get_metrics_data().to_json() + "".join(
        span.to_json() for span in exporter.get_finished_spans()
    )
    meters.shutdown()
    tracers.shutdown()
    haystacks = {
        "log records": "\n".join(
            f"{record.getMessage()} {vars(record)}" for record in caplog.records
        ),
        "stdout": out,
        "stderr": err,
        "subprocess output": completed.stdout + completed.stderr,
        "exceptions and reprs": "\n".join(evidence.texts),
        "telemetry": telemetry_data,
        "database files": "".join(
            Path(path).read_bytes().decode("latin-1") for path in (database, cli_db)
        ),
    }
    events = [getattr(record, "event", None) for record in caplog.records]
    assert events.count("delivery.failed") >= 3  # 5xx, 4xx and refused were all exercised
    assert "payload.rejected" in events
    assert "service-monitoring: error:" in err
    leaks = [where for where, text in haystacks.items() if TOKEN in text]
    assert leaks == []


def test_a_custom_sink_error_quoting_a_secret_does_not_reach_spans_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sink's own exception may quote its credentials; the cycle span keeps only the type."""

    class Careless:
        def publish(self, alerts: object) -> None:
            raise ConnectionRefusedError(f"https://hooks.example/alert?token={TOKEN} refused")

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = Telemetry(
        meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]),
        tracer_provider=tracer_provider,
    )
    caplog.set_level(logging.DEBUG)
    with MonitoringRuntime(
        sink=Careless(), telemetry=telemetry, delivery=DeliveryPolicy(attempts=1)
    ) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed) as raised:
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
    assert TOKEN not in str(raised.value)
    [span] = exporter.get_finished_spans()
    exported = json.dumps(
        {
            "attributes": dict(span.attributes or {}),
            "events": [dict(event.attributes or {}) for event in span.events],
            "status": str(span.status.description),
        }
    )
    assert TOKEN not in exported
    assert span.attributes is not None
    assert span.attributes["error.type"] == "PublicationFailed"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert all(TOKEN not in json.dumps(record.__dict__, default=str) for record in caplog.records)
