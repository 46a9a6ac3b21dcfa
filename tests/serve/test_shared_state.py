"""Who owns what in ``serve``: runtimes confined to their threads, readers served from snapshots.

The endpoints read what the cycle and delivery threads last published (under the service's
and the worker's locks); they never wait for a cycle and never touch a database.
"""

from __future__ import annotations

import threading
from pathlib import Path

from serve_support import wait_until
from service_monitoring import (
    STANDARD_MODES,
    MonitoringPolicy,
    MonitoringRuntime,
    ThresholdRule,
)
from service_monitoring.serve.service import MonitoringService
from service_monitoring.serve.settings import ServeSettings
from support import HeldMode, latency_policy, sample

WAIT = 30.0


def test_health_answers_while_a_cycle_is_inside_the_runtime(tmp_path: Path) -> None:
    mode = HeldMode()
    modes = STANDARD_MODES.extended(mode)
    policy = MonitoringPolicy("checkout", modes=modes)
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical", mode="held"))
    policy.activate_rule("latency")
    database = tmp_path / "serve.db"
    cycles = MonitoringRuntime(database=database, modes=modes)
    cycles.register_policy(policy)
    deliveries = MonitoringRuntime(database=database, modes=modes)
    settings = ServeSettings(interval=0.05)
    with MonitoringService(settings, "checkout", cycles=cycles, deliveries=deliveries) as service:
        service.start()
        try:
            assert service.offer([sample("http.latency_ms", 320)]).accepted
            assert mode.entered.wait(WAIT), "no cycle started"
            # The cycle thread is inside run_cycle: the readers do not wait for it.
            health = service.health()
            assert (health["status"], health["queue_depth"]) == ("ok", 0)
            assert service.uncommitted == 1
            assert service.offer([sample("http.latency_ms", 330, minutes=1)]).accepted
        finally:
            mode.release.set()
        wait_until(lambda: service.uncommitted == 0, "the held cycle to commit")
        summary = service.shutdown()
    assert (summary.accepted, summary.committed) == (2, 2)


def test_the_endpoints_answer_from_published_state_after_the_runtimes_closed(
    tmp_path: Path,
) -> None:
    database = tmp_path / "serve.db"
    cycles = MonitoringRuntime(database=database)
    cycles.register_policy(latency_policy())
    deliveries = MonitoringRuntime(database=database)
    service = MonitoringService(
        ServeSettings(interval=60), "checkout", cycles=cycles, deliveries=deliveries
    )
    with service:
        service.start()
        assert service.offer([sample("http.latency_ms", 320)]).accepted
        summary = service.shutdown()  # the last cycle commits it; the worker delivers it
    assert cycles.closed and deliveries.closed
    assert (summary.committed, summary.delivered, summary.pending) == (1, 1, 0)
    incidents = service.incidents()
    assert [alert["rule_id"] for alert in incidents["open_incidents"]] == ["latency"]  # type: ignore[attr-defined]
    assert incidents["pending"] == []
    assert service.health()["status"] == "stopping"


def test_a_runtime_opened_on_one_thread_runs_a_cycle_on_another(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with MonitoringRuntime(database=tmp_path / "handed.db") as runtime:
        runtime.register_policy(latency_policy())

        def cycle() -> None:
            try:
                runtime.run_cycle("checkout", [sample("http.latency_ms", 320)], deliver=False)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        worker = threading.Thread(target=cycle)
        worker.start()
        worker.join(timeout=WAIT)
        assert errors == []
        assert [alert.rule_id for alert in runtime.open_incidents("checkout")] == ["latency"]
