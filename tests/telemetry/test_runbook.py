"""The runbook is true: each predicted failure, drilled, shows its log event and metric,
ends the command with its exit code, and its recovery command works."""

from __future__ import annotations

import logging
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service_monitoring import (
    ConcurrencyConflict,
    DeliveryRejected,
    MetricSample,
    MonitoringRuntime,
    PayloadRejected,
    PublicationFailed,
    ServiceMonitoringError,
    StoreUnavailable,
)
from service_monitoring.cli.app import exit_code_for, main
from service_monitoring.storage import SqliteStore
from service_monitoring.telemetry.runbook import RUNBOOK, RunbookEntry
from support import sample

FAR_FUTURE = datetime(2036, 1, 1, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@dataclass
class Drill:
    """What a drill may use: the fixtures, and the command line in process."""

    probe: object
    endpoint: object
    closed_port_url: str
    policy_path: Path
    samples_path: Callable[..., Path]
    write: Callable[[str, str | bytes], Path]
    interfered_runtime: Callable[..., object]
    database: Path

    def cli(self, *argv: object) -> int:
        return main(["--log-level", "debug", *map(str, argv)], telemetry=self.probe.telemetry)

    def recover(self, entry: RunbookEntry, **values: str) -> int:
        """Run the entry's recovery command, its placeholders filled in order."""
        words = shlex.split(entry.recovery.rpartition("service-monitoring ")[2])
        filled = []
        for word in words:
            if word in values:
                filled.append(
                    values[word] if isinstance(values[word], str) else values[word].pop(0)
                )
            else:
                filled.append(word)
        return self.cli(*filled)


def sink_unreachable(drill: Drill, entry: RunbookEntry) -> int:
    code = drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(320),
        "--database", drill.database, "--webhook", drill.closed_port_url,
    )  # fmt: skip
    assert drill.recover(entry, PATH=str(drill.database), URL=drill.endpoint.url) == 0
    assert len(drill.endpoint.acknowledged) == 1
    return code


def sink_rejects(drill: Drill, entry: RunbookEntry) -> int:
    drill.endpoint.answers = [401]
    code = drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(320),
        "--database", drill.database, "--webhook", drill.endpoint.url,
    )  # fmt: skip
    assert drill.endpoint.acknowledged == []
    assert drill.recover(entry, PATH=str(drill.database), URL=drill.endpoint.url) == 0
    assert len(drill.endpoint.acknowledged) == 1
    return code


def payload_rejected(drill: Drill, entry: RunbookEntry) -> int:
    bad = drill.write("bad.json", '{"samples": [{"metric": "cpu", "value": true}]}')
    code = drill.cli(
        "run", "--policy", drill.policy_path, "--samples", bad, "--database", drill.database
    )
    assert not drill.database.exists()
    files = [str(drill.policy_path), str(drill.samples_path(320))]
    assert drill.recover(entry, FILE=files, PATH=str(drill.database)) == 0
    return code


def concurrency_conflict(drill: Drill, entry: RunbookEntry) -> int:
    runtime = drill.interfered_runtime(times=3, telemetry=drill.probe.telemetry, attempts=3)
    with pytest.raises(ConcurrencyConflict) as caught:
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    # "run the same command again": the other writer is done, the cycle goes through.
    assert runtime.run_cycle("checkout", [sample("http.latency_ms", 320)]).alerts_opened == 1
    return exit_code_for(caught.value)


def database_unreadable(drill: Drill, entry: RunbookEntry) -> int:
    assert drill.cli("run", "--policy", drill.policy_path, "--samples", drill.samples_path(1),
                     "--database", drill.database) == 0  # fmt: skip
    backup = drill.database.with_suffix(".backup")
    shutil.copy(drill.database, backup)
    drill.database.write_bytes(b"damaged" * 1000)
    code = drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(2),
        "--database", drill.database,
    )  # fmt: skip
    shutil.copy(backup, drill.database)  # "restore the file from a backup"
    assert drill.recover(entry, PATH=str(drill.database)) == 0
    return code


