"""A real sink: :class:`WebhookSink` POSTs each batch to an HTTP endpoint.

Internal module: import :class:`WebhookSink` from :mod:`service_monitoring`.

Only the standard library is used (:mod:`http.client`, :mod:`ssl`); the body is
:func:`~service_monitoring.delivery.payload.batch_body`. The sink maps the
answers of the world outside onto the delivery errors the runtime
understands: what may succeed later -- a timeout, a refused connection, a
5xx, 408 or 429 -- is :class:`~service_monitoring.PublicationFailed`, which
the runtime retries; what never will -- any other 4xx, or a redirect, which
is not followed so the token never travels to another address -- is
:class:`~service_monitoring.DeliveryRejected`.

* **One deadline per attempt.** *timeout* bounds the whole attempt -- connecting,
  the TLS handshake, sending the request and reading the whole answer (at most
  64 KiB of its body) -- not each socket read: a timer shuts the socket down when it
  passes, so an endpoint that drips its answer a byte at a time cannot hold the
  caller. Resolving the host name is left to the system resolver's own limits.
* **Retry-After.** A ``429`` or ``503`` answer with a ``Retry-After`` header, in
  seconds or as an HTTP date, raises ``PublicationFailed(..., retry_after=seconds)``; a
  value that is no delay (garbage, negative, not finite, a date already past) is ignored.
* **Refused when built, not at every publication:** a URL that is not plain ASCII
  http(s) or that carries credentials; a token an HTTP header cannot carry (see
  :class:`WebhookSink`); a timeout that is not a number of seconds in ``(0, 3600]``.
* **The token stays out of errors.** The HTTP exchange happens in a frame that
  returns what happened rather than raising, so the delivery error is raised
  afterwards, with no ``__cause__`` or ``__context__``, from a frame that holds
  neither the token nor the headers. Messages and ``repr`` name only the
  endpoint's origin (scheme, host, port): some webhook URLs carry a credential in
  their path or query. Proxy settings of the environment are not used.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import http.client
import math
import re
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from ..domain.errors import DeliveryRejected, DomainError, PublicationFailed
from ..domain.values import Alert
from ..intake.secret import Secret
from .payload import batch_body

__all__ = ["WebhookSink"]

_RETRYABLE_CLIENT_ERRORS: Final = frozenset({408, 429})
_RETRY_AFTER_STATUSES: Final = frozenset({429, 503})
_UNSAFE_URL: Final = re.compile(r"[\x00-\x20\x7f]")
_BEARER: Final = re.compile(r"Bearer [A-Za-z0-9._~+/-]+=*")  # RFC 6750 b64token
_DELTA_SECONDS: Final = re.compile(r"[0-9]+")
_MAX_ANSWER: Final = 64 * 1024
_MAX_TIMEOUT: Final = 3600.0
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}

_UNSENDABLE_BEARER: Final = (
    "the token cannot be sent in an HTTP header: a bearer token may hold only ASCII letters, "
    "digits, -._~+/ and trailing = padding (RFC 6750), and this one holds another character, "
    "such as a space or a line break; a trailing newline from a mounted secret file is a "
    "common cause: strip it before wrapping the value in a Secret"
)


class WebhookSink:
    """POST each batch as ``{"alerts": [...]}`` to *url*, with an optional bearer *token*.

    Each request carries ``Content-Type: application/json``, ``Authorization:
    Bearer <token>`` when a token is given, and an ``Idempotency-Key`` derived
    from the batch's incident ids, so a receiver can drop a batch it already
    took. A ``2xx`` answer acknowledges the whole batch.

    Each attempt must be over -- connected, sent, and the whole answer read --
    within *timeout* seconds, else it is a ``PublicationFailed`` saying the webhook
    did not answer in time. A ``429`` or ``503`` with ``Retry-After`` sets the
    error's ``retry_after``. The token must be an RFC 6750 ``b64token`` (ASCII
    letters, digits, ``-._~+/``, then ``=`` padding): anything else, such as the
    trailing newline of a secret read from a file, is refused here rather than
    failing every publication.

    >>> sink = WebhookSink("https://alerts.example.com/hooks/abc?key=1", token=Secret("t0ken"))
    >>> sink
    WebhookSink('https://alerts.example.com', token=Secret('********'), timeout=5.0)
    >>> with_password = "https://user:password@alerts.example.com/hook"
    >>> WebhookSink(with_password)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: the URL must not contain credentials; pass
    them as token
    >>> from_a_file = Secret("t0ken\\n")  # a secret file's trailing newline
    >>> WebhookSink("https://alerts.example.com/hook", token=from_a_file)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: the token cannot be sent in an HTTP header: ...
    >>> WebhookSink("https://alerts.example.com/hook", timeout=5000)
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: timeout must be at most 3600 seconds, got 5000
    """

    __slots__ = ("_host", "_origin", "_port", "_target", "_timeout", "_tls", "_token", "_url")

    def __init__(self, url: str, *, token: Secret | None = None, timeout: float = 5.0) -> None:
        self._url = _checked_url(url)
        parts = urlsplit(self._url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._host = parts.hostname or ""
        self._port = parts.port if parts.port is not None else _DEFAULT_PORTS[parts.scheme]
        self._target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        if token is not None and not isinstance(token, Secret):
            raise DomainError(f"token must be a Secret, got {type(token).__name__}")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise DomainError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        if timeout > _MAX_TIMEOUT:
            raise DomainError(f"timeout must be at most {_MAX_TIMEOUT:g} seconds, got {timeout!r}")
        self._token = token
        self._timeout = float(timeout)
        if token is not None and not _BEARER.fullmatch(self._headers(())["Authorization"]):
            raise DomainError(_UNSENDABLE_BEARER)
        self._tls = ssl.create_default_context() if parts.scheme == "https" else None

    @property
    def origin(self) -> str:
        """Scheme, host and port of the endpoint: what messages may show."""
        return self._origin

    def publish(self, alerts: Sequence[Alert]) -> None:
        """POST *alerts*; return when the endpoint acknowledged them, else raise."""
        batch = tuple(alerts)
        if not batch:
            return
        answer = self._exchange(batch_body(batch), batch)
        # The exchange is over and its frame gone: nothing raised below links to the token.
        if isinstance(answer, str):
            raise PublicationFailed(f"webhook {self._origin} {answer}")
        if not 200 <= answer.status < 300:
            raise self._refusal(answer)

    def _headers(self, batch: Sequence[Alert]) -> dict[str, str]:
        ids = "\n".join(alert.incident_id for alert in batch)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "service-monitoring",
            "Idempotency-Key": hashlib.sha256(ids.encode("utf-8")).hexdigest()[:32],
            "Connection": "close",
        }
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _connection(self) -> http.client.HTTPConnection:
        """A connection to the endpoint, not yet connected (HTTPS when the URL says so)."""
        if self._tls is None:
            return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return http.client.HTTPSConnection(
            self._host, self._port, timeout=self._timeout, context=self._tls
        )

    def _exchange(self, body: bytes, batch: Sequence[Alert]) -> _Answer | str:
        """One attempt within the deadline: the answer, or the end of a message saying why not.

        A failure is returned, not raised: the headers, the connection and any low-level
        exception (whose traceback holds frames that hold them) stay here and die with it.
        """
        connection = self._connection()
        connected = False
        answer: _Answer | str | None
        try:
            with _Deadline(self._timeout) as deadline:
                try:
                    self._connect(connection, deadline)
                    connected = True
                    connection.request("POST", self._target, body, self._headers(batch))
                    with connection.getresponse() as response:
                        response.read(_MAX_ANSWER)
                        answer = _Answer(
                            response.status,
                            str(response.reason or ""),
                            _retry_after(response.getheader("Retry-After"))
                            if response.status in _RETRY_AFTER_STATUSES
                            else None,
                        )
                except Exception as error:  # every failure becomes a message, never a cause
                    answer = _failure(error, connected=connected)
            if deadline.expired or answer is None:
                return f"did not answer within {self._timeout:g} s"
            return answer
        finally:
            connection.close()

    def _connect(self, connection: http.client.HTTPConnection, deadline: _Deadline) -> None:
        """Connect, then shake hands for TLS in the time that is left; arm the deadline."""
        http.client.HTTPConnection.connect(connection)  # TCP only, also for https
        deadline.watch(connection.sock)
        if self._tls is not None:
            connection.sock.settimeout(deadline.remaining())  # the handshake has a deadline
            connection.sock = self._tls.wrap_socket(connection.sock, server_hostname=self._host)
            deadline.watch(connection.sock)

    def _refusal(self, answer: _Answer) -> PublicationFailed | DeliveryRejected:
        status = answer.status
        reason = _printable(answer.reason[:60])  # the peer's words reach logs and terminals
        message = f"webhook {self._origin} answered HTTP {status} {reason}".rstrip()
        if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
            if answer.retry_after is not None:
                message += f" (retry after {answer.retry_after:.0f} s)"
            return PublicationFailed(message, retry_after=answer.retry_after)
        if 300 <= status < 400:
            return DeliveryRejected(f"{message} (redirects are not followed)")
        return DeliveryRejected(message)

    def __repr__(self) -> str:
        return f"WebhookSink({self._origin!r}, token={self._token!r}, timeout={self._timeout!r})"


@dataclass(frozen=True, slots=True)
class _Answer:
    """What the endpoint said; ``retry_after`` only for a 429 or 503 that set it."""

    status: int
    reason: str
    retry_after: float | None


class _Deadline:
    """Shut the watched socket down once *seconds* have passed since the block began.

    A read or write blocked on the socket then returns at once, and ``expired`` says
    why. After the block the timer touches no socket, so the caller may close it.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._seconds = seconds
        self._ends = math.inf
        self._over = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._ends = time.monotonic() + self._seconds
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._over = True
            self._socket = None

    def remaining(self) -> float:
        """Seconds left; a ``TimeoutError`` when none are."""
        left = self._ends - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut *sock* down when the deadline passes; a ``TimeoutError`` if it has."""
        with self._lock:
            if self.expired:
                raise TimeoutError
            self._socket = sock

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            if self._socket is not None:
                with contextlib.suppress(OSError):  # already closed, or detached by TLS
                    # The plain socket's method, also under TLS: the TLS state is not touched.
                    socket.socket.shutdown(self._socket, socket.SHUT_RDWR)


def _failure(error: Exception, *, connected: bool) -> str | None:
    """The end of a message for an exchange that raised *error*; ``None`` for a timeout."""
    if isinstance(error, TimeoutError):
        return None  # the caller names the deadline
    if not connected and isinstance(error, OSError):
        return f"unreachable: {error}"  # errno and reason, or the TLS verdict
    return f"failed: {type(error).__name__}"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` value (delta-seconds or HTTP date); ``None`` if no delay."""
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # an HTTP date is in GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _checked_url(url: object) -> str:
    if not isinstance(url, str):
        raise DomainError(f"the webhook URL must be a string, got {type(url).__name__}")
    if _UNSAFE_URL.search(url):
        raise DomainError("the webhook URL must not contain spaces or control characters")
    if not url.isascii():
        raise DomainError(
            "the webhook URL must be ASCII: percent-encode the path and query, and write an "
            "international host name in its punycode (xn--) form"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        raise DomainError("the webhook URL cannot be parsed") from None
    if parts.scheme not in ("http", "https"):
        raise DomainError(f"the webhook URL must use http or https, got {parts.scheme!r}")
    if "@" in parts.netloc:
        raise DomainError("the URL must not contain credentials; pass them as token")
    if not parts.hostname:
        raise DomainError("the webhook URL names no host")
    try:
        parts.hostname.encode("idna")  # what name resolution will do with it
    except UnicodeError:
        raise DomainError(
            "the webhook URL's host name has an empty label or one longer than 63 characters"
        ) from None
    return url


def _printable(text: str) -> str:
    r"""*text* with every character that is not printable spelled out (``\x1b``, ``\u202e``).

    >>> _printable("Denied\x1b[2J\u202e")
    'Denied\\x1b[2J\\u202e'
    """
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)
