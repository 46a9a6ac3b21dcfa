"""A watermark a wrong clock pushed into the future: skipped samples show, and it can be undone."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from service_monitoring import (
    STANDARD_MODES,
    DomainError,
    MetricSample,
    MonitoringPolicy,
    MonitoringRuntime,
    ThresholdRule,
    Verdict,
)
from support import T0, at, latency_policy, sample

FAR_FUTURE = MetricSample("http.latency_ms", 100, T0 + timedelta(days=365 * 10))


def poisoned(runtime: MonitoringRuntime) -> None:
    runtime.register_policy(latency_policy())
    runtime.run_cycle("checkout", [FAR_FUTURE])


def test_samples_behind_the_watermark_are_counted_as_skipped_not_evaluated(
    database: Path | None,
) -> None:
    with MonitoringRuntime(database=database) as runtime:
        poisoned(runtime)
        report = runtime.run_cycle(
            "checkout", [sample("http.latency_ms", 900, 1), sample("http.latency_ms", 950, 2)]
        )
        assert (report.samples_evaluated, report.samples_skipped) == (0, 2)
        assert report.alerts_opened == 0
        unwatched = runtime.run_cycle("checkout", [sample("cpu", 1, 3)])
        assert (unwatched.samples_evaluated, unwatched.samples_skipped) == (1, 0)


def test_skipped_samples_reach_the_log_record_and_the_metric(
    caplog: pytest.LogCaptureFixture, probe
) -> None:
    caplog.set_level(logging.INFO, logger="service_monitoring")
    with MonitoringRuntime(telemetry=probe.telemetry) as runtime:
        poisoned(runtime)
        runtime.run_cycle("checkout", [sample("http.latency_ms", 900, 1)] * 3)
    records = [r for r in caplog.records if getattr(r, "event", "") == "cycle.completed"]
    assert [r.samples_skipped for r in records] == [0, 3]
    assert probe.total("service_monitoring.samples.skipped") == 3


def test_an_operator_resets_a_poisoned_watermark_and_real_samples_count_again(
    database: Path | None,
) -> None:
    with MonitoringRuntime(database=database) as runtime:
        poisoned(runtime)
        runtime.reset_watermark("checkout", "http.latency_ms")
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 900, 1)])
        assert (report.samples_evaluated, report.alerts_opened) == (1, 1)
        assert runtime.policy("checkout").last_evaluated("http.latency_ms") == at(1)


def test_a_watermark_moves_back_to_a_given_moment_never_forward() -> None:
    policy = latency_policy()
    policy.evaluate([sample("http.latency_ms", 100, 10)])
    revision = policy.revision
    with pytest.raises(DomainError, match="a watermark only moves back"):
        policy.reset_watermark("http.latency_ms", to=at(11))
    assert policy.revision == revision
    policy.reset_watermark("http.latency_ms", to=at(5))
    assert policy.last_evaluated("http.latency_ms") == at(5)
    assert policy.revision == revision + 1
    assert policy.evaluate_batch([sample("http.latency_ms", 300, 4)]).skipped == 1
    assert len(policy.evaluate([sample("http.latency_ms", 300, 6)])) == 1


def test_resetting_a_metric_that_has_no_watermark_is_refused() -> None:
    with pytest.raises(DomainError, match="has no watermark for 'cpu'"):
        latency_policy().reset_watermark("cpu")


class Hoarder:
    """A third-party mode that keeps every sample it ever saw."""

    name = "hoarder"

    def check_rule(self, rule: ThresholdRule) -> None:
        pass

    def evaluate(self, rule, recent, samples):  # type: ignore[no-untyped-def]
        return Verdict(None, False, (*recent, *samples))


def test_a_mode_may_keep_no_more_samples_than_the_rules_window() -> None:
    policy = MonitoringPolicy("checkout", modes=STANDARD_MODES.extended(Hoarder()))
    policy.add_rule(ThresholdRule("greedy", "m", 1, "warning", window=3, mode="hoarder"))
    policy.activate_rule("greedy")
    policy.evaluate([sample("m", 1, minute) for minute in range(3)])
    revision = policy.revision
    with pytest.raises(DomainError, match=r"kept 4 samples .* at most the rule's window \(3\)"):
        policy.evaluate([sample("m", 1, 3)])
    assert policy.revision == revision
    assert len(policy.recent_samples("greedy")) == 3
