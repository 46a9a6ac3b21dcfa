"""Helpers for the serve tests: a real ``serve`` process, and a policy made for counting.

The policy has one rule per probe metric (``probe.00`` ... ``probe.59``, threshold 0):
a batch that carries ``probe.NN`` opens that rule's incident, so the incidents found in
the database afterwards name exactly the batches that were committed.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service_monitoring import MonitoringRuntime

PROBES = 60
STARTED = re.compile(r"^serve: listening on http://127\.0\.0\.1:(\d+) \(")
#: Generous: a loaded two-core CI machine may be slow, never this slow.
TIMEOUT = 60.0


def probe_policy() -> str:
    rules = "".join(
        f'\n[[rules]]\nrule_id = "probe-{n:02d}"\nmetric = "probe.{n:02d}"\n'
        'threshold = 0\nseverity = "warning"\n'
        for n in range(PROBES)
    )
    return 'id = "probes"\n' + rules


def batch(*probes: int, extra: int = 0, metric: str = "load.value") -> bytes:
    """A payload with one breaching sample per probe, then *extra* samples of *metric*."""
    base = datetime.now(UTC) - timedelta(hours=1)
    samples = [
        {"metric": f"probe.{n:02d}", "value": 1, "observed_at": (base).isoformat()} for n in probes
    ]
    samples += [
        {
            "metric": metric,
            "value": 0.5,
            "observed_at": (base + timedelta(microseconds=i)).isoformat(),
        }
        for i in range(extra)
    ]
    return json.dumps({"samples": samples}).encode()


def wait_until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Poll *condition* until it is true; fail naming *what* after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Answer:
    status: int
    document: dict[str, object]
    headers: Mapping[str, str]


@dataclass
class ServeProcess:
    """One ``serve`` subprocess: its port, its output lines, requests, signals."""

    process: subprocess.Popen[str]
    database: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    stdout: list[str] = field(default_factory=list)
    port: int = 0
    reader: threading.Thread | None = None

    def start(self) -> None:
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        first = self.next_line()
        match = STARTED.match(first)
        assert match, f"unexpected first line: {first!r}"
        self.port = int(match[1])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self) -> str:
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            self.process.kill()
            pytest.fail(f"serve printed nothing; stderr: {self.process.communicate()[1]}")
        self.stdout.append(line)
        return line

    @property
    def pid(self) -> int:
        return self.process.pid

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        connection: http.client.HTTPConnection | None = None,
    ) -> Answer:
        own = connection is None
        link = self.connection() if connection is None else connection
        try:
            link.request(method, path, body=body)
            response = link.getresponse()
            document = json.loads(response.read())
            return Answer(response.status, document, dict(response.getheaders()))
        finally:
            if own:
                link.close()

    def post(self, body: bytes, connection: http.client.HTTPConnection | None = None) -> Answer:
        return self.request("POST", "/samples", body, connection)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT).close()
        except (ConnectionRefusedError, ConnectionResetError):  # reset: closed as it connected
            return False
        return True

    def signal(self, signum: int = signal.SIGTERM) -> None:
        self.process.send_signal(signum)

    def finish(self) -> tuple[int, list[str], str]:
        """Wait for the exit; return its code, every stdout line after the first, stderr."""
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail("serve did not exit")
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        if self.reader is not None:
            self.reader.join(timeout=TIMEOUT)  # it ends at the end of the output
        while not self.lines.empty():
            self.stdout.append(self.lines.get())
        return code, self.stdout[1:], err


ServeFactory = Callable[..., ServeProcess]


def integrity(database: Path) -> str:
    """SQLite's own verdict on the file."""
    connection = sqlite3.connect(database)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def rss_kib(pid: int) -> int:
    """The resident set size of process *pid*, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    assert match, "no VmRSS in /proc/PID/status"
    return int(match[1])


SUMMARY = re.compile(
    r"^serve: stopped; (\d+) samples? accepted, (\d+) committed, (\d+) refused \(429/503\), "
    r"(\d+) cycles?, (\d+) delivered, (\d+) pending"
)


def summary(lines: list[str]) -> dict[str, int]:
    [line] = [line for line in lines if line.startswith("serve: stopped")]
    match = SUMMARY.match(line)
    assert match, line
    names = ("accepted", "committed", "refused", "cycles", "delivered", "pending")
    return dict(zip(names, map(int, match.groups()), strict=True))


def committed_probes(database: Path) -> set[str]:
    """The rules whose incident is open: one per committed probe."""
    with MonitoringRuntime(database=database, read_only=True) as runtime:
        return {alert.rule_id for alert in runtime.open_incidents("probes")}
