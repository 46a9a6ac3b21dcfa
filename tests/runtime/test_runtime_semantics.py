"""The runtime's promises, each proven against both stores: commit then publish, idempotent
cycles, local rollback, no lost updates, per-policy read models, durability, time."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from service_monitoring import (
    Alert,
    CollectingIncidentSink,
    DeliveryPolicy,
    DomainError,
    MonitoringPolicy,
    MonitoringRuntime,
    PolicyNotFound,
    PublicationFailed,
    RuleState,
    StoreUnavailable,
    ThresholdRule,
)
from support import T0, at, latency_policy, sample

NO_WAIT = DeliveryPolicy(attempts=2, first_delay=0)


class FlakySink:
    """Fails while ``down`` is true; remembers every batch it acknowledged."""

    def __init__(self) -> None:
        self.down = False
        self.acknowledged: list[tuple[Alert, ...]] = []
        self.offers = 0

    def publish(self, alerts: Sequence[Alert]) -> None:
        self.offers += 1
        if self.down:
            raise ConnectionRefusedError("sink unreachable")
        self.acknowledged.append(tuple(alerts))

    @property
    def ids(self) -> list[str]:
        return [alert.incident_id for batch in self.acknowledged for alert in batch]


def runtime_for(database: Path | None, sink: object = None, **options: object) -> MonitoringRuntime:
    options.setdefault("delivery", NO_WAIT)
    return MonitoringRuntime(database=database, sink=sink, **options)  # type: ignore[arg-type]


def test_incidents_are_committed_before_the_sink_sees_them(database: Path | None) -> None:
    observed: list[tuple[str, ...]] = []

    class CheckingSink:
        def publish(self, alerts: Sequence[Alert]) -> None:
            # At publication time the incidents must already be committed and readable.
            observed.append(tuple(a.incident_id for a in runtime.open_incidents("checkout")))

    with runtime_for(database, CheckingSink()) as runtime:
        runtime.register_policy(latency_policy())
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
    assert observed == [tuple(alert.incident_id for alert in report.alerts)]


def test_a_failing_sink_leaves_incidents_pending_and_tells_the_caller(
    database: Path | None,
) -> None:
    sink = FlakySink()
    sink.down = True
    with runtime_for(database, sink) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed, match="after 2 attempt") as failure:
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        report = failure.value.report
        assert report is not None and report.alerts_opened == 1
        assert failure.value.pending == 1
        [pending] = runtime.pending_deliveries()
        assert pending.attempts == 2
        assert runtime.open_incidents("checkout") == (pending.alert,)
        sink.down = False
        assert runtime.deliver_pending() == 1
        assert sink.ids == [pending.alert.incident_id]
        assert runtime.pending_deliveries() == ()
        assert runtime.deliver_pending() == 0


def test_the_next_cycle_delivers_the_backlog_first(database: Path | None) -> None:
    sink = FlakySink()
    with runtime_for(database, sink) as runtime:
        runtime.register_policy(latency_policy())
        runtime.register_policy(latency_policy("billing"))
        sink.down = True
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        sink.down = False
        report = runtime.run_cycle("billing", [sample("http.latency_ms", 400)])
        assert report.alerts_published == 2
        assert [alert.policy_id for alert in sink.acknowledged[0]] == ["checkout"]
        assert [alert.policy_id for alert in sink.acknowledged[1]] == ["billing"]
        assert report.pending_deliveries == 0


def test_a_cycle_with_the_sink_still_down_commits_and_keeps_everything_pending(
    database: Path | None,
) -> None:
    sink = FlakySink()
    sink.down = True
    with runtime_for(database, sink) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300, 0)])
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 100, 1)])  # recovers
        with pytest.raises(PublicationFailed) as third:
            runtime.run_cycle("checkout", [sample("http.latency_ms", 500, 2)])  # breaches again
        assert third.value.pending == 2
        sink.down = False
        assert runtime.deliver_pending() == 2
        assert len(set(sink.ids)) == 2


def test_delivery_is_at_least_once_with_stable_ids(database: Path | None) -> None:
    """A sink that received a batch but did not acknowledge it gets the same ids again."""
    received: list[str] = []

    class LosesAcks:
        fail_next = True

        def publish(self, alerts: Sequence[Alert]) -> None:
            received.extend(alert.incident_id for alert in alerts)
            if self.fail_next:
                self.fail_next = False
                raise TimeoutError("acknowledgement lost")

    with runtime_for(database, LosesAcks(), delivery=DeliveryPolicy(attempts=1)) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        runtime.deliver_pending()
        runtime.deliver_pending()
    assert len(received) == 2 and received[0] == received[1]


def test_retries_inside_one_delivery_wait_and_then_succeed(database: Path | None) -> None:
    sink = FlakySink()
    sleeps: list[float] = []

    class Recovering(FlakySink):
        def publish(self, alerts: Sequence[Alert]) -> None:
            self.down = self.offers < 2
            super().publish(alerts)

    sink = Recovering()
    policy = DeliveryPolicy(attempts=3, first_delay=0.5, backoff=2)
    with MonitoringRuntime(
        database=database, sink=sink, delivery=policy, sleep=sleeps.append
    ) as runtime:
        runtime.register_policy(latency_policy())
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
    assert report.alerts_published == 1
    assert sleeps == [0.5, 1.0]
    assert sink.offers == 3 and len(sink.ids) == 1


def test_a_repeated_cycle_opens_and_publishes_nothing_new(database: Path | None) -> None:
    sink = CollectingIncidentSink()
    batch = [sample("http.latency_ms", 300, 0), sample("http.latency_ms", 320, 1)]
    with runtime_for(database, sink) as runtime:
        runtime.register_policy(latency_policy())
        first = runtime.run_cycle("checkout", batch)
        again = runtime.run_cycle("checkout", batch)
        assert (first.alerts_opened, first.alerts_published) == (1, 1)
        assert (again.alerts_opened, again.alerts_published) == (0, 0)
        assert again.open_incident_count == 1
        assert len(sink.alerts) == 1


def test_retiring_the_rule_closes_its_incident(database: Path | None) -> None:
    with runtime_for(database) as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        runtime.retire_rule("checkout", "latency", "replaced by an SLO alert")
        assert runtime.open_incidents("checkout") == ()
        assert runtime.active_rules("checkout") == ()
        assert runtime.policy("checkout").rule_state("latency") is RuleState.RETIRED


def test_read_models_are_per_policy_even_when_rule_ids_repeat(database: Path | None) -> None:
    with runtime_for(database) as runtime:
        runtime.register_policy(latency_policy("checkout"))
        runtime.register_policy(latency_policy("search"))
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        assert len(runtime.open_incidents("checkout")) == 1
        assert runtime.open_incidents("search") == ()
        runtime.run_cycle("search", [sample("http.latency_ms", 100)])
        assert len(runtime.open_incidents("checkout")) == 1
        runtime.retire_rule("search", "latency", "search has its own SLO")
        assert len(runtime.open_incidents("checkout")) == 1
        assert runtime.active_rules("checkout") == ("latency",)


def test_read_models_rebuild_from_events_to_the_same_answer(database: Path | None) -> None:
    with runtime_for(database) as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 300, 0)])
        runtime.run_cycle("checkout", [sample("http.latency_ms", 100, 1)])
        runtime.run_cycle("checkout", [sample("http.latency_ms", 301, 2)])
        before = (runtime.open_incidents("checkout"), runtime.active_rules("checkout"))
        runtime.rebuild_read_models("checkout")
        assert (runtime.open_incidents("checkout"), runtime.active_rules("checkout")) == before


def test_concurrent_writers_lose_no_update(database: Path | None) -> None:
    policy = MonitoringPolicy("busy")
    for index in range(8):
        policy.add_rule(ThresholdRule(f"r{index}", f"m{index}", 1, "warning"))
    with runtime_for(database, conflict_attempts=50) as runtime:
        runtime.register_policy(policy)
        start = threading.Barrier(8)
        errors: list[BaseException] = []

        def activate(index: int) -> None:
            try:
                start.wait()
                runtime.activate_rule("busy", f"r{index}")
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=activate, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(runtime.active_rules("busy")) == 8


def test_sqlite_state_survives_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "durable.db"
    sink = FlakySink()
    sink.down = True
    with runtime_for(path, sink) as runtime:
        runtime.register_policy(latency_policy())
        runtime.register_policy(latency_policy("draft-only", active=False))
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
    sink.down = False
    with runtime_for(path, sink) as reopened:
        assert reopened.policy_ids() == ("checkout", "draft-only")
        assert reopened.policy("draft-only").rule_state("latency") is RuleState.DRAFT
        [incident] = reopened.open_incidents("checkout")
        assert [entry.alert for entry in reopened.pending_deliveries()] == [incident]
        assert reopened.deliver_pending() == 1
        # the watermark survived too: the old sample is not evaluated again
        assert reopened.run_cycle("checkout", [sample("http.latency_ms", 300)]).alerts_opened == 0
    assert sink.ids == [incident.incident_id]


def test_a_clock_that_returns_naive_times_is_refused(database: Path | None) -> None:
    naive_clock = lambda: datetime(2026, 1, 1)  # noqa: E731
    with (
        runtime_for(database, FlakySink(), clock=naive_clock) as naive,
        pytest.raises(DomainError, match=r"clock\(\) must be timezone-aware"),
    ):
        naive.register_policy(latency_policy("other"))


def test_pending_entries_carry_the_clock_time(database: Path | None) -> None:
    sink = FlakySink()
    sink.down = True
    with runtime_for(database, sink, clock=lambda: at(90)) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        [pending] = runtime.pending_deliveries()
        assert pending.enqueued_at == at(90)
        assert pending.alert.observed_at == T0


def test_unknown_policies_and_bad_arguments_are_reported(database: Path | None) -> None:
    with runtime_for(database) as runtime:
        with pytest.raises(PolicyNotFound):
            runtime.run_cycle("ghost", [])
        with pytest.raises(PolicyNotFound):
            runtime.open_incidents("ghost")
        with pytest.raises(DomainError, match="register_policy takes a MonitoringPolicy"):
            runtime.register_policy("checkout")  # type: ignore[arg-type]
        runtime.register_policy(latency_policy())
        with pytest.raises(DomainError, match="samples must be an iterable"):
            runtime.run_cycle("checkout", 5)  # type: ignore[arg-type]
        with pytest.raises(DomainError):
            runtime.run_cycle("checkout", [("http.latency_ms", 300)])  # type: ignore[list-item]
    with pytest.raises(DomainError, match="sink must have a publish"):
        MonitoringRuntime(sink=object())  # type: ignore[arg-type]


def test_the_runtime_owns_and_closes_its_resources(tmp_path: Path) -> None:
    closed: list[str] = []

    class ClosingSink(CollectingIncidentSink):
        def close(self) -> None:
            closed.append("sink")

    with MonitoringRuntime(database=tmp_path / "owned.db", sink=ClosingSink()) as runtime:
        runtime.register_policy(latency_policy())
    assert runtime.closed and closed == ["sink"]
    runtime.close()  # closing twice is harmless
    assert closed == ["sink"]
    with pytest.raises(StoreUnavailable, match="the runtime is closed"):
        runtime.open_incidents("checkout")
    # refused at `with`: the block of a closed runtime never runs
    with pytest.raises(StoreUnavailable, match="the runtime is closed"), runtime:
        raise AssertionError("entered a closed runtime")


def test_a_policy_with_modes_the_runtime_does_not_know_is_refused() -> None:
    from service_monitoring import STANDARD_MODES

    class Below:
        name = "below"

        def check_rule(self, rule: ThresholdRule) -> None:
            pass

        def evaluate(self, rule, recent, samples):  # type: ignore[no-untyped-def]
            raise AssertionError("never evaluated")

    policy = MonitoringPolicy("disk", modes=STANDARD_MODES.extended(Below()))
    policy.add_rule(ThresholdRule("low", "disk", 0.1, "critical", mode="below"))
    with (
        MonitoringRuntime() as runtime,
        pytest.raises(DomainError, match="unknown evaluation mode 'below'"),
    ):
        runtime.register_policy(policy)


@pytest.mark.parametrize("bad", [42, None, ["checkout"]])
def test_non_string_policy_ids_are_domain_errors_in_both_stores(
    database: Path | None, bad: object
) -> None:
    with runtime_for(database) as runtime:
        runtime.register_policy(latency_policy())
        for call in (runtime.open_incidents, runtime.policy, runtime.rebuild_read_models):
            with pytest.raises(DomainError, match="expected a string id"):
                call(bad)  # type: ignore[operator]


def test_a_policy_registered_after_its_events_were_collected_has_a_full_read_model(
    database: Path | None,
) -> None:
    policy = latency_policy()
    policy.add_rule(ThresholdRule("errors", "http.errors", 5, "warning"))
    policy.retire_rule("errors", "noisy")
    policy.evaluate([sample("http.latency_ms", 300)])
    policy.collect_events()  # the caller drained them before registering
    with runtime_for(database) as runtime:
        runtime.register_policy(policy)
        assert runtime.active_rules("checkout") == ("latency",)
        [incident] = runtime.open_incidents("checkout")
        assert [entry.alert for entry in runtime.pending_deliveries()] == [incident]
        runtime.rebuild_read_models("checkout")
        assert runtime.active_rules("checkout") == ("latency",)
        assert runtime.open_incidents("checkout") == (incident,)


def test_evaluation_progress_without_events_is_saved(database: Path | None) -> None:
    """A consecutive run spanning quiet cycles: the kept samples and watermark must persist."""
    policy = MonitoringPolicy("errors")
    policy.add_rule(ThresholdRule("burst", "err", 0.05, "warning", window=3, mode="consecutive"))
    policy.activate_rule("burst")
    with runtime_for(database) as runtime:
        runtime.register_policy(policy)
        quiet = runtime.run_cycle("errors", [sample("err", 0.07, 0), sample("err", 0.08, 1)])
        assert quiet.alerts_opened == 0
        assert len(runtime.policy("errors").recent_samples("burst")) == 2
        assert runtime.policy("errors").last_evaluated("err") == at(1)
        third = runtime.run_cycle("errors", [sample("err", 0.09, 2)])
        assert third.alerts_opened == 1
        # and a retry of the quiet cycle is still recognised as already evaluated
        assert runtime.run_cycle("errors", [sample("err", 0.07, 0)]).alerts_opened == 0


def test_a_failure_in_a_later_batch_still_counts_the_batches_delivered(
    database: Path | None,
) -> None:
    offers: list[int] = []

    class FailsSecondBatch:
        def publish(self, alerts: Sequence[Alert]) -> None:
            offers.append(len(alerts))
            if len(offers) == 2:
                raise ConnectionResetError("dropped")

    policy = MonitoringPolicy("wide")
    for index in range(5):
        policy.add_rule(ThresholdRule(f"r{index}", f"m{index}", 1, "warning"))
        policy.activate_rule(f"r{index}")
    delivery = DeliveryPolicy(attempts=1, batch_size=2)
    with runtime_for(database, FailsSecondBatch(), delivery=delivery) as runtime:
        runtime.register_policy(policy)
        with pytest.raises(PublicationFailed) as failure:
            runtime.run_cycle("wide", [sample(f"m{index}", 5) for index in range(5)])
        assert failure.value.delivered == 2
        assert failure.value.pending == 3
        report = failure.value.report
        assert report is not None and report.alerts_published == 2


def test_a_cycle_for_an_unknown_policy_leaves_the_backlog_alone(database: Path | None) -> None:
    sink = FlakySink()
    sink.down = True
    with runtime_for(database, sink) as runtime:
        runtime.register_policy(latency_policy())
        with pytest.raises(PublicationFailed):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 300)])
        offers = sink.offers
        with pytest.raises(PolicyNotFound):
            runtime.run_cycle("ghost", [])
        assert sink.offers == offers


def test_a_sleep_that_is_not_callable_is_refused() -> None:
    with pytest.raises(DomainError, match="sleep must be callable, got int"):
        MonitoringRuntime(sleep=1)  # type: ignore[arg-type]
