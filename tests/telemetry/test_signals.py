"""Logs, metrics and spans: one record per cycle, each failure logged once, where it is handled."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from opentelemetry.trace import StatusCode

from service_monitoring import (
    ConcurrencyConflict,
    DeliveryPolicy,
    DomainError,
    MonitoringRuntime,
    PayloadRejected,
    PublicationFailed,
    StoreUnavailable,
    Telemetry,
)
from service_monitoring.cli.logfmt import LogfmtFormatter
from support import latency_policy, sample


def events(caplog: pytest.LogCaptureFixture, name: str | None = None) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name.startswith("service_monitoring")
        and (name is None or getattr(record, "event", None) == name)
    ]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="service_monitoring")
    return caplog


class FailingSink:
    def __init__(self) -> None:
        self.calls = 0

    def publish(self, alerts: Sequence[object]) -> None:
        self.calls += 1
        raise PublicationFailed("endpoint down")


# -- the library installs no handler -------------------------------------------------------


def test_the_package_logger_has_only_a_null_handler() -> None:
    handlers = logging.getLogger("service_monitoring").handlers
    assert handlers
    assert all(isinstance(handler, logging.NullHandler) for handler in handlers)


# -- cycles --------------------------------------------------------------------------------


def test_each_cycle_logs_one_record_with_its_figures(logs, probe) -> None:
    with MonitoringRuntime(telemetry=probe.telemetry) as runtime:
        runtime.register_policy(latency_policy())
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320, 0), sample("cpu", 1, 0)])
        runtime.run_cycle("checkout", [sample("http.latency_ms", 100, 1)])
    first, second = events(logs, "cycle.completed")
    assert (first.policy_id, first.samples, first.alerts_opened) == ("checkout", 2, 1)
    assert (second.samples, second.alerts_opened, second.outcome) == (1, 0, "completed")
    assert first.levelno == logging.INFO
    assert first.duration_ms >= 0
    assert [r.event for r in events(logs)] == ["cycle.completed", "cycle.completed"]


def test_cycles_are_counted_timed_and_traced(probe) -> None:
    with MonitoringRuntime(telemetry=probe.telemetry) as runtime:
        runtime.register_policy(latency_policy())
        runtime.register_policy(latency_policy("billing"))
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
        runtime.run_cycle("billing", [sample("http.latency_ms", 100)])
    assert probe.total("service_monitoring.cycles", outcome="completed") == 2
    assert probe.total("service_monitoring.cycle.duration") == 2
    assert probe.total("service_monitoring.alerts.opened") == 1
    spans = probe.spans()
    assert [span.name for span in spans] == ["service_monitoring.cycle"] * 2
    assert [span.attributes["service_monitoring.policy_id"] for span in spans] == [
        "checkout",
        "billing",
    ]
    assert spans[0].attributes["service_monitoring.alerts_opened"] == 1


def test_a_cycle_of_an_unknown_policy_is_one_failure_record(logs, probe) -> None:
    with MonitoringRuntime(telemetry=probe.telemetry) as runtime, pytest.raises(LookupError):
        runtime.run_cycle("nope", [])
    (record,) = events(logs)
    assert (record.event, record.error_type, record.levelno) == (
        "cycle.failed",
        "PolicyNotFound",
        logging.ERROR,
    )
    assert probe.total("service_monitoring.cycles", outcome="failed") == 1
    (span,) = probe.spans()
    assert span.status.status_code is StatusCode.ERROR


# -- delivery failures ---------------------------------------------------------------------


def test_a_delivery_failure_is_logged_once_where_the_runtime_gives_up(logs, probe) -> None:
    sink = FailingSink()
    runtime = MonitoringRuntime(
        sink=sink, telemetry=probe.telemetry, delivery=DeliveryPolicy(attempts=3), sleep=id
    )
    runtime.register_policy(latency_policy())
    with runtime, pytest.raises(PublicationFailed):
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    assert [r.event for r in events(logs)] == [
        "delivery.retrying",
        "delivery.retrying",
        "delivery.failed",
        "cycle.completed",
    ]
    (failed,) = [r for r in events(logs) if r.levelno >= logging.ERROR]
    assert (failed.error_type, failed.attempts, failed.pending) == ("PublicationFailed", 3, 1)
    assert events(logs, "cycle.completed")[0].outcome == "undelivered"
    assert probe.total("service_monitoring.publication.failures") == 1
    assert probe.total("service_monitoring.delivery.retries") == 2
    assert probe.total("service_monitoring.cycles", outcome="undelivered") == 1


# -- conflicts -----------------------------------------------------------------------------


def test_a_conflict_is_logged_at_the_retry_and_the_cycle_succeeds(
    logs, probe, interfered_runtime
) -> None:
    with interfered_runtime(times=1, telemetry=probe.telemetry) as runtime:
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    assert report.alerts_opened == 1
    (conflict,) = events(logs, "policy.conflict")
    assert (conflict.levelno, conflict.attempt) == (logging.WARNING, 1)
    assert [r.event for r in events(logs)] == ["policy.conflict", "cycle.completed"]
    assert probe.total("service_monitoring.conflicts") == 1


def test_conflicts_that_exhaust_the_retries_fail_the_cycle_once(
    logs, probe, interfered_runtime
) -> None:
    with (
        interfered_runtime(times=5, telemetry=probe.telemetry, attempts=2) as runtime,
        pytest.raises(ConcurrencyConflict),
    ):
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    retry, failure = events(logs)
    assert (retry.event, retry.levelno) == ("policy.conflict", logging.WARNING)
    assert (failure.event, failure.levelno, failure.outcome) == (
        "policy.conflict",
        logging.ERROR,
        "failed",
    )
    assert probe.total("service_monitoring.conflicts") == 2


# -- the store -----------------------------------------------------------------------------


def test_a_store_that_cannot_be_opened_is_logged_and_counted(logs, probe, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable):
        MonitoringRuntime(database=garbage, telemetry=probe.telemetry)
    (record,) = events(logs)
    assert (record.event, record.operation) == ("store.unavailable", "open")
    assert probe.total("service_monitoring.store.errors", operation="open") == 1


def test_a_store_that_breaks_during_a_cycle_fails_the_cycle_once(logs, probe, tmp_path) -> None:
    path = tmp_path / "monitoring.db"
    with MonitoringRuntime(database=path, telemetry=probe.telemetry) as runtime:
        runtime.register_policy(latency_policy())
        with sqlite3.connect(path) as other:
            other.execute("DROP TABLE outbox")
        other.close()
        with pytest.raises(StoreUnavailable):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    (record,) = events(logs)
    assert (record.event, record.policy_id, record.levelno) == (
        "store.unavailable",
        "checkout",
        logging.ERROR,
    )
    assert probe.total("service_monitoring.store.errors", operation="cycle") == 1


# -- the boundary --------------------------------------------------------------------------


def test_a_rejected_payload_is_logged_without_its_contents(logs, probe) -> None:
    error = PayloadRejected("samples[0].metric", "got 'PRIVATE-CONTENT'")
    probe.telemetry.payload_rejected(error, source="upload.json")
    (record,) = events(logs, "payload.rejected")
    assert (record.position, record.source) == ("samples[0].metric", "upload.json")
    assert "PRIVATE-CONTENT" not in logs.text
    assert probe.total("service_monitoring.payloads.rejected") == 1


# -- construction and formatting -----------------------------------------------------------


def test_telemetry_checks_its_providers() -> None:
    with pytest.raises(DomainError, match="MeterProvider"):
        Telemetry(meter_provider="console")  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="TracerProvider"):
        Telemetry(tracer_provider=object())  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="telemetry must be a Telemetry"):
        MonitoringRuntime(telemetry=object())  # type: ignore[arg-type]


def test_the_default_telemetry_works_without_an_sdk() -> None:
    with MonitoringRuntime() as runtime:
        runtime.register_policy(latency_policy())
        assert runtime.run_cycle("checkout", [sample("http.latency_ms", 320)]).alerts_opened == 1


def test_the_logfmt_formatter_quotes_what_needs_quoting() -> None:
    record = logging.LogRecord("service_monitoring.x", logging.ERROR, "", 0, "a %s", ("b",), None)
    record.event, record.reason, record.empty, record.created = "e.x", 'say "hi"', "", 0
    line = LogfmtFormatter().format(record)
    assert line == (
        'time=1970-01-01T00:00:00Z level=ERROR logger=service_monitoring.x event=e.x msg="a b" '
        'reason="say \\"hi\\"" empty=""'
    )
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert LogfmtFormatter().format(record).endswith(" exc_type=ValueError")
