"""The cycle schedule on a fake monotonic clock: deadlines on a grid, no overlap, no pile-up."""

from __future__ import annotations

import itertools

import pytest

from service_monitoring import DomainError
from service_monitoring.serve.schedule import Schedule


class FakeTime:
    """A monotonic clock that moves only when told to; waiting moves it by the timeout."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def drive(schedule: Schedule, clock: FakeTime, durations: list[float]) -> list[tuple[float, float]]:
    """Run one cycle per duration (each advances the clock); return (start, end) of each."""
    runs: list[tuple[float, float]] = []
    pending = iter(durations)

    def wait(seconds: float) -> bool:
        clock.waits.append(seconds)
        if len(runs) == len(durations):
            return True  # stop: every planned cycle ran
        clock.advance(seconds)
        return False

    def cycle() -> None:
        start = clock()
        clock.advance(next(pending))
        runs.append((start, clock()))

    schedule.run(cycle, wait)
    return runs


def test_the_first_deadline_is_one_interval_after_creation() -> None:
    clock = FakeTime(100.0)
    schedule = Schedule(2.0, clock=clock)
    assert schedule.deadline == 102.0
    assert schedule.seconds_left() == 2.0


def test_cycles_start_on_a_fixed_grid_whatever_each_one_takes() -> None:
    clock = FakeTime(0.0)
    runs = drive(Schedule(1.0, clock=clock), clock, [0.3, 0.9, 0.0, 0.5])
    assert [start for start, _ in runs] == [1.0, 2.0, 3.0, 4.0]


def test_a_slow_cycle_delays_the_next_which_then_starts_at_once() -> None:
    clock = FakeTime(0.0)
    runs = drive(Schedule(1.0, clock=clock), clock, [1.5, 0.1, 0.1])
    # due at 1.0, ran until 2.5: the cycle due at 2.0 starts at 2.5, the next one at 3.0.
    assert [start for start, _ in runs] == [1.0, 2.5, 3.0]


def test_cycles_never_overlap() -> None:
    clock = FakeTime(0.0)
    runs = drive(Schedule(0.5, clock=clock), clock, [1.7, 0.2, 2.0, 0.1, 0.6])
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(runs))


def test_missed_ticks_are_skipped_not_queued() -> None:
    clock = FakeTime(0.0)
    schedule = Schedule(1.0, clock=clock)
    runs = drive(schedule, clock, [4.2, 0.1, 0.1])
    # Ticks 2, 3 and 4 passed during the first cycle: one late cycle at 5.2, then 6.0.
    assert [start for start, _ in runs] == [1.0, 5.2, 6.0]
    assert schedule.skipped == 3


def test_cycle_done_returns_the_ticks_it_skipped() -> None:
    clock = FakeTime(0.0)
    schedule = Schedule(1.0, clock=clock)
    clock.advance(1.0)
    assert schedule.cycle_done() == 0
    assert schedule.deadline == 2.0
    clock.advance(3.5)  # the cycle due at 2.0 ran until 4.5: 3.0 is skipped, 4.0 is due at once
    assert schedule.cycle_done() == 1
    assert (schedule.deadline, schedule.seconds_left()) == (4.0, 0.0)


def test_a_stop_request_wins_over_a_cycle_that_is_due() -> None:
    clock = FakeTime(0.0)
    schedule = Schedule(1.0, clock=clock)
    clock.advance(5.0)  # a cycle is overdue, but stop was asked for
    ran: list[float] = []
    schedule.run(lambda: ran.append(clock()), lambda seconds: True)
    assert ran == []


def test_waits_ask_for_the_time_left_until_the_deadline() -> None:
    clock = FakeTime(0.0)
    drive(Schedule(1.0, clock=clock), clock, [0.25, 0.25])
    assert clock.waits == [1.0, 0.75, 0.75]


@pytest.mark.parametrize("interval", [0, -1, float("nan"), float("inf"), True, "1"])
def test_an_interval_that_is_not_a_positive_number_is_refused(interval: object) -> None:
    with pytest.raises(DomainError, match="interval must be"):
        Schedule(interval)  # type: ignore[arg-type]
