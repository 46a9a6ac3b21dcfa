"""Shut ``service-monitoring serve`` down while eight clients are still posting.

    tox -e bench-shutdown

A real ``serve`` process (loopback only) watches 400 probe metrics, each of which opens an
incident with its first sample, and delivers to a webhook receiver in this process. Eight
clients post 50-sample batches as fast as the server answers; after three seconds the
process gets SIGTERM. The script prints the command, the server's summary line, what the
clients were told (accepted, 429, 503, connection refused), what the database holds and
what the receiver got, then checks the promises ``serve`` makes at shutdown: exit status 0,
every sample a client was told was accepted is committed, every open incident delivered
(the drain had time), and ``PRAGMA integrity_check`` says ``ok``. Exit status 1 when one is
broken. Figures vary with the machine; the promises do not.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from service_monitoring import MonitoringRuntime

PROBES = 400
CLIENTS = 8
BATCH = 50
LOAD_SECONDS = 3.0
_LISTENING = re.compile(r"^serve: listening on http://127\.0\.0\.1:(\d+) ")
_COMMITTED = re.compile(r"(\d+) samples? accepted, (\d+) committed")


class Receiver(BaseHTTPRequestHandler):
    """A webhook that acknowledges every batch and keeps the incident ids it saw."""

    received: ClassVar[set[str]] = set()  # one receiver per run of the script
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            self.received.update(alert["incident_id"] for alert in body["alerts"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the script prints its own lines."""


class Clients:
    """Eight posting threads and what the server told them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.tally = {"accepted": 0, "429": 0, "503": 0, "connection refused": 0}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._start = datetime.now(UTC) - timedelta(hours=1)
        self._threads = [threading.Thread(target=self._post, args=(i,)) for i in range(CLIENTS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _batch(self, client: int, n: int) -> bytes:
        at = (self._start + timedelta(milliseconds=n)).isoformat()
        probe = client * (PROBES // CLIENTS) + n % (PROBES // CLIENTS)
        samples = [{"metric": f"probe.{probe:03d}", "value": 1, "observed_at": at}]
        samples += [{"metric": "load.value", "value": 0.5, "observed_at": at}] * (BATCH - 1)
        return json.dumps({"samples": samples}).encode()

    def _post(self, client: int) -> None:
        n = 0
        while not self._stop.is_set():
            body = self._batch(client, n)
            n += 1
            try:
                link = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                link.request("POST", "/samples", body=body)
                answer = link.getresponse()
                document = json.loads(answer.read())
                link.close()
            except OSError:  # the listening socket closed at shutdown
                with self._lock:
                    self.tally["connection refused"] += 1
                self._stop.wait(0.01)
                continue
            with self._lock:
                if answer.status == 202:
                    self.tally["accepted"] += document["accepted"]
                else:
                    key = str(answer.status)
                    self.tally[key] = self.tally.get(key, 0) + 1


def probes_policy(folder: Path) -> Path:
    """One rule per probe metric; threshold 0, so each probe's first sample opens an incident."""
    rules = "".join(
        f'\n[[rules]]\nrule_id = "probe-{n:03d}"\nmetric = "probe.{n:03d}"\n'
        'threshold = 0\nseverity = "warning"\n'
        for n in range(PROBES)
    )
    path = folder / "probes.toml"
    path.write_text('id = "probes"\n' + rules)
    return path


def check(ok: bool, what: str) -> bool:
    print(f"{'ok  ' if ok else 'MISS'} {what}")
    return ok


def main() -> int:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = folder / "serve.db"
        command = [
            sys.executable, "-m", "service_monitoring", "--no-plugins", "serve",
            "--policy", str(probes_policy(folder)), "--database", str(database),
            "--interval", "0.5", "--queue-limit", "2000",
            "--webhook", f"http://127.0.0.1:{receiver.server_address[1]}/hook",
        ]  # fmt: skip
        print("$ service-monitoring", " ".join(command[4:]).replace(name, "TMP"))
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        first = process.stdout.readline().rstrip()
        print(first)
        listening = _LISTENING.match(first)
        if listening is None:
            process.kill()
            print(process.communicate()[1], file=sys.stderr)
            return 1
        clients = Clients(int(listening[1]))
        clients.start()
        time.sleep(LOAD_SECONDS)
        print(f"-> SIGTERM while {CLIENTS} clients are posting")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
        clients.stop()
        print(out.strip())
        print("exit status", process.returncode, "| standard error:", repr(err))
        print("clients were told:", clients.tally)
        with MonitoringRuntime(database=database, read_only=True) as runtime:
            open_ids = {alert.incident_id for alert in runtime.open_incidents("probes")}
            pending = runtime.pending_count()
        connection = sqlite3.connect(database)
        try:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            connection.close()
    receiver.shutdown()
    received = Receiver.received
    print(f"database: {len(open_ids)} open incidents, {pending} pending, integrity {integrity}")
    print(f"webhook received {len(received)} incidents")
    summary = _COMMITTED.search(out)
    accepted, committed = (int(summary[1]), int(summary[2])) if summary else (-1, -2)
    results = [
        check(process.returncode == 0, "serve exited 0 after SIGTERM"),
        check(
            accepted == committed == clients.tally["accepted"],
            f"accepted = committed = what clients were told: {accepted}, {committed}, "
            f"{clients.tally['accepted']}",
        ),
        check(pending == 0 and open_ids <= received, "every open incident delivered"),
        check(integrity == "ok", "PRAGMA integrity_check: ok"),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
