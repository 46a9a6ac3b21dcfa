"""Work cut short at shutdown: accepted samples are committed, or counted as not committed."""

from __future__ import annotations

import io
import signal
import threading

from serve_support import wait_until
from service_monitoring import (
    STANDARD_MODES,
    MonitoringPolicy,
    MonitoringRuntime,
    ThresholdRule,
)
from service_monitoring.cli.serve_command import EXIT_STORE_AT_EXIT, serve_until_signalled
from service_monitoring.serve.service import MonitoringService
from service_monitoring.serve.settings import ServeSettings
from support import Exploding, sample


def broken_service(settings: ServeSettings) -> MonitoringService:
    modes = STANDARD_MODES.extended(Exploding())
    policy = MonitoringPolicy("checkout", modes=modes)
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical", mode="exploding"))
    policy.activate_rule("latency")
    cycles = MonitoringRuntime(modes=modes)
    cycles.register_policy(policy)
    deliveries = MonitoringRuntime(modes=modes)
    return MonitoringService(settings, "checkout", cycles=cycles, deliveries=deliveries)


def test_a_last_cycle_that_fails_leaves_its_samples_counted_as_uncommitted() -> None:
    with broken_service(ServeSettings(interval=3600)) as service:
        service.start()
        offered = [sample("http.latency_ms", 320), sample("http.latency_ms", 330, minutes=1)]
        assert service.offer(offered).accepted
        summary = service.shutdown()
    assert (summary.accepted, summary.committed, summary.cycles) == (2, 0, 0)
    assert summary.uncommitted == 2
    assert summary.failure == "RuntimeError: a bug in a plug-in mode"
    assert summary.line().startswith("serve: stopped; 2 samples accepted, 0 committed")


def test_serve_exits_with_the_store_code_and_names_the_uncommitted_samples() -> None:
    settings = ServeSettings(interval=3600)
    service = broken_service(settings)
    out, err = io.StringIO(), io.StringIO()
    main = threading.main_thread().ident
    assert main is not None

    def offer_then_signal() -> None:
        wait_until(lambda: "listening" in out.getvalue(), "the listening line")
        assert service.offer([sample("http.latency_ms", 320)]).accepted
        signal.pthread_kill(main, signal.SIGTERM)

    helper = threading.Thread(target=offer_then_signal)
    helper.start()
    code = serve_until_signalled(service, settings, "checkout", out=out, err=err)
    helper.join()
    assert code == EXIT_STORE_AT_EXIT == 4
    assert "1 sample accepted, 0 committed" in out.getvalue()
    assert err.getvalue() == (
        "service-monitoring: error: 1 accepted samples were not committed: "
        "the last cycle failed (RuntimeError: a bug in a plug-in mode)\n"
    )
