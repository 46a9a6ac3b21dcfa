"""Internal module: the HTTP endpoints of ``serve``, on the standard library's threading server.

=======  ===========  ==================================================================
Method   Path         Answers
=======  ===========  ==================================================================
POST     /samples     202 accepted; 400 rejected payload; 411 no Content-Length; 413 too
                      large; 429 queue full (``Retry-After``); 503 stopping
GET      /healthz     200 with the queue, delivery and cycle state
GET      /incidents   200 with the open incidents, in the webhook's format, and the pending ids
=======  ===========  ==================================================================

Every answer is JSON; an error is ``{"error": "..."}`` and never carries a traceback.
The payload size is decided from ``Content-Length`` before the body is read; the body
then passes :func:`~service_monitoring.decode_samples` with the service's
:class:`~service_monitoring.PayloadLimits`, the trust boundary ``run`` uses.

>>> IntakeHandler.protocol_version, IntakeHandler.timeout
('HTTP/1.1', 30)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import urlsplit

from ..domain.errors import PayloadRejected
from ..domain.values import MetricSample
from ..intake.samples import PayloadLimits, decode_samples
from .intake_queue import Offer, Refusal

__all__ = ["Backend", "IntakeHandler", "IntakeServer"]

_ENDPOINTS = {"/samples": ("POST",), "/healthz": ("GET",), "/incidents": ("GET",)}
_NOT_FOUND = "no such endpoint; try POST /samples, GET /healthz or GET /incidents"


class Backend(Protocol):
    """What the endpoints need from the service behind them."""

    @property
    def limits(self) -> PayloadLimits:
        """The limits every payload is decoded with."""
        ...

    def offer(self, samples: Sequence[MetricSample]) -> Offer:
        """Queue *samples* whole, or refuse them whole."""
        ...

    def payload_rejected(self, error: PayloadRejected, peer: str) -> None:
        """Count and log a payload the trust boundary refused."""
        ...

    def health(self) -> Mapping[str, object]:
        """The document ``GET /healthz`` answers."""
        ...

    def incidents(self) -> Mapping[str, object]:
        """The document ``GET /incidents`` answers."""
        ...


class IntakeServer(ThreadingHTTPServer):
    """A threading HTTP server whose handlers answer from *backend*."""

    daemon_threads = True  # a client that holds a connection open never delays the exit
    request_queue_size = 128  # connections waiting to be accepted (the default is 5)

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        self.backend = backend
        super().__init__(address, IntakeHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is normal; anything else is a bug, shown on standard error."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class IntakeHandler(BaseHTTPRequestHandler):
    """One connection: keep-alive HTTP/1.1, JSON answers, no tracebacks to the client."""

    protocol_version = "HTTP/1.1"
    server_version = "service-monitoring"
    sys_version = ""
    timeout = 30  # seconds a silent client may hold a connection
    server: IntakeServer

    def do_GET(self) -> None:
        """``/healthz`` and ``/incidents``."""
        path = self._route("GET")
        if path is not None:
            self._guarded(lambda: self._read(path))

    def do_POST(self) -> None:
        """``/samples``: size, then decoding, then the queue."""
        if self._route("POST") is not None:
            self._guarded(self._intake)

    def _read(self, path: str) -> None:
        backend = self.server.backend
        self._answer(HTTPStatus.OK, backend.health() if path == "/healthz" else backend.incidents())

    def _intake(self) -> None:
        backend = self.server.backend
        body = self._body(backend.limits.max_bytes)
        if body is None:
            return
        try:
            samples = decode_samples(body, limits=backend.limits)
        except PayloadRejected as error:
            backend.payload_rejected(error, peer=self.client_address[0])
            self._error(HTTPStatus.BAD_REQUEST, str(error))
            return
        self._offered(backend.offer(samples), len(samples))

    def do_PUT(self) -> None:
        """No endpoint takes PUT."""
        self._route("PUT")

    def do_DELETE(self) -> None:
        """No endpoint takes DELETE."""
        self._route("DELETE")

    def do_PATCH(self) -> None:
        """No endpoint takes PATCH."""
        self._route("PATCH")

    def version_string(self) -> str:
        """The ``Server`` header: the name only, no Python version."""
        return self.server_version

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the base class sends for a malformed request, as JSON, closing the connection.

        A request line too broken to name its version still gets a status line and headers.
        """
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        self._error(HTTPStatus(code), message or HTTPStatus(code).phrase, close=True)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are not logged one by one (``/healthz`` counts what matters)."""

    # -- helpers ---------------------------------------------------------------------------

    def _guarded(self, action: Callable[[], None]) -> None:
        """Run *action*; a bug in it is answered 500 without details, then raised on, so
        the server prints its traceback on standard error, for the operator."""
        try:
            action()
        except OSError:  # the client went away: nobody to answer
            self.close_connection = True
        except Exception:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error", close=True)
            raise

    def _route(self, method: str) -> str | None:
        """The path if *method* is served there; else answer 404 or 405 and return ``None``."""
        path = urlsplit(self.path).path
        allowed = _ENDPOINTS.get(path)
        if allowed is None:
            self._error(HTTPStatus.NOT_FOUND, _NOT_FOUND, close=method != "GET")
            return None
        if method not in allowed:
            self._error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"{path} takes {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
                close=True,
            )
            return None
        return path

    def _body(self, max_bytes: int) -> bytes | None:
        """The request body, once its declared size is known to fit; else answer and ``None``."""
        if "Transfer-Encoding" in self.headers:
            self._error(HTTPStatus.LENGTH_REQUIRED, "send the body with Content-Length", close=True)
            return None
        declared = self.headers.get("Content-Length")
        if declared is None:
            self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required", close=True)
            return None
        if not declared.isdigit() or len(declared) > 18:
            self._error(HTTPStatus.BAD_REQUEST, "Content-Length must be a byte count", close=True)
            return None
        length = int(declared)
        if length > max_bytes:
            message = f"the payload is {length} bytes; the limit is {max_bytes} bytes"
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, message, close=True)
            return None
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away mid-body
            self.close_connection = True
            return None
        return body

    def _offered(self, offer: Offer, size: int) -> None:
        if offer.accepted:
            self._answer(HTTPStatus.ACCEPTED, {"accepted": size, "queued": offer.depth})
        elif offer.refusal is Refusal.FULL:
            self._error(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"the queue is full ({offer.depth} samples wait); retry after "
                f"{offer.retry_after} s",
                headers={"Retry-After": str(offer.retry_after)},
            )
        elif offer.refusal is Refusal.TOO_LARGE:
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"{size} samples are more than the whole queue holds; send smaller batches",
            )
        else:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "the service is stopping")

    def _error(
        self,
        status: HTTPStatus,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        self._answer(status, {"error": message}, headers=headers, close=close)

    def _answer(
        self,
        status: HTTPStatus,
        document: Mapping[str, object],
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        body = json.dumps(document, allow_nan=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
