"""WebhookSink hardening: sendable tokens, ASCII URLs, no credential on the error path,
an overall deadline per attempt, and Retry-After.

Every server here listens on 127.0.0.1 and stops after a bounded time, so each test ends
even against a sink that never gives up.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from service_monitoring import (
    Alert,
    DeliveryError,
    DeliveryRejected,
    DomainError,
    MetricSample,
    PublicationFailed,
    Secret,
    ThresholdRule,
    WebhookSink,
)
from support import latency_policy, sample

CANARY = "wh-canary-4d1f7b29e8"  # any occurrence of this text is a leak


def alert():
    (opened,) = latency_policy().evaluate([sample("http.latency_ms", 300)])
    return opened


# -- 1. tokens an HTTP header cannot carry are refused when the sink is built -----------------


@pytest.mark.parametrize(
    "token",
    [
        CANARY + "\n",  # a secret file's trailing newline
        CANARY + "\r\n",
        CANARY[:6] + "\r" + CANARY[6:],
        CANARY + " ",
        " " + CANARY,
        CANARY[:6] + "\t" + CANARY[6:],
        CANARY + "\x00",
        CANARY + "\x7f",
        CANARY + "é",  # not ASCII
        CANARY + "=x",  # padding only at the end
        '"' + CANARY + '"',
        CANARY + ",",
        "=" + CANARY,
    ],
    ids=[
        "trailing-lf",
        "trailing-crlf",
        "inner-cr",
        "trailing-space",
        "leading-space",
        "tab",
        "nul",
        "del",
        "non-ascii",
        "inner-equals",
        "quotes",
        "comma",
        "leading-equals",
    ],
)
def test_a_token_a_header_cannot_carry_is_refused_without_being_quoted(token: str) -> None:
    error = refusal_of(Secret(token))
    assert "cannot be sent in an HTTP header" in str(error)
    assert "trailing newline" in str(error)  # the usual cause, named
    assert CANARY not in str(error)
    assert list(leaks_of(error)) == []


def refusal_of(token: Secret) -> DomainError:
    """The error building a sink with *token* raises (caught here: no local holds the text)."""
    try:
        WebhookSink("https://alerts.example.com/hook", token=token)
    except DomainError as error:
        return error
    raise AssertionError("the token was accepted")


@pytest.mark.parametrize("token", [CANARY, "abc==", "A-Z.a_z~0+9/x=", "x"])
def test_every_b64token_is_accepted(token: str) -> None:
    WebhookSink("https://alerts.example.com/hook", token=Secret(token))


# -- 3. the delivery error carries no route to the credential ----------------------------------


def reprs(value: object, *, depth: int = 0) -> Iterator[str]:
    """repr of *value*; into dicts, lists, tuples, sets and an object's attributes, one level.

    A Secret is not opened: its masked repr is the form it promises to show.
    """
    try:
        yield repr(value)
    except Exception as error:  # a broken repr shows nothing, but the walk goes on
        yield type(error).__name__
    if depth >= 1 or isinstance(value, Secret):
        return
    inner: list[object] = []
    if isinstance(value, dict):
        inner = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        inner = list(value)
    else:
        with contextlib.suppress(TypeError):  # no __dict__
            inner = list(vars(value).values())
        for cls in type(value).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if slot not in ("__dict__", "__weakref__"):
                    inner.append(getattr(value, slot, None))
    for item in inner:
        yield from reprs(item, depth=depth + 1)


def leaks_of(error: BaseException) -> Iterator[str]:
    """Where CANARY shows in *error*, its __cause__/__context__ chain and their frames' locals."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        texts = [
            ("str", str(current)),
            *(("attributes", text) for text in reprs(current)),
            *(("args", text) for text in reprs(current.args)),
        ]
        tb = current.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            for name, value in tb.tb_frame.f_locals.items():
                texts += [(f"{code.co_name}:{name}", text) for text in reprs(value)]
            tb = tb.tb_next
        yield from (f"{type(current).__name__} {where}" for where, t in texts if CANARY in t)
        pending += [link for link in (current.__cause__, current.__context__) if link is not None]


