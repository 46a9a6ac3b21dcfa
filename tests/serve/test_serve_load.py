"""``serve`` under load: the queue stays bounded, nothing accepted is lost, memory stays flat.

Eight client threads post batches over keep-alive connections for several rounds while a
watcher polls ``/healthz``. The test asserts no rate and no duration, only counts and a
generous bound on the growth of the server's resident memory between rounds.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field

from serve_support import ServeFactory, ServeProcess, batch, rss_kib, summary

CLIENTS = 8
REQUESTS = 40  # per client and round
ROUNDS = 4
BATCH = 50
LIMIT = 1_000
MIB_KIB = 1024


@dataclass
class Tally:
    accepted: int = 0
    refused: int = 0
    other: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(server: ServeProcess, tally: Tally, payload: bytes) -> None:
    connection = server.connection()
    try:
        for _ in range(REQUESTS):
            answer = server.post(payload, connection)
            with tally.lock:
                if answer.status == 202:
                    tally.accepted += int(answer.document["accepted"])  # type: ignore[call-overload]
                elif answer.status == 429:
                    tally.refused += 1
                else:
                    tally.other.append(answer.status)
    finally:
        connection.close()


def test_the_queue_stays_bounded_and_every_accepted_sample_is_committed(
    serve: ServeFactory,
) -> None:
    # A cycle a second: the clients fill the queue between cycles, so backpressure engages.
    server = serve("--queue-limit", str(LIMIT), "--interval", "1")
    payload = batch(extra=BATCH)
    tally = Tally()
    depths: list[int] = []
    watching = threading.Event()

    def watch() -> None:
        while not watching.wait(0.01):
            document = server.get("/healthz").document
            depths.append(int(document["queue_depth"]))  # type: ignore[call-overload]

    watcher = threading.Thread(target=watch)
    watcher.start()
    memory: list[int] = []
    try:
        for _ in range(ROUNDS):
            clients = [
                threading.Thread(target=client, args=(server, tally, payload))
                for _ in range(CLIENTS)
            ]
            for thread in clients:
                thread.start()
            for thread in clients:
                thread.join(timeout=120)
            memory.append(rss_kib(server.pid))
    finally:
        watching.set()
        watcher.join(timeout=60)

    assert tally.other == []
    assert depths and max(depths) <= LIMIT
    assert tally.refused > 0  # the queue filled between cycles and said so (429)
    # The first round warms up (imports, thread stacks, caches); later rounds add nothing lasting.
    assert memory[-1] - memory[0] < 20 * MIB_KIB, memory

    server.signal(signal.SIGTERM)
    code, lines, err = server.finish()
    assert (code, err) == (0, "")
    counts = summary(lines)
    assert counts["accepted"] == tally.accepted == counts["committed"]
    assert counts["refused"] == tally.refused
    assert tally.accepted + tally.refused * BATCH == CLIENTS * REQUESTS * ROUNDS * BATCH
