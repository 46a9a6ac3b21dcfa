"""What can be rebuilt from the event log, and what cannot (Module 06, snapshots and rebuilds)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service_monitoring import MetricSample, MonitoringPolicy, MonitoringRuntime, ThresholdRule
from service_monitoring.storage import InMemoryStore, SqliteStore, StoreUnitOfWork

AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _runtime(path: Path) -> MonitoringRuntime:
    runtime = MonitoringRuntime(database=path, clock=lambda: AT)
    policy = MonitoringPolicy("checkout")
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical"))
    runtime.register_policy(policy)
    runtime.activate_rule("checkout", "latency")
    runtime.run_cycle("checkout", [MetricSample("http.latency_ms", 320, AT)])
    return runtime


def test_a_quiet_cycle_moves_the_snapshot_and_leaves_the_log_alone(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with _runtime(path) as runtime:
        later = AT + timedelta(minutes=1)
        with SqliteStore(path, read_only=True) as reader:
            before = reader.event_log("checkout")
        runtime.run_cycle("checkout", [MetricSample("http.latency_ms", 300, later)])
        with SqliteStore(path, read_only=True) as reader:
            assert reader.event_log("checkout") == before
        assert runtime.policy("checkout").last_evaluated("http.latency_ms") == later


def test_a_lost_view_is_restored_from_the_log(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with _runtime(path) as runtime:
        expected = runtime.open_incidents("checkout"), runtime.active_rules("checkout")
        raw = sqlite3.connect(path)
        with raw:
            raw.execute("DELETE FROM policy_views WHERE policy_id = 'checkout'")
        raw.close()
        assert (runtime.open_incidents("checkout"), runtime.active_rules("checkout")) == ((), ())
        runtime.rebuild_read_models("checkout")
        assert (runtime.open_incidents("checkout"), runtime.active_rules("checkout")) == expected


def test_a_delivered_incident_stays_in_the_log_and_leaves_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.db"
    with _runtime(path) as runtime:
        assert runtime.pending_count() == 0
        with SqliteStore(path, read_only=True) as reader:
            names = [type(event).__name__ for event in reader.event_log("checkout")]
        assert names.count("IncidentOpened") == 1


def test_the_log_of_a_registered_policy_starts_with_its_founding_events() -> None:
    store = InMemoryStore()
    legacy = MonitoringPolicy("legacy")
    legacy.add_rule(ThresholdRule("cpu", "cpu.utilisation", 0.9, "warning"))
    legacy.retire_rule("cpu", "replaced by the latency rule")
    with StoreUnitOfWork(store) as uow:
        uow.policies.add(legacy)
        uow.commit()
    reasons = [getattr(event, "reason", None) for event in store.event_log("legacy")]
    assert reasons == [None, "retired before registration"]
