"""The commands of ``service-monitoring``: what each one reads, opens, writes and prints.

Internal module: :mod:`service_monitoring.cli.app` parses the command line, calls one of
:func:`run`, :func:`incidents`, :func:`deliver`, :func:`reset_watermark`, :func:`list_plugins`
or :func:`demo`, and turns what it raises into an error line and an exit code. A command
raises :class:`Rejected` for input it refuses (exit code 2) and lets the package's errors
through. Each command receives the :class:`~service_monitoring.PluginReport` that ``app``
loaded (the empty one under ``--no-plugins``): every runtime and policy file uses its
modes, and ``--sink NAME`` builds one of its sinks.

Which files each command opens, and how: ``run`` reads and validates both input files
(each read up to one byte past its size limit) before it opens the database; it creates
a missing database, and looks at an existing one read-only before it writes, so another
application's file, a backlog owed to a webhook or a changed policy is refused while
nothing has been written. ``incidents`` opens the database read-only. ``deliver`` looks
read-only and opens the database for writing only when incidents are pending. A missing
or empty file is no database for ``incidents`` and ``deliver`` (SQLite would take either
for a new, empty one); a file that is not a service-monitoring database is rejected input
for all three, and the store leaves it byte-identical.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO

from ..delivery.sinks import CollectingIncidentSink, IncidentSink, close_sink
from ..delivery.webhook import WebhookSink
from ..domain.errors import (
    DeliveryError,
    DomainError,
    NotADatabase,
    PayloadRejected,
)
from ..domain.modes import ModeRegistry
from ..domain.policy import MonitoringPolicy
from ..domain.values import MetricSample, ThresholdRule
from ..intake.samples import PayloadLimits, decode_samples
from ..intake.secret import Secret
from ..plugins import PluginReport
from ..runtime import MonitoringRuntime
from ..serve.service import MonitoringService
from ..serve.settings import ServeSettings
from ..telemetry.signals import Telemetry
from .demo import run_demo
from .policy_file import MAX_POLICY_BYTES, load_policy
from .render import count, policy_line, print_cycle, print_incidents, print_line, print_plugins
from .serve_command import LineSink, serve_until_signalled

__all__ = [
    "EXIT_PLUGINS",
    "TOKEN_VARIABLE",
    "Rejected",
    "deliver",
    "demo",
    "incidents",
    "list_plugins",
    "reset_watermark",
    "run",
    "serve",
]

#: The exit code of ``plugins`` when a plugin could not be loaded.
EXIT_PLUGINS: Final = 6

#: The environment variable that holds the webhook's bearer token.
TOKEN_VARIABLE: Final = "SERVICE_MONITORING_TOKEN"  # noqa: S105 - a name, not a secret

#: An RFC 6750 bearer token (b64token), and the longest prefix of one.
_TOKEN: Final = re.compile(r"[A-Za-z0-9._~+/-]+=*")
_TOKEN_PREFIX: Final = re.compile(r"([A-Za-z0-9._~+/-]*)=*")


class Rejected(Exception):
    """Input the command refuses: printed as one line, exit code 2."""


def run(args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport) -> None:
    """``run``: evaluate ``--samples`` against ``--policy``, in memory or in ``--database``."""
    modes = plugins.modes
    policy = _read_policy(args.policy, modes)
    samples = _read_samples(args.samples, telemetry)
    webhook = _webhook(args.webhook)
    _known_sink(args.sink, plugins)
    database: Path | None = args.database
    stored = False
    if database is not None and _has_content(database):
        # Look before writing: another application's file, a backlog owed to a webhook or
        # a changed policy is refused while nothing has been written.
        with _open_database(database, telemetry, modes=modes) as reader:
            stored = _stored(reader, policy, args)
    sink: IncidentSink = (
        _plugin_sink(args.sink, plugins)
        if args.sink is not None
        else webhook or CollectingIncidentSink()
    )
    # The first line goes out before the database changes: an unwritable output stops here.
    with _closed_on_error(sink):
        print_line(out, policy_line(policy, args.policy, stored=stored))
    with MonitoringRuntime(
        database=database, sink=sink, modes=modes, telemetry=telemetry
    ) as runtime:
        if not _stored(runtime, policy, args):
            runtime.register_policy(policy)
        try:
            report = runtime.run_cycle(policy.policy_id, samples)
        except DeliveryError as error:
            if error.report is not None:
                print_cycle(out, error.report)
            raise
        # Without a webhook, standard output is the sink: list what it took.
        delivered = sink.alerts if isinstance(sink, CollectingIncidentSink) else None
        print_cycle(out, report, alerts=delivered)


def incidents(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> None:
    """``incidents``: list what is open and what is owed; the database is opened read-only."""
    with _open_database(_existing(args.database), telemetry, modes=plugins.modes) as runtime:
        alerts = [a for pid in runtime.policy_ids() for a in runtime.open_incidents(pid)]
        pending = [entry.alert.incident_id for entry in runtime.pending_deliveries()]
    print_incidents(out, alerts, pending, as_json=args.json)


def deliver(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> None:
    """``deliver``: offer the pending incidents to ``--webhook`` or ``--sink``; write only if
    any are pending (a sink plugin is started only then)."""
    webhook = _webhook(args.webhook)
    _known_sink(args.sink, plugins)
    database = _existing(args.database)
    modes = plugins.modes
    with _open_database(database, telemetry, modes=modes) as reader:
        pending = reader.pending_count()
    delivered = 0
    if pending:  # only then is there delivery state to write
        sink = _plugin_sink(args.sink, plugins) if args.sink is not None else webhook
        with _open_database(database, telemetry, sink=sink, modes=modes) as runtime:
            delivered = runtime.deliver_pending()
            pending = runtime.pending_count()
    print_line(out, f"Delivered {count(delivered, 'incident')}; {pending} pending")


def serve(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> int:
    """``serve``: take samples over HTTP and run cycles until a signal
    (:mod:`service_monitoring.cli.serve_command`).

    The policy, the database and the sink options are checked as ``run`` checks them;
    the policy is registered when the database lacks it. Two runtimes open the same
    database: one for the cycles, one (holding the sink) for delivery.
    """
    modes = plugins.modes
    policy = _read_policy(args.policy, modes)
    try:
        settings = ServeSettings(
            port=args.port,
            interval=args.interval,
            queue_limit=args.queue_limit,
            drain_seconds=args.drain_seconds,
            delivery_interval=args.delivery_interval,
        )
    except DomainError as error:
        raise Rejected(str(error)) from None
    webhook = _webhook(args.webhook)
    _known_sink(args.sink, plugins)
    database: Path = args.database
    if _has_content(database):  # look before writing, as `run` does
        with _open_database(database, telemetry, modes=modes) as reader:
            _stored(reader, policy, args)
    sink: IncidentSink = (
        _plugin_sink(args.sink, plugins) if args.sink is not None else webhook or LineSink(out)
    )
    with ExitStack() as opened:  # until the service owns them, a failure closes what is open
        # The delivery runtime takes the sink over (and closes it if it cannot open).
        deliveries = opened.enter_context(
            MonitoringRuntime(database=database, sink=sink, modes=modes, telemetry=telemetry)
        )
        cycles = opened.enter_context(
            MonitoringRuntime(database=database, modes=modes, telemetry=telemetry)
        )
        if not _stored(cycles, policy, args):
            cycles.register_policy(policy)
        service = MonitoringService(
            settings, policy.policy_id, cycles=cycles, deliveries=deliveries, telemetry=telemetry
        )
        opened.pop_all()
    try:
        return serve_until_signalled(service, settings, policy.policy_id, out=out)
    except OSError as error:  # only listening raises it: the port is taken or not allowed
        raise Rejected(
            f"--port {settings.port}: cannot listen on 127.0.0.1: "
            f"{error.strerror or type(error).__name__}"
        ) from None


def reset_watermark(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> None:
    """``reset-watermark``: move one metric's evaluation watermark back (``--to``) or forget it.

    The recovery for a watermark that a sample from a clock running ahead pushed into the
    future: until then, every real sample of the metric is skipped as already evaluated.
    """
    to = None if args.to is None else _moment(args.to, "--to")
    database = _existing(args.database)
    with _open_database(database, telemetry, write=True, modes=plugins.modes) as runtime:
        before = runtime.policy(args.policy).last_evaluated(args.metric)
        runtime.reset_watermark(args.policy, args.metric, to=to)
    where = f"policy {args.policy!r}, metric {args.metric!r}"
    was = "none" if before is None else before.isoformat()
    now = "removed" if to is None else f"moved back to {to.isoformat()}"
    print_line(out, f"Watermark of {where}: {was}, {now}")


def _moment(text: str, option: str) -> datetime:
    """An ISO 8601 timestamp with an offset, from an option; else :class:`Rejected`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Rejected(f"{option}: expected an ISO 8601 timestamp, got {text[:40]!r}") from None
    if moment.utcoffset() is None:
        raise Rejected(f"{option}: the timestamp needs an offset such as +00:00 or Z")
    return moment