def failure_of(url: str, timeout: float) -> DeliveryError:
    """The delivery error a sink holding CANARY raises (no local here holds the token)."""
    try:
        WebhookSink(url, token=Secret(CANARY), timeout=timeout).publish([alert()])
    except DeliveryError as error:
        return error
    raise AssertionError("the publication did not fail")


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("http-500", r"answered HTTP 500 Internal Server Error$"),
        ("http-401", r"answered HTTP 401 Unauthorized$"),
        ("refused", r"unreachable: \[Errno \d+\] Connection refused$"),
        ("timeout", r"did not answer within 0\.3 s$"),
    ],
)
def test_no_delivery_failure_carries_the_token_in_its_chain_or_frames(
    kind: str, message: str, endpoint, closed_port_url: str
) -> None:
    if kind.startswith("http-"):
        endpoint.answers = [int(kind[5:])]
    elif kind == "timeout":
        endpoint.delay = 3.0  # released when the fixture stops
    url = closed_port_url if kind == "refused" else endpoint.url
    error = failure_of(url, 0.3)
    origin = url.rsplit("/hooks", 1)[0]
    assert str(error).startswith(f"webhook {origin} ")
    assert error.args[0] == str(error)
    assert re.search(message, str(error)), str(error)
    assert list(leaks_of(error)) == []
    assert error.__cause__ is None and error.__context__ is None


def test_the_walk_finds_a_token_held_in_a_frame() -> None:
    """The check above can fail: a token in a local, a dict or an object's vars is found."""

    class Holder:
        def __init__(self) -> None:
            self.headers = {"Authorization": f"Bearer {CANARY}"}

    def fails(holder: Holder) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError) as caught:
        fails(Holder())
    assert list(leaks_of(caught.value)) == ["RuntimeError fails:holder"]


# -- 4. one deadline per attempt: connect, send and the whole answer ---------------------------


class Drip:
    """A server on 127.0.0.1 that reads a request, then sends *answer* one byte per *every* s.

    The first *fast* bytes go at once. It gives up after *limit* slow bytes, so a client that
    never stops waiting still finishes; with *tls* (a server context) it speaks HTTPS.
    """

    def __init__(
        self,
        answer: bytes,
        *,
        every: float = 0.5,
        fast: int = 0,
        limit: int = 12,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.answer, self.every, self.fast, self.limit, self.tls = answer, every, fast, limit, tls
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.listener.getsockname()[1]}/hooks/incidents"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            accepted, _ = self.listener.accept()
            accepted.settimeout(5)
            with self.tls.wrap_socket(accepted, server_side=True) if self.tls else accepted as peer:
                received = b""
                while not complete(received):
                    chunk = peer.recv(65536)
                    if not chunk:
                        return
                    received += chunk
                self.requests.append(received)
                peer.sendall(self.answer[: self.fast])
                for index in range(self.fast, min(len(self.answer), self.fast + self.limit)):
                    if self.stop.wait(self.every):
                        return
                    peer.sendall(self.answer[index : index + 1])
        except OSError:
            return  # the client hung up (what a deadline does), or never came

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(timeout=5)


def complete(request: bytes) -> bool:
    """Whether *request* holds its head and the whole body its Content-Length announces."""
    head, found, body = request.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(found) and len(body) >= (int(length[1]) if length else 0)


@pytest.fixture
def drip() -> Iterator[type[Drip]]:
    started: list[Drip] = []

    class Started(Drip):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    yield Started
    for server in started:
        server.close()


