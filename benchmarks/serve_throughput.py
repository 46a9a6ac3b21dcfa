"""Samples per second through a real ``service-monitoring serve`` process, next to ``run_cycle``.

Part of ``tox -e bench`` (``benchmarks/capstone.py`` prints the figure). The same batches of
500 samples go two ways: as JSON over HTTP (loopback, keep-alive, a few client threads) into
a ``serve`` subprocess, and as already-decoded samples straight into ``run_cycle`` on a
SQLite file in this process. The first figure is samples accepted per second, as the
clients see them; the second is samples committed per second. Their ratio is what the HTTP
layer, the decoding and the queue cost on top of the cycle itself, on the same machine.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service_monitoring import MetricSample, MonitoringPolicy, MonitoringRuntime, ThresholdRule

BATCH = 500
METRICS = 250
CLIENTS = 4
REQUESTS = 40  # per client and round: 160 batches, 80,000 samples a round
START = datetime.now(UTC) - timedelta(days=1)
_LISTENING = re.compile(r"^serve: listening on http://127\.0\.0\.1:(\d+) ")


def policy() -> MonitoringPolicy:
    """One active threshold rule per metric."""
    built = MonitoringPolicy("bench")
    for m in range(METRICS):
        built.add_rule(ThresholdRule(f"rule-{m:05d}", f"svc{m:05d}.latency_ms", 250.0, "critical"))
        built.activate_rule(f"rule-{m:05d}")
    return built


def policy_toml() -> str:
    rules = "".join(
        f'\n[[rules]]\nrule_id = "rule-{m:05d}"\nmetric = "svc{m:05d}.latency_ms"\n'
        'threshold = 250\nseverity = "critical"\n'
        for m in range(METRICS)
    )
    return 'id = "bench"\n' + rules


def batches(count: int) -> list[list[MetricSample]]:
    """*count* batches of BATCH samples, each newer than the last (none skipped at a watermark)."""
    return [
        [
            MetricSample(
                f"svc{i % METRICS:05d}.latency_ms",
                100.0 + (i * 7919) % 100 + (200.0 if i % 499 == 0 else 0.0),
                START + timedelta(seconds=index, microseconds=i),
            )
            for i in range(BATCH)
        ]
        for index in range(count)
    ]


def payload(samples: list[MetricSample]) -> bytes:
    document = [
        {"metric": s.metric, "value": s.value, "observed_at": s.observed_at.isoformat()}
        for s in samples
    ]
    return json.dumps({"samples": document}).encode()


def run_cycle_rate(work: list[list[MetricSample]], folder: Path) -> float:
    """Samples per second of run_cycle(deliver=False), one batch per cycle, on a SQLite file."""
    with MonitoringRuntime(database=folder / "direct.db") as runtime:
        runtime.register_policy(policy())
        runtime.run_cycle("bench", work[0], deliver=False)  # warm-up
        start = time.perf_counter()
        for samples in work[1:]:
            runtime.run_cycle("bench", samples, deliver=False)
        seconds = time.perf_counter() - start
    return (len(work) - 1) * BATCH / seconds


class Server:
    """A ``serve`` subprocess on port 0; its output is read on a thread so it never blocks."""

    def __init__(self, folder: Path) -> None:
        (folder / "bench.toml").write_text(policy_toml(), encoding="utf-8")
        command = [
            sys.executable, "-m", "service_monitoring", "--no-plugins", "serve",
            "--policy", str(folder / "bench.toml"), "--database", str(folder / "serve.db"),
            "--port", "0", "--interval", "0.2", "--queue-limit", "1000000",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.lines.get(timeout=60)
        match = _LISTENING.match(first)
        if match is None:
            raise RuntimeError(f"serve did not start: {first!r}")
        self.port = int(match[1])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def post_all(self, bodies: list[bytes]) -> int:
        """POST each body on one keep-alive connection; return the samples accepted."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        accepted = 0
        try:
            for body in bodies:
                connection.request("POST", "/samples", body=body)
                response = connection.getresponse()
                document = json.loads(response.read())
                if response.status != 202:
                    raise RuntimeError(f"serve answered {response.status}: {document}")
                accepted += int(document["accepted"])
        finally:
            connection.close()
        return accepted

    def stop(self) -> str:
        """SIGTERM, then the summary line."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        last = ""
        while not self.lines.empty():
            last = self.lines.get()
        return last


def serve_rate(rounds: list[list[bytes]], server: Server) -> float:
    """Best samples per second accepted over one round of CLIENTS threads posting at once."""
    best = 0.0
    counts: queue.Queue[int] = queue.Queue()

    def client(share: list[bytes]) -> None:
        counts.put(server.post_all(share))

    for bodies in rounds:
        threads = [
            threading.Thread(target=client, args=(bodies[k::CLIENTS],)) for k in range(CLIENTS)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        best = max(best, sum(counts.get() for _ in threads) / seconds)
    return best


def measure(repeats: int) -> tuple[float, float, str]:
    """(serve samples/s, run_cycle samples/s, serve's summary line); about 10-30 s in all."""
    rounds = max(2, min(repeats, 4))
    per_round = CLIENTS * REQUESTS
    work = batches(per_round * (rounds + 1))
    with tempfile.TemporaryDirectory() as folder:
        direct = run_cycle_rate(work[:per_round], Path(folder))
        bodies = [payload(samples) for samples in work]
        server = Server(Path(folder))
        try:
            server.post_all(bodies[:per_round])  # warm-up round, untimed
            timed = [bodies[per_round * (r + 1) : per_round * (r + 2)] for r in range(rounds)]
            through_http = serve_rate(timed, server)
        finally:
            summary = server.stop()
    return through_http, direct, summary


if __name__ == "__main__":
    served, direct, line = measure(3)
    print(f"serve {served:,.0f} samples/s; run_cycle {direct:,.0f} samples/s\n{line}")
