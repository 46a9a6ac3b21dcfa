"""The error hierarchy: one root, domain errors, boundary errors.

Internal module: import these names from :mod:`service_monitoring`.

Two families answer two different questions a caller asks after a failure:

* :class:`DomainError` -- *the request broke a rule of the model*. Retrying the
  same call cannot succeed; the caller must change what it asks for.
* :class:`BoundaryError` -- *the world outside the model failed or disagreed*
  (storage, another writer, the sink, untrusted input). Each subclass says
  whether a retry can help.

>>> from service_monitoring import DomainError, PublicationFailed, ServiceMonitoringError
>>> issubclass(DomainError, ServiceMonitoringError)
True
>>> PublicationFailed("sink down", pending=3).retryable
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # reports.py imports values.py, which imports this module
    from .reports import CycleReport

__all__ = [
    "BoundaryError",
    "ConcurrencyConflict",
    "DeliveryError",
    "DeliveryRejected",
    "DomainError",
    "InvalidTransition",
    "NotADatabase",
    "PayloadRejected",
    "PolicyNotFound",
    "PublicationFailed",
    "ServiceMonitoringError",
    "StoreUnavailable",
    "UnknownRule",
]


class ServiceMonitoringError(Exception):
    """Root of every error the public API raises on purpose.

    Catch this to handle anything the package reports; an exception of any
    other type escaping the public API is a bug.
    """

    #: Whether repeating the same call, unchanged, can succeed.
    retryable: bool = False


class DomainError(ServiceMonitoringError, ValueError):
    """A request that breaks an invariant of the model.

    Also a :class:`ValueError`, because every domain error is a bad value
    or a bad request; never retryable.

    >>> from service_monitoring import MetricSample
    >>> from datetime import datetime
    >>> MetricSample("cpu", 0.5, datetime(2026, 1, 1))  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: observed_at must be timezone-aware, got a
    naive datetime
    """


class UnknownRule(DomainError, LookupError):
    """The policy has no rule with the given id."""


class InvalidTransition(DomainError):
    """A lifecycle move the rule's current state does not allow."""


class BoundaryError(ServiceMonitoringError):
    """A failure of something outside the model: storage, peers, input, sinks."""


class PolicyNotFound(BoundaryError, LookupError):
    """The store holds no policy with the given id."""


class ConcurrencyConflict(BoundaryError):
    """Another unit of work committed the same policy first (optimistic check).

    Retryable: reload the policy and apply the change again.
    """

    retryable = True


class DeliveryError(BoundaryError):
    """The sink did not acknowledge a batch; the incidents stay pending in the outbox.

    The error is built once, where the failure is handled, with every fact known:
    ``pending`` is how many incidents wait for delivery after the failure;
    ``delivered`` how many the same call delivered before it failed;
    ``report`` is the cycle's committed result when
    :meth:`~service_monitoring.MonitoringRuntime.run_cycle` raised it (else ``None``);
    ``retry_after`` how many seconds the sink asked the sender to wait before the next
    try (an HTTP ``Retry-After``; only a :class:`PublicationFailed` carries one).
    """

    def __init__(
        self,
        message: str,
        *,
        pending: int = 0,
        delivered: int = 0,
        report: CycleReport | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        #: How many incidents wait for delivery after the failure.
        self.pending = pending
        #: How many the same call delivered before it failed.
        self.delivered = delivered
        #: The cycle's committed result, when a cycle raised the error.
        self.report = report
        #: Seconds the sink asked to wait before the next try, or ``None``.
        self.retry_after = retry_after


class PublicationFailed(DeliveryError):
    """The sink could not take delivery now (down, timed out, 5xx): a later try may succeed.

    >>> PublicationFailed("HTTP 429", retry_after=30.0).retry_after
    30.0
    """

    retryable = True


class DeliveryRejected(DeliveryError):
    """The sink refused the batch itself (for example HTTP 4xx): retrying as-is cannot help."""


class StoreUnavailable(BoundaryError):
    """The store cannot be read or written (locked, unreadable, not a database)."""

    retryable = True


class NotADatabase(StoreUnavailable):
    """The path names no database of this package: missing, empty, or another application's.

    Nothing was created or changed. Retrying cannot help; point at the right file.
    """

    retryable = False


class PayloadRejected(BoundaryError):
    """Untrusted input was refused; the message names the position and the reason.

    ``position`` is a path into the payload such as ``samples[3].value``
    (empty for the payload as a whole).
    """

    def __init__(self, position: str, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"{position}: {reason}" if position else reason)
