"""Fixtures of the serve tests: the probe policy file and a factory of ``serve`` processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from serve_support import TIMEOUT, ServeFactory, ServeProcess, probe_policy


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "probes.toml"
    path.write_text(probe_policy(), encoding="utf-8")
    return path


@pytest.fixture
def serve(tmp_path: Path, policy_file: Path) -> Iterator[ServeFactory]:
    """``serve(*options)`` starts ``python -m service_monitoring serve`` on port 0."""
    started: list[ServeProcess] = []

    def start(*options: str, database: Path | None = None) -> ServeProcess:
        path = tmp_path / "serve.db" if database is None else database
        command = [
            sys.executable, "-m", "service_monitoring", "--no-plugins", "serve",
            "--policy", str(policy_file), "--database", str(path), "--port", "0", *options,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("SERVICE_MONITORING_TOKEN", None)
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        server = ServeProcess(process, path)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=TIMEOUT)
        for stream in (server.process.stdout, server.process.stderr):
            if stream is not None:
                stream.close()
