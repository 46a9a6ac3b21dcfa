"""The HTTP endpoints in process, on port 0, against a backend that records what it is given."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from service_monitoring import MetricSample, PayloadLimits, PayloadRejected
from service_monitoring.serve.http_api import IntakeServer
from service_monitoring.serve.intake_queue import Offer, SampleQueue

GOOD_AT = datetime(2026, 11, 21, 10, tzinfo=UTC)
GOOD = b'{"samples": [{"metric": "cpu", "value": 0.5, "observed_at": "2026-11-21T10:00:00Z"}]}'


@dataclass
class Backend:
    """A stand-in for the service: a real queue, recorded rejections, fixed documents."""

    queue: SampleQueue[MetricSample] = field(default_factory=lambda: SampleQueue(3))
    limits: PayloadLimits = field(default_factory=lambda: PayloadLimits(max_bytes=1_000))
    rejected: list[str] = field(default_factory=list)
    broken: bool = False

    def offer(self, samples: Sequence[MetricSample]) -> Offer:
        return self.queue.offer(samples)

    def payload_rejected(self, error: PayloadRejected, peer: str) -> None:
        self.rejected.append(peer)

    def health(self) -> Mapping[str, object]:
        if self.broken:
            raise RuntimeError("secret detail /etc/passwd")
        return {"status": "ok", "queue_depth": self.queue.depth}

    def incidents(self) -> Mapping[str, object]:
        return {"open_incidents": [], "pending": []}


@pytest.fixture
def backend() -> Backend:
    return Backend()


@pytest.fixture
def server(backend: Backend) -> Iterator[IntakeServer]:
    server = IntakeServer(("127.0.0.1", 0), backend)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def request(
    server: IntakeServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, object], http.client.HTTPResponse]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        document = json.loads(response.read())
        return response.status, document, response
    finally:
        connection.close()


def raw(server: IntakeServer, data: bytes) -> bytes:
    """Send *data* as is; return everything the server answers before it closes."""
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=30) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_valid_payload_is_accepted_with_the_queue_depth(server: IntakeServer) -> None:
    status, document, _ = request(server, "POST", "/samples", GOOD)
    assert (status, document) == (202, {"accepted": 1, "queued": 1})


def test_a_rejected_payload_is_400_with_the_boundary_s_reason(
    server: IntakeServer, backend: Backend
) -> None:
    body = b'{"samples": [{"metric": "cpu", "value": true, "observed_at": "x"}]}'
    status, document, _ = request(server, "POST", "/samples", body)
    assert status == 400
    assert document == {"error": "samples[0].value: expected a finite number, got bool"}
    assert backend.rejected == ["127.0.0.1"]
    assert backend.queue.depth == 0


def test_a_payload_over_the_byte_limit_is_413_without_reading_it(server: IntakeServer) -> None:
    # Only the headers are sent: the answer comes from Content-Length alone.
    answer = raw(server, b"POST /samples HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body) == {"error": "the payload is 5000 bytes; the limit is 1000 bytes"}


def test_a_post_without_content_length_is_411(server: IntakeServer) -> None:
    answer = raw(server, b"POST /samples HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 411 ")
    chunked = raw(
        server, b"POST /samples HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    assert chunked.startswith(b"HTTP/1.1 411 ")


def test_a_full_queue_is_429_with_retry_after(server: IntakeServer, backend: Backend) -> None:
    backend.queue.offer([MetricSample("cpu", 1, GOOD_AT)] * 3)
    status, document, response = request(server, "POST", "/samples", GOOD)
    assert status == 429
    assert response.getheader("Retry-After") == "1"
    assert "queue is full" in str(document["error"])


def test_a_batch_larger_than_the_queue_is_413(server: IntakeServer) -> None:
    sample = {"metric": "cpu", "value": 1, "observed_at": "2026-11-21T10:00:00Z"}
    body = json.dumps({"samples": [sample] * 4}).encode()
    status, document, _ = request(server, "POST", "/samples", body)
    assert status == 413
    assert "more than the whole queue holds" in str(document["error"])


def test_once_shutdown_began_posts_are_503(server: IntakeServer, backend: Backend) -> None:
    backend.queue.close()
    status, document, _ = request(server, "POST", "/samples", GOOD)
    assert (status, document) == (503, {"error": "the service is stopping"})
    assert backend.queue.refused == 1  # counted with the 429s in the summary


def test_health_and_incidents_answer_json(server: IntakeServer) -> None:
    assert request(server, "GET", "/healthz")[:2] == (200, {"status": "ok", "queue_depth": 0})
    assert request(server, "GET", "/incidents?x=1")[:2] == (
        200,
        {"open_incidents": [], "pending": []},
    )


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("POST", "/healthz", 405),
        ("GET", "/samples", 405),
        ("DELETE", "/incidents", 405),
        ("PUT", "/samples", 405),
    ],
)
def test_other_paths_and_methods_get_a_json_error(
    server: IntakeServer, method: str, path: str, status: int
) -> None:
    answer_status, document, _ = request(server, method, path, b"{}")
    assert answer_status == status
    assert set(document) == {"error"}


def test_a_malformed_request_gets_a_json_error(server: IntakeServer) -> None:
    answer = raw(server, b"GET /healthz HTTP/x.y\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"400"
    assert json.loads(body) == {"error": "Bad request version ('HTTP/x.y')"}


def test_a_bug_behind_an_endpoint_is_500_without_its_details(
    server: IntakeServer, backend: Backend
) -> None:
    backend.broken = True
    status, document, _ = request(server, "GET", "/healthz")
    assert (status, document) == (500, {"error": "internal error"})


def test_keep_alive_serves_several_requests_on_one_connection(server: IntakeServer) -> None:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=30)
    try:
        for expected in (1, 2):
            connection.request("POST", "/samples", body=GOOD)
            response = connection.getresponse()
            assert json.loads(response.read()) == {"accepted": 1, "queued": expected}
    finally:
        connection.close()
