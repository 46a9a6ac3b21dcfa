"""The runbook is true: each predicted failure, drilled, shows its log event and metric,
ends the command with its exit code, and its recovery command works."""

from __future__ import annotations

import io
import logging
import shlex
import shutil
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from serve_support import wait_until
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
from service_monitoring.cli.serve_command import serve_until_signalled
from service_monitoring.serve.service import MonitoringService
from service_monitoring.serve.settings import ServeSettings
from service_monitoring.storage import SqliteStore
from service_monitoring.telemetry.runbook import RUNBOOK, RunbookEntry
from support import sample

RELEASE_1_1 = Path(__file__).parents[1] / "fixtures" / "release-1.1.db"

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


def database_of_an_older_release(drill: Drill, entry: RunbookEntry) -> int:
    shutil.copy(RELEASE_1_1, drill.database)
    deliver = ("deliver", "--database", drill.database, "--webhook", drill.endpoint.url)
    code = drill.cli(*deliver)
    assert drill.endpoint.acknowledged == []
    assert drill.cli("incidents", "--database", drill.database) == 0  # reads without migrating
    assert drill.recover(entry, PATH=str(drill.database)) == 0
    assert drill.cli(*deliver) == 0
    assert len(drill.endpoint.acknowledged) == 2  # the two incidents the old file kept pending
    return code


def serve_once(
    drill: Drill, samples: Sequence[MetricSample], before_stop: Callable[[], None]
) -> tuple[int, str]:
    """Run serve in this process, offer *samples*, call *before_stop*, then send SIGTERM."""
    settings = ServeSettings(interval=3600)
    telemetry = drill.probe.telemetry
    service = MonitoringService(
        settings, "checkout",
        cycles=MonitoringRuntime(database=drill.database, telemetry=telemetry),
        deliveries=MonitoringRuntime(database=drill.database, telemetry=telemetry),
        telemetry=telemetry,
    )  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    main_thread = threading.main_thread().ident
    assert main_thread is not None

    def offer_then_signal() -> None:
        wait_until(lambda: "listening" in out.getvalue(), "the listening line")
        assert service.offer(samples).accepted
        before_stop()
        signal.pthread_kill(main_thread, signal.SIGTERM)

    feeder = threading.Thread(target=offer_then_signal)
    feeder.start()
    code = serve_until_signalled(service, settings, "checkout", out=out, err=err)
    feeder.join()
    return code, err.getvalue()


def serve_cannot_commit(drill: Drill, entry: RunbookEntry) -> int:
    assert drill.cli("run", "--policy", drill.policy_path, "--samples", drill.samples_path(1),
                     "--database", drill.database) == 0  # fmt: skip
    backup = drill.database.with_suffix(".backup")
    shutil.copy(drill.database, backup)
    breach = [sample("http.latency_ms", 320, minutes=5)]
    code, err = serve_once(drill, breach, lambda: drill.database.write_bytes(b"damaged" * 1000))
    assert "1 accepted samples were not committed: the last cycle failed (StoreUnavailable" in err
    shutil.copy(backup, drill.database)  # "restore the file", then the samples are sent again
    assert serve_once(drill, breach, lambda: None) == (0, "")
    with MonitoringRuntime(database=drill.database, read_only=True) as runtime:
        assert len(runtime.open_incidents("checkout")) == 1
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


#: Each entry's drill, in the runbook's order, with the error it raises (None: silent).
DRILLS: tuple[
    tuple[type[ServiceMonitoringError] | None, Callable[[Drill, RunbookEntry], int]], ...
] = (
    (PublicationFailed, sink_unreachable),
    (DeliveryRejected, sink_rejects),
    (PayloadRejected, payload_rejected),
    (ConcurrencyConflict, concurrency_conflict),
    (StoreUnavailable, database_unreadable),
    (StoreUnavailable, database_of_an_older_release),
    (StoreUnavailable, serve_cannot_commit),
    (None, poisoned_watermark),
    (None, stuck_lease),
)


def test_every_runbook_entry_has_a_drill() -> None:
    assert [entry.error for entry in RUNBOOK] == [error for error, _ in DRILLS]
    assert all(entry.recovery and entry.failure for entry in RUNBOOK)


@pytest.mark.parametrize(
    ("entry", "drill_of"),
    [(entry, drill) for entry, (_, drill) in zip(RUNBOOK, DRILLS, strict=True)],
    ids=[drill.__name__ for _, drill in DRILLS],
)
def test_the_drill_shows_the_documented_event_metric_and_exit_code(
    entry: RunbookEntry,
    drill_of: Callable[[Drill, RunbookEntry], int],
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
    code = drill_of(drill, entry)
    assert code == entry.exit_code
    events = {getattr(record, "event", None) for record in caplog.records}
    assert entry.log_event in events
    assert probe.total(entry.metric) >= 1
    if entry.error is not None:
        named = entry.error.__name__
        failures = [r for r in caplog.records if getattr(r, "error_type", None) == named]
        assert failures, f"no record names {named}"
