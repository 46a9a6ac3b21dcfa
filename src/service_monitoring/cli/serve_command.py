"""Internal module: ``serve`` on the command line: signals, the first line, the summary.

:func:`~service_monitoring.cli.commands.serve` reads the options and the policy, opens
the two runtimes and hands them to :func:`serve_until_signalled`, which runs the
:class:`~service_monitoring.serve.service.MonitoringService` until SIGTERM or SIGINT.

The signal handlers only set events; the main thread waits on them and runs the
shutdown. A second signal during shutdown stops the process at once
(``os._exit(128 + signal)``) after one line on standard error that counts the accepted
samples not committed: SQLite rolls back the transaction it interrupted when the file
is next opened, so the database stays whole.

Without ``--webhook`` or ``--sink``, :class:`LineSink` is the sink, as in ``run``:

>>> import io
>>> from datetime import datetime, timezone
>>> from service_monitoring import Alert, MetricSample, ThresholdRule
>>> rule = ThresholdRule("latency", "http.latency_ms", 250, "critical")
>>> seen = MetricSample("http.latency_ms", 320, datetime(2026, 11, 21, 10, tzinfo=timezone.utc))
>>> out = io.StringIO()
>>> LineSink(out).publish([Alert.open("checkout", rule, seen)])
>>> out.getvalue().split()[1:3]
['critical', 'checkout/latency']
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Final, TextIO

from ..domain.errors import PublicationFailed
from ..domain.values import Alert
from ..serve.service import MonitoringService
from ..serve.settings import ServeSettings
from .render import OutputFailed, alert_line, print_line

__all__ = ["EXIT_STORE_AT_EXIT", "LineSink", "serve_until_signalled"]

#: The exit code when the last cycle could not commit every accepted sample.
EXIT_STORE_AT_EXIT: Final = 4

_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)
_POLL: Final = 0.2


class LineSink:
    """A sink that prints each incident as one line on *out* (standard output for ``serve``)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def publish(self, alerts: Sequence[Alert]) -> None:
        """Print each alert; a failed write is a :class:`~service_monitoring.PublicationFailed`."""
        try:
            for alert in alerts:
                print_line(self._out, "  " + alert_line(alert))
        except OutputFailed as error:
            raise PublicationFailed(f"standard output: {error}") from None


def serve_until_signalled(
    service: MonitoringService,
    settings: ServeSettings,
    policy_id: str,
    *,
    out: TextIO,
    err: TextIO | None = None,
) -> int:
    """Start *service*, print where it listens, wait for a signal, shut down, print a summary.

    *service* is closed on the way out. An :class:`OSError` from listening (a port in use)
    propagates before anything was printed.
    """
    err = sys.stderr if err is None else err
    stop, force = threading.Event(), threading.Event()
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        (force if stop.is_set() else stop).set()

    previous = {signum: signal.signal(signum, on_signal) for signum in _SIGNALS}
    try:
        with service:
            service.start()
            host, port = service.address
            print_line(
                out,
                f"serve: listening on http://{host}:{port} (policy {policy_id!r}, "
                f"interval {settings.interval:g} s, queue limit {settings.queue_limit} samples)",
            )
            while not stop.wait(_POLL):
                pass
            watchdog = threading.Thread(
                target=_exit_when_forced,
                args=(force, received, service, err),
                name="serve-second-signal",
                daemon=True,
            )
            watchdog.start()
            summary = service.shutdown()
        print_line(out, summary.line())
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if summary.uncommitted:
        print_line(
            err,
            f"service-monitoring: error: {summary.uncommitted} accepted samples were not "
            f"committed: the last cycle failed ({summary.failure})",
        )
        return EXIT_STORE_AT_EXIT
    return 0


def _exit_when_forced(
    force: threading.Event, received: list[int], service: MonitoringService, err: TextIO
) -> None:
    """Wait for a second signal; then say what was not committed and stop the process."""
    force.wait()
    signum = received[-1]
    try:
        print_line(
            err,
            f"serve: stopped at once by a second signal; {service.uncommitted} accepted "
            "samples were not committed",
        )
    finally:
        os._exit(128 + signum)
