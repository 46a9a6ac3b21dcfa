"""Rebuilding a read model while another writer commits: the view never loses a commit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from service_monitoring import MonitoringRuntime
from service_monitoring.storage import PolicyView
from support import latency_policy, sample


def test_a_cycle_committed_during_a_rebuild_is_not_hidden_from_the_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process commits while the rebuild is between reading the log and writing.

    The rebuild waits (up to a second) for that commit inside its projection step. When
    the rebuild holds the database for the whole read-project-write, the other writer
    waits instead and commits afterwards, so its incident stays in the view.
    """
    path = tmp_path / "monitoring.db"
    with MonitoringRuntime(database=path) as setup:
        setup.register_policy(latency_policy())
    rebuild = PolicyView.rebuild
    committed = threading.Event()

    def other_writer() -> None:
        with MonitoringRuntime(database=path) as other:
            other.run_cycle("checkout", [sample("http.latency_ms", 900)])
        committed.set()

    def rebuild_while_another_writer_commits(
        cls: type[PolicyView], policy_id: str, events: object
    ) -> PolicyView:
        writer = threading.Thread(target=other_writer)
        writer.start()
        committed.wait(timeout=1.0)  # the commit lands now, unless the rebuild holds the lock
        return rebuild(policy_id, events)  # type: ignore[arg-type]

    with MonitoringRuntime(database=path) as runtime:
        monkeypatch.setattr(
            PolicyView, "rebuild", classmethod(rebuild_while_another_writer_commits)
        )
        runtime.rebuild_read_models("checkout")
        monkeypatch.undo()
        assert committed.wait(timeout=10)
        assert len(runtime.open_incidents("checkout")) == 1
        runtime.rebuild_read_models("checkout")
        assert len(runtime.open_incidents("checkout")) == 1
