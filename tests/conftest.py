"""Fixtures shared by the capstone's tests.

* one store of each kind, and runtime databases (every storage and runtime test runs
  against both stores);
* telemetry read back in memory, a real HTTP endpoint on 127.0.0.1, a runtime whose
  store is changed by another writer mid-cycle, and policy and samples files.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service_monitoring import (
    STANDARD_MODES,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    Telemetry,
    ThresholdRule,
    Verdict,
)
from service_monitoring.storage import (
    InMemoryStore,
    InMemoryUnitOfWork,
    SqliteStore,
    SqliteUnitOfWork,
    UnitOfWork,
)
from support import HOSTILE_REASON

UowFactory = Callable[[], UnitOfWork]


# -- stores ----------------------------------------------------------------------------------
@pytest.fixture(params=["memory", "sqlite"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def uow_factory(store_kind: str, tmp_path: Path) -> Iterator[UowFactory]:
    """Units of work that share one store of the parametrised kind."""
    if store_kind == "memory":
        memory = InMemoryStore()
        yield lambda: InMemoryUnitOfWork(memory)
    else:
        sqlite = SqliteStore(tmp_path / "contract.db")
        try:
            yield lambda: SqliteUnitOfWork(sqlite)
        finally:
            sqlite.close()


@pytest.fixture
def database(store_kind: str, tmp_path: Path) -> Path | None:
    """``None`` (in memory) or a SQLite path, for MonitoringRuntime(database=...)."""
    return None if store_kind == "memory" else tmp_path / "runtime.db"


# -- telemetry -----------------------------------------------------------------------------


@dataclass
class TelemetryProbe:
    """A Telemetry wired to the SDK's in-memory reader and exporter."""

    telemetry: Telemetry
    reader: InMemoryMetricReader
    exporter: InMemorySpanExporter

    def points(self, name: str) -> list[Any]:
        """Every data point of the metric called *name* (empty if it never recorded)."""
        data = self.reader.get_metrics_data()
        if data is None:
            return []
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]

    def total(self, name: str, **attributes: object) -> float:
        """The sum of a counter (or the count of a histogram) over points with *attributes*."""
        total = 0.0
        for point in self.points(name):
            if all(point.attributes.get(k) == v for k, v in attributes.items()):
                total += point.count if hasattr(point, "count") else point.value
        return total

    def spans(self) -> tuple[ReadableSpan, ...]:
        return tuple(self.exporter.get_finished_spans())


@pytest.fixture
def probe() -> Iterator[TelemetryProbe]:
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    exporter = InMemorySpanExporter()
    tracers = TracerProvider(shutdown_on_exit=False)
    tracers.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = Telemetry(meter_provider=meters, tracer_provider=tracers)
    yield TelemetryProbe(telemetry, reader, exporter)
    meters.shutdown()
    tracers.shutdown()


# -- a real HTTP endpoint on 127.0.0.1 -----------------------------------------------------


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 go straight there, whatever proxy the machine configures."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@dataclass
class Endpoint:
    """A webhook receiver. ``answers`` are the statuses of the next requests (then 200)."""

    url: str
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            status = self.answers.pop(0) if self.answers else 200
            document = json.loads(body)
            self.requests.append({"headers": headers, "body": document, "status": status})
            if 200 <= status < 300:
                self.acknowledged += [alert["incident_id"] for alert in document["alerts"]]
            return status


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if endpoint.delay and endpoint.stop.wait(endpoint.delay):
                return
            status = endpoint.answer(dict(self.headers.items()), body)
            payload = b'{"ok": true}'
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read the endpoint's records instead."""

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (a timeout test) is expected, not an error."""


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    holder: list[Endpoint] = []
    server = _Server(("127.0.0.1", 0), lambda *a: _handler(holder[0])(*a))
    host, port = server.server_address[:2]
    holder.append(Endpoint(url=f"http://{host}:{port}/hooks/incidents"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield holder[0]
    holder[0].stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/incidents"


# -- a concurrent writer ---------------------------------------------------------------------


class InterferingMode:
    """The threshold mode, except that another writer commits the policy first, *times* times."""

    name = "interfering"

    def __init__(self, times: int) -> None:
        self.times = times
        self.runtime: MonitoringRuntime | None = None

    def check_rule(self, rule: ThresholdRule) -> None:
        """Any rule suits."""

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        if self.times and self.runtime is not None:
            self.times -= 1
            with self.runtime.unit_of_work() as uow:
                uow.policies.get("checkout").add_rule(
                    ThresholdRule(f"other-{self.times}", "other.metric", 1, "warning")
                )
                uow.commit()
        return STANDARD_MODES.get("threshold").evaluate(rule, recent, samples)


InterferedRuntime = Callable[..., MonitoringRuntime]


@pytest.fixture
def interfered_runtime() -> Iterator[InterferedRuntime]:
    """``interfered_runtime(times, telemetry, attempts=3)``: a runtime whose 'checkout'
    policy loses the optimistic-concurrency race *times* times."""
    opened: list[MonitoringRuntime] = []

    def make(times: int, telemetry: Telemetry, attempts: int = 3) -> MonitoringRuntime:
        mode = InterferingMode(times)
        modes = STANDARD_MODES.extended(mode)
        runtime = MonitoringRuntime(modes=modes, telemetry=telemetry, conflict_attempts=attempts)
        opened.append(runtime)
        mode.runtime = runtime
        policy = MonitoringPolicy("checkout", modes=modes)
        policy.add_rule(
            ThresholdRule("latency", "http.latency_ms", 250, "critical", mode="interfering")
        )
        policy.activate_rule("latency")
        runtime.register_policy(policy)
        return runtime

    yield make
    for runtime in opened:
        runtime.close()


# -- input files ---------------------------------------------------------------------------

POLICY_TOML = """\
id = "checkout"

[[rules]]
rule_id = "latency-p99"
metric = "http.latency_ms"
threshold = 250
severity = "critical"

[[rules]]
rule_id = "cpu-hot"
metric = "cpu.utilisation"
threshold = 0.9
severity = "warning"
state = "draft"
"""


def samples_document(*values: float, metric: str = "http.latency_ms", start_minute: int = 0) -> str:
    """A samples document: one sample per value, a minute apart from 10:00 UTC."""
    return json.dumps(
        {
            "samples": [
                {
                    "metric": metric,
                    "value": value,
                    "observed_at": f"2026-11-21T10:{start_minute + index:02d}:00+00:00",
                }
                for index, value in enumerate(values)
            ]
        }
    )


WriteFile = Callable[[str, str | bytes], Path]
SamplesFile = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write a file under tmp_path and return its path."""

    def write_file(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write_file


@pytest.fixture
def policy_path(write: WriteFile) -> Path:
    """policy.toml: 'checkout' with an active latency rule (> 250) and a draft cpu rule."""
    return write("policy.toml", POLICY_TOML)


@pytest.fixture
def samples_path(write: WriteFile) -> SamplesFile:
    """``samples_path(*values, metric=..., start_minute=..., name=...)`` writes a samples file."""

    def make(
        *values: float,
        metric: str = "http.latency_ms",
        start_minute: int = 0,
        name: str = "samples.json",
    ) -> Path:
        return write(name, samples_document(*values, metric=metric, start_minute=start_minute))

    return make


@pytest.fixture
def hostile_endpoint() -> Iterator[str]:
    """A webhook on 127.0.0.1 that refuses every batch with HTTP 401 and a hostile reason."""

    class Refusing(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(401, HOSTILE_REASON)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = _Server(("127.0.0.1", 0), Refusing)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/hooks/incidents"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