def poisoned_watermark(drill: Drill, entry: RunbookEntry) -> int:
    # A sample from a clock ten years ahead, taken before the boundary bounded the skew.
    assert drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(1),
        "--database", drill.database,
    ) == 0  # fmt: skip
    with MonitoringRuntime(database=drill.database) as runtime:
        runtime.run_cycle("checkout", [MetricSample("http.latency_ms", 1, FAR_FUTURE)])
    code = drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(320),
        "--database", drill.database,
    )  # fmt: skip
    with MonitoringRuntime(database=drill.database, read_only=True) as runtime:
        assert runtime.open_incidents("checkout") == ()  # the breach was skipped, silently
    values = {"PATH": str(drill.database), "ID": "checkout", "NAME": "http.latency_ms"}
    assert drill.recover(entry, **values) == 0
    assert drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(320),
        "--database", drill.database,
    ) == 0  # fmt: skip
    with MonitoringRuntime(database=drill.database, read_only=True) as runtime:
        assert len(runtime.open_incidents("checkout")) == 1
    return code


def stuck_lease(drill: Drill, entry: RunbookEntry) -> int:
    drill.cli(
        "run", "--policy", drill.policy_path, "--samples", drill.samples_path(320),
        "--database", drill.database, "--webhook", drill.closed_port_url,
    )  # fmt: skip
    now = datetime.now(UTC)
    with SqliteStore(drill.database) as store:  # a deliverer that died mid-batch
        assert len(store.claim_pending(10, owner="dead", now=now, until=now + LEASE)) == 1
    code = drill.cli("deliver", "--database", drill.database, "--webhook", drill.endpoint.url)
    assert drill.endpoint.acknowledged == []
    with SqliteStore(drill.database) as store:  # ... and its lease ran out
        store.claim_pending(10, owner="dead", now=now, until=now - LEASE)
    assert drill.recover(entry, PATH=str(drill.database), URL=drill.endpoint.url) == 0
    assert len(drill.endpoint.acknowledged) == 1
    return code


#: Each entry's drill, by the error it raises (None: silent) and the log event that shows it.
DRILLS: dict[
    tuple[type[ServiceMonitoringError] | None, str], Callable[[Drill, RunbookEntry], int]
] = {
    (PublicationFailed, "delivery.failed"): sink_unreachable,
    (DeliveryRejected, "delivery.failed"): sink_rejects,
    (PayloadRejected, "payload.rejected"): payload_rejected,
    (ConcurrencyConflict, "policy.conflict"): concurrency_conflict,
    (StoreUnavailable, "store.unavailable"): database_unreadable,
    (None, "cycle.completed"): poisoned_watermark,
    (None, "delivery.leased"): stuck_lease,
}


def test_every_runbook_entry_has_a_drill() -> None:
    assert {(entry.error, entry.log_event) for entry in RUNBOOK} == set(DRILLS)
    assert all(entry.recovery and entry.failure for entry in RUNBOOK)


@pytest.mark.parametrize("entry", RUNBOOK, ids=lambda entry: entry.log_event)
def test_the_drill_shows_the_documented_event_metric_and_exit_code(
    entry: RunbookEntry,
    caplog: pytest.LogCaptureFixture,
    probe,
    endpoint,
    closed_port_url,
    policy_path,
    samples_path,
    write,
    interfered_runtime,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG, logger="service_monitoring")
    drill = Drill(
        probe, endpoint, closed_port_url, policy_path, samples_path, write, interfered_runtime,
        tmp_path / "monitoring.db",
    )  # fmt: skip
    code = DRILLS[entry.error, entry.log_event](drill, entry)
    assert code == entry.exit_code
    events = {getattr(record, "event", None) for record in caplog.records}
    assert entry.log_event in events
    assert probe.total(entry.metric) >= 1
    if entry.error is not None:
        named = entry.error.__name__
        failures = [r for r in caplog.records if getattr(r, "error_type", None) == named]
        assert failures, f"no record names {named}"