def demo(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> None:
    """``demo``: the built-in scenario of :mod:`service_monitoring.cli.demo` (no plugins)."""
    run_demo(out, telemetry)


def list_plugins(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> int:
    """``plugins``: list the modes and sinks, where each comes from, and every plugin problem.

    Returns :data:`EXIT_PLUGINS` when a plugin could not be loaded, so a deployment check
    can fail on it.
    """
    print_plugins(out, plugins, looked=not args.no_plugins)
    return EXIT_PLUGINS if plugins.problems else 0


# -- input -------------------------------------------------------------------------------------


def _read_policy(path: Path, modes: ModeRegistry) -> MonitoringPolicy:
    """The policy file at *path*, read up to one byte past its size limit, then parsed."""
    raw = _read(path, limit=MAX_POLICY_BYTES + 1)
    try:
        return load_policy(raw, modes=modes)
    except DomainError as error:
        raise Rejected(f"{path}: {error}") from None


def _read_samples(path: Path, telemetry: Telemetry) -> list[MetricSample]:
    limits = PayloadLimits()
    try:
        return decode_samples(_read(path, limit=limits.max_bytes + 1), limits=limits)
    except PayloadRejected as error:
        telemetry.payload_rejected(error, source=path.name)
        raise Rejected(f"{path}: {error}") from None


def _read(path: Path, *, limit: int) -> bytes:
    """At most *limit* bytes of *path*: enough to tell a file that is too large."""
    try:
        with path.open("rb") as file:
            return file.read(limit)
    except OSError as error:
        raise Rejected(f"{path}: {error.strerror or type(error).__name__}") from None


def _has_content(path: Path) -> bool:
    """Whether *path* is a file with something in it."""
    with suppress(OSError):
        return path.is_file() and path.stat().st_size > 0
    return False


def _existing(path: Path) -> Path:
    """*path*, if it is a file with something in it; else :class:`Rejected`."""
    if not _has_content(path):
        raise Rejected(f"{path}: no such database")
    return path


def _open_database(
    path: Path,
    telemetry: Telemetry,
    *,
    sink: IncidentSink | None = None,
    write: bool = False,
    modes: ModeRegistry | None = None,
) -> MonitoringRuntime:
    """A runtime on the existing database *path*: read-only unless a *sink* or *write* is given.

    A file that is not a database of this package is rejected input (exit 2), not a store
    failure: the store refuses it untouched, and the command says which file it was.
    """
    try:
        return MonitoringRuntime(
            database=path,
            sink=sink,
            modes=modes,
            telemetry=telemetry,
            read_only=sink is None and not write,
        )
    except NotADatabase as error:
        raise Rejected(str(error)) from None


def _webhook(url: str | None) -> WebhookSink | None:
    if url is None:
        return None
    token = _token()
    try:
        return WebhookSink(url, token=token)
    except DomainError as error:
        raise Rejected(f"--webhook: {error}") from None


def _known_sink(name: str | None, plugins: PluginReport) -> None:
    """Refuse a ``--sink`` that names no loaded sink plugin, listing the known ones."""
    if name is not None and name not in plugins.sinks:
        known = ", ".join(sorted(plugins.sinks)) or "none"
        raise Rejected(f"--sink: no sink plugin {name!r} is installed; known sinks: {known}")


def _plugin_sink(name: str, plugins: PluginReport) -> IncidentSink:
    """The sink the plugin *name* builds; a factory that fails is rejected input."""
    try:
        return plugins.make_sink(name)
    except DomainError as error:
        raise Rejected(f"--sink: {error}") from None


@contextmanager
def _closed_on_error(sink: IncidentSink) -> Iterator[None]:
    """Close *sink* (if it can be closed) when the block fails before a runtime owns it."""
    try:
        yield
    except BaseException:
        with suppress(Exception):  # the block's own error is the one to report
            close_sink(sink)
        raise


def _token() -> Secret | None:
    """The bearer token from the environment, refused (never repaired) if a header cannot
    carry it. The message names the variable and a position, never the value."""
    value = os.environ.get(TOKEN_VARIABLE, "")
    if not value:
        return None
    if value.endswith(("\n", "\r")):
        raise Rejected(
            f"{TOKEN_VARIABLE} ends with a newline; "
            "remove it (a secret read from a file often carries one)"
        )
    if not _TOKEN.fullmatch(value):
        prefix = _TOKEN_PREFIX.match(value)
        position = len(prefix[0]) + 1 if prefix and prefix[1] else 1
        raise Rejected(
            f"{TOKEN_VARIABLE}: character {position} cannot be part of a bearer token "
            "(letters, digits and -._~+/, then = padding)"
        )
    return Secret(value)


def _stored(runtime: MonitoringRuntime, policy: MonitoringPolicy, args: argparse.Namespace) -> bool:
    """Whether *runtime* holds the policy already, after refusing what `run` must not do:
    hand a webhook's backlog to standard output, or change a stored policy."""
    waiting = runtime.pending_count()
    if args.webhook is None and args.sink is None and waiting:
        # Standard output would acknowledge them: the webhook would never see them.
        raise Rejected(
            f"{args.database}: {count(waiting, 'incident')} "
            f"{'waits' if waiting == 1 else 'wait'} for a webhook; "
            "pass --webhook URL (or run `service-monitoring deliver` first)"
        )
    policy_id = policy.policy_id
    if policy_id not in runtime.policy_ids():
        return False
    if _rules_of(runtime.policy(policy_id)) != _rules_of(policy):
        raise Rejected(
            f"{args.policy}: the rules differ from those of the stored policy {policy_id!r}; "
            "`run` does not change a stored policy"
        )
    return True


def _rules_of(policy: MonitoringPolicy) -> dict[str, tuple[ThresholdRule, str]]:
    return {r.rule_id: (r, policy.rule_state(r.rule_id).value) for r in policy.rules()}
