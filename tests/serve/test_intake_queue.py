"""The bounded sample queue: a limit in samples, retry-after, closing, concurrent offers."""

from __future__ import annotations

import threading

import pytest

from service_monitoring import DomainError
from service_monitoring.serve.intake_queue import Refusal, SampleQueue


def test_the_limit_counts_samples_not_requests() -> None:
    queue: SampleQueue[int] = SampleQueue(5)
    assert queue.offer([1, 2, 3]).accepted
    assert queue.offer([4, 5]).accepted
    refused = queue.offer([6])
    assert (refused.refusal, refused.depth) == (Refusal.FULL, 5)
    assert queue.depth == 5


def test_a_batch_is_taken_whole_or_refused_whole() -> None:
    queue: SampleQueue[int] = SampleQueue(4)
    queue.offer([1, 2, 3])
    assert queue.offer([4, 5]).refusal is Refusal.FULL
    assert queue.take_all() == [1, 2, 3]


def test_a_batch_larger_than_the_whole_queue_is_too_large_not_full() -> None:
    queue: SampleQueue[int] = SampleQueue(2)
    assert queue.offer([1, 2, 3]).refusal is Refusal.TOO_LARGE
    assert queue.refused == 0  # not backpressure: retrying would never help


@pytest.mark.parametrize(("seconds", "expected"), [(0.0, 1), (0.2, 1), (1.0, 1), (2.01, 3)])
def test_retry_after_is_the_seconds_to_the_next_take_rounded_up_at_least_one(
    seconds: float, expected: int
) -> None:
    queue: SampleQueue[int] = SampleQueue(1, retry_after=lambda: seconds)
    queue.offer([1])
    assert queue.offer([2]).retry_after == expected


def test_take_all_empties_the_queue_in_arrival_order() -> None:
    queue: SampleQueue[str] = SampleQueue(10)
    queue.offer(["a", "b"])
    queue.offer(["c"])
    assert queue.take_all() == ["a", "b", "c"]
    assert (queue.depth, queue.take_all()) == (0, [])


def test_after_close_every_offer_is_refused_and_what_waits_stays() -> None:
    queue: SampleQueue[int] = SampleQueue(10)
    queue.offer([1, 2])
    queue.close()
    assert queue.offer([3]).refusal is Refusal.CLOSED
    assert queue.take_all() == [1, 2]
    assert (queue.accepted, queue.refused) == (2, 1)


def test_put_back_returns_samples_to_the_front_and_holds_off_new_offers() -> None:
    queue: SampleQueue[int] = SampleQueue(3)
    queue.offer([1, 2, 3])
    taken = queue.take_all()
    queue.offer([4, 5])
    queue.put_back(taken)  # a cycle failed: they were accepted, so they come back
    assert queue.depth == 5
    assert queue.offer([6]).refusal is Refusal.FULL
    assert queue.take_all() == [1, 2, 3, 4, 5]


def test_concurrent_offers_never_pass_the_limit_and_lose_nothing() -> None:
    queue: SampleQueue[tuple[int, int]] = SampleQueue(1_000)
    accepted: list[int] = []
    taken: list[tuple[int, int]] = []
    depths: list[int] = []
    start = threading.Barrier(9)
    lock = threading.Lock()

    def producer(index: int) -> None:
        start.wait()
        mine = 0
        for batch in range(300):
            offer = queue.offer([(index, batch)] * 7)
            depths.append(offer.depth)
            if offer.accepted:
                mine += 7
        with lock:
            accepted.append(mine)

    def consumer() -> None:
        start.wait()
        for _ in range(200):
            taken.extend(queue.take_all())

    threads = [threading.Thread(target=producer, args=(i,)) for i in range(8)]
    threads.append(threading.Thread(target=consumer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    taken.extend(queue.take_all())
    assert max(depths) <= 1_000
    assert len(taken) == sum(accepted) == queue.accepted


@pytest.mark.parametrize("limit", [0, -3, 1.5, True])
def test_a_limit_that_is_not_a_whole_number_of_at_least_one_is_refused(limit: object) -> None:
    with pytest.raises(DomainError, match="queue limit"):
        SampleQueue(limit)  # type: ignore[arg-type]
