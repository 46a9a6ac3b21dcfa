"""A real sink: :class:`WebhookSink` POSTs each batch to an HTTP endpoint.

Internal module: import :class:`WebhookSink` from :mod:`service_monitoring`.

Only the standard library is used (:mod:`urllib.request`). The sink maps the
answers of the world outside onto the delivery errors the runtime
understands: what may succeed later -- a timeout, a refused connection, a
5xx, 408 or 429 -- is :class:`~service_monitoring.PublicationFailed`, which
the runtime retries; what never will -- any other 4xx, or a redirect, which
is not followed so the token never travels to another address -- is
:class:`~service_monitoring.DeliveryRejected`.

The body is :func:`~service_monitoring.delivery.payload.batch_body`.
Messages and ``repr`` name only the endpoint's origin (scheme, host, port):
some webhook URLs carry a credential in their path or query.
"""

from __future__ import annotations

import hashlib
import http.client
import math
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

from ..domain.errors import DeliveryRejected, DomainError, PublicationFailed
from ..domain.values import Alert
from ..intake.secret import Secret
from .payload import batch_body

__all__ = ["WebhookSink"]

_RETRYABLE_CLIENT_ERRORS: Final = frozenset({408, 429})
_UNSAFE_URL: Final = re.compile(r"[\x00-\x20\x7f]")
_MAX_ANSWER: Final = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: the answer stays a 3xx error."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> None:
        return None


class WebhookSink:
    """POST each batch as ``{"alerts": [...]}`` to *url*, with an optional bearer *token*.

    Each request carries ``Content-Type: application/json``, ``Authorization:
    Bearer <token>`` when a token is given, and an ``Idempotency-Key`` derived
    from the batch's incident ids, so a receiver can drop a batch it already
    took. A ``2xx`` answer acknowledges the whole batch.

    >>> sink = WebhookSink("https://alerts.example.com/hooks/abc?key=1", token=Secret("t0ken"))
    >>> sink
    WebhookSink('https://alerts.example.com', token=Secret('********'), timeout=5.0)
    >>> with_password = "https://user:password@alerts.example.com/hook"
    >>> WebhookSink(with_password)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: the URL must not contain credentials; pass
    them as token
    """

    __slots__ = ("_opener", "_origin", "_timeout", "_token", "_url")

    def __init__(self, url: str, *, token: Secret | None = None, timeout: float = 5.0) -> None:
        self._url = _checked_url(url)
        parts = urlsplit(self._url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        if token is not None and not isinstance(token, Secret):
            raise DomainError(f"token must be a Secret, got {type(token).__name__}")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise DomainError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        self._token = token
        self._timeout = float(timeout)
        self._opener = urllib.request.build_opener(_NoRedirects())

    @property
    def origin(self) -> str:
        """Scheme, host and port of the endpoint: what messages may show."""
        return self._origin

    def publish(self, alerts: Sequence[Alert]) -> None:
        """POST *alerts*; return when the endpoint acknowledged them, else raise."""
        batch = tuple(alerts)
        if not batch:
            return
        body = batch_body(batch)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
            self._url, data=body, method="POST", headers=self._headers(batch)
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as answer:
                answer.read(_MAX_ANSWER)
        except urllib.error.HTTPError as error:
            refusal = self._refusal(error.code, error.reason)
            if error.fp is not None:
                error.close()  # the answer's connection
            raise refusal from error
        except urllib.error.URLError as error:
            raise PublicationFailed(
                f"webhook {self._origin} unreachable: {error.reason}"
            ) from error
        except TimeoutError as error:
            raise PublicationFailed(
                f"webhook {self._origin} did not answer within {self._timeout:g} s"
            ) from error
        except (OSError, http.client.HTTPException) as error:
            raise PublicationFailed(
                f"webhook {self._origin} failed: {type(error).__name__}"
            ) from error

    def _headers(self, batch: Sequence[Alert]) -> dict[str, str]:
        ids = "\n".join(alert.incident_id for alert in batch)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "service-monitoring",
            "Idempotency-Key": hashlib.sha256(ids.encode("utf-8")).hexdigest()[:32],
        }
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _refusal(self, status: int, reason: object) -> PublicationFailed | DeliveryRejected:
        message = f"webhook {self._origin} answered HTTP {status} {str(reason)[:60]}".rstrip()
        if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
            return PublicationFailed(message)
        if 300 <= status < 400:
            return DeliveryRejected(f"{message} (redirects are not followed)")
        return DeliveryRejected(message)

    def __repr__(self) -> str:
        return f"WebhookSink({self._origin!r}, token={self._token!r}, timeout={self._timeout!r})"


def _checked_url(url: object) -> str:
    if not isinstance(url, str):
        raise DomainError(f"the webhook URL must be a string, got {type(url).__name__}")
    if _UNSAFE_URL.search(url):
        raise DomainError("the webhook URL must not contain spaces or control characters")
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
    return url