def test_a_status_line_sent_one_byte_at_a_time_is_cut_at_the_deadline(drip) -> None:
    server = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    sink = WebhookSink(server.url, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(PublicationFailed, match=r"did not answer within 1 s$"):
        sink.publish([alert()])
    assert time.monotonic() - started < 1.5


def test_a_body_sent_one_byte_at_a_time_is_cut_at_the_deadline(drip) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
    server = drip(head + b"{" + b" " * 38 + b"}", fast=len(head))
    sink = WebhookSink(server.url, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(PublicationFailed, match=r"did not answer within 1 s$"):
        sink.publish([alert()])
    assert time.monotonic() - started < 1.5


def test_an_answer_within_the_deadline_is_taken(drip) -> None:
    answer = b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}"
    server = drip(answer, every=0.05, fast=len(answer) - 4)
    WebhookSink(server.url, timeout=1.0).publish([alert()])  # about 0.2 s of dripping


@pytest.fixture
def loopback_tls(tmp_path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context with a fresh self-signed 127.0.0.1 certificate that new sinks trust."""
    openssl = shutil.which("openssl")
    assert openssl is not None, (
        "the openssl command makes the test certificate (.ci/run installs it)"
    )
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server


def test_https_on_loopback_delivers_with_a_verified_certificate(drip, loopback_tls) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    server = drip(answer, fast=len(answer), tls=loopback_tls)
    WebhookSink(server.url, token=Secret(CANARY), timeout=2).publish([alert()])
    (request,) = server.requests
    assert f"Authorization: Bearer {CANARY}\r\n".encode() in request


def test_https_dripping_is_cut_at_the_deadline(drip, loopback_tls) -> None:
    server = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", tls=loopback_tls)
    sink = WebhookSink(server.url, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(PublicationFailed, match=r"did not answer within 1 s$"):
        sink.publish([alert()])
    assert time.monotonic() - started < 1.5


def test_an_untrusted_certificate_is_unreachable_and_nothing_is_sent(
    drip, loopback_tls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    server = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", tls=loopback_tls)
    error = failure_of(server.url, 2)
    assert isinstance(error, PublicationFailed)
    assert "unreachable: [SSL: CERTIFICATE_VERIFY_FAILED]" in str(error)
    assert server.requests == []
    assert list(leaks_of(error)) == []


# -- 5. Retry-After -----------------------------------------------------------------------------


class Answering:
    """A server on 127.0.0.1 answering each POST with *status* and *headers*."""

    def __init__(self) -> None:
        self.status = 200
        self.headers: dict[str, str] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(owner.status)
                for name, value in owner.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self.thread.start()

    def failure(self, status: int, retry_after: str) -> PublicationFailed:
        self.status, self.headers = status, {"Retry-After": retry_after}
        with pytest.raises(PublicationFailed) as caught:
            WebhookSink(self.url, timeout=2).publish([alert()])
        return caught.value

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def answering() -> Iterator[Answering]:
    server = Answering()
    yield server
    server.close()


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_is_carried(answering: Answering, status: int) -> None:
    failure = answering.failure(status, "120")
    assert failure.retry_after == 120.0
    assert f"HTTP {status}" in str(failure)
    assert "retry after 120 s" in str(failure)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_an_http_date_is_carried(answering: Answering, status: int) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    failure = answering.failure(status, email.utils.format_datetime(when, usegmt=True))
    assert failure.retry_after is not None
    assert 80 <= failure.retry_after <= 91


@pytest.mark.parametrize(
    "value",
    [
        "soon",
        "-5",
        "nan",
        "inf",
        "1e999",
        "9" * 400,
        "1_0",
        "12abc",
        "0x10",
        "Wed, 32 Foo 2026 25:61:00 GMT",
        email.utils.format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True),  # past
    ],
)
def test_a_retry_after_that_is_not_a_delay_is_ignored(answering: Answering, value: str) -> None:
    failure = answering.failure(429, value)
    assert failure.retry_after is None
    assert "HTTP 429" in str(failure)


def test_retry_after_is_read_only_on_429_and_503(answering: Answering) -> None:
    assert answering.failure(500, "120").retry_after is None


def test_a_hostile_reason_phrase_reaches_a_library_caller_spelled_out(
    hostile_endpoint: str,
) -> None:
    """Not only the command line: any caller that logs or prints the error is safe."""
    at = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
    alert = Alert.open("checkout", rule, MetricSample("http.latency_ms", 300, at))
    with pytest.raises(DeliveryRejected) as caught:
        WebhookSink(hostile_endpoint).publish([alert])
    message = str(caught.value)
    assert message.isprintable()
    assert message.endswith("answered HTTP 401 \\x1b]0;owned\\x07\\x1b[2J\\x9bDenied")
