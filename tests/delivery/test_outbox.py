"""The outbox delivery loop on its own: it reports what happened and never raises for a sink."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from service_monitoring import (
    Alert,
    CollectingIncidentSink,
    DeliveryPolicy,
    DeliveryRejected,
    DomainError,
    PublicationFailed,
    Telemetry,
)
from service_monitoring.delivery.outbox import DeliveryOutcome, OutboxDelivery
from service_monitoring.storage import InMemoryStore, InMemoryUnitOfWork
from support import latency_policy, sample


def store_with_pending(incidents: int) -> InMemoryStore:
    """A store whose outbox holds *incidents* entries (one policy per incident)."""
    store = InMemoryStore()
    for number in range(incidents):
        policy = latency_policy(f"p{number}")
        policy.evaluate([sample("http.latency_ms", 300)])
        with InMemoryUnitOfWork(store) as uow:
            uow.policies.add(policy)
            uow.commit()
    return store


class FailingSink:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.calls += 1
        raise self.error


def outbox(
    store: InMemoryStore, sink: object, sleeps: list[float], **policy: int
) -> OutboxDelivery:
    return OutboxDelivery(
        store,
        sink,  # type: ignore[arg-type]
        DeliveryPolicy(**policy),
        telemetry=Telemetry(),
        sleep=sleeps.append,
    )


def test_a_drain_delivers_everything_pending_in_batches_and_empties_the_outbox() -> None:
    store, sink, sleeps = store_with_pending(5), CollectingIncidentSink(), []
    assert outbox(store, sink, sleeps, batch_size=2).drain() == DeliveryOutcome(5)
    assert [len(batch) for batch in sink.batches] == [2, 2, 1]
    assert store.pending_count() == 0
    assert sleeps == []


def test_a_sink_that_keeps_failing_is_reported_not_raised_and_nothing_leaves_the_outbox() -> None:
    store, sleeps = store_with_pending(2), []
    down = FailingSink(ConnectionError("refused"))
    outcome = outbox(store, down, sleeps, attempts=3).drain()
    assert outcome.delivered == 0
    assert outcome.failure is not None
    assert outcome.failure.kind is PublicationFailed
    assert outcome.failure.message == (
        "the sink did not take 2 incident(s) after 3 attempt(s): ConnectionError"
    )
    assert isinstance(outcome.failure.cause, ConnectionError)
    assert (down.calls, len(sleeps)) == (3, 2)
    assert store.pending_count() == 2
    assert [entry.attempts for entry in store.pending_deliveries(2)] == [3, 3]


def test_a_rejected_batch_is_not_retried() -> None:
    store, sleeps = store_with_pending(1), []
    refusing = FailingSink(DeliveryRejected("HTTP 401"))
    outcome = outbox(store, refusing, sleeps, attempts=5).drain()
    assert outcome.failure is not None and outcome.failure.kind is DeliveryRejected
    assert (refusing.calls, sleeps) == (1, [])


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0, True, "1"])
@pytest.mark.parametrize("field", ["first_delay", "backoff"])
def test_a_delivery_policy_refuses_delays_that_are_not_finite_and_positive(
    field: str, value: object
) -> None:
    with pytest.raises(DomainError, match=f"{field} must be a finite number >= 0"):
        DeliveryPolicy(**{field: value})  # type: ignore[arg-type]


class AskingSink:
    """Fails with a Retry-After the first *failures* times, then takes the batch."""

    def __init__(self, retry_after: float, failures: int = 1) -> None:
        self.retry_after = retry_after
        self.failures = failures
        self.calls = 0

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise PublicationFailed("HTTP 429 Too Many Requests", retry_after=self.retry_after)


def test_a_retry_after_within_the_maximum_is_honoured() -> None:
    store, sleeps = store_with_pending(1), []
    sink = AskingSink(retry_after=7.5)
    assert outbox(store, sink, sleeps, attempts=3).drain() == DeliveryOutcome(1)
    assert sleeps == [7.5]  # not the policy's 0.05 s
    assert sink.calls == 2


def test_a_shorter_retry_after_never_shortens_the_policys_own_pause() -> None:
    store, sleeps = store_with_pending(1), []
    outbox(store, AskingSink(retry_after=0.001), sleeps, attempts=2).drain()
    assert sleeps == [0.05]


def test_a_retry_after_beyond_the_maximum_leaves_the_batch_pending_without_waiting() -> None:
    store, sleeps = store_with_pending(2), []
    sink = AskingSink(retry_after=120)
    outcome = outbox(store, sink, sleeps, attempts=5).drain()
    assert (sink.calls, sleeps, outcome.delivered) == (1, [], 0)
    assert outcome.failure is not None and outcome.failure.kind is PublicationFailed
    assert "asked to wait 120 s before the next try, more than 60 s" in outcome.failure.message
    assert store.pending_count() == 2


@pytest.mark.parametrize("field", ["max_retry_after", "lease_seconds"])
def test_the_retry_after_cap_and_the_lease_are_finite_seconds(field: str) -> None:
    with pytest.raises(DomainError, match=f"{field} must be a finite number >= 0"):
        DeliveryPolicy(**{field: math.inf})  # type: ignore[arg-type]
