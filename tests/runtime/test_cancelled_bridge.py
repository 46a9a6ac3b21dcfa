"""Cancelling the task that awaits a bridged cycle does not stop the cycle's thread."""

from __future__ import annotations

import asyncio

import pytest

from service_monitoring import (
    STANDARD_MODES,
    MonitoringPolicy,
    MonitoringRuntime,
    ThresholdRule,
)
from support import HeldMode, sample

WAIT = 30.0


def test_a_cancelled_to_thread_cycle_still_commits_and_a_rerun_opens_nothing() -> None:
    held = HeldMode()
    modes = STANDARD_MODES.extended(held)
    policy = MonitoringPolicy("checkout", modes=modes)
    policy.add_rule(ThresholdRule("latency", "http.latency_ms", 250, "critical", mode="held"))
    policy.activate_rule("latency")
    samples = [sample("http.latency_ms", 320)]
    with MonitoringRuntime(modes=modes) as runtime:
        runtime.register_policy(policy)

        async def cancel_mid_cycle() -> None:
            task = asyncio.create_task(asyncio.to_thread(runtime.run_cycle, "checkout", samples))
            assert await asyncio.to_thread(held.entered.wait, WAIT)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            held.release.set()

        asyncio.run(cancel_mid_cycle())  # waits for the default executor's threads
        assert [alert.rule_id for alert in runtime.open_incidents("checkout")] == ["latency"]
        assert runtime.run_cycle("checkout", samples).alerts_opened == 0
