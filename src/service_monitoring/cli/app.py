"""The ``service-monitoring`` command (also ``python -m service_monitoring``).

Internal module: the console script ``service-monitoring`` calls :func:`main`.

Commands::

    service-monitoring demo
    service-monitoring run --policy FILE --samples FILE [--database PATH] [--webhook URL]
    service-monitoring incidents --database PATH [--json]
    service-monitoring deliver --database PATH --webhook URL

``run`` reads the policy from a TOML file (:mod:`service_monitoring.cli.policy_file` documents
the format and its limits) and the samples from a JSON file (the format of
:func:`~service_monitoring.decode_samples`), and validates both before it opens the database, so
rejected input stores nothing. With ``--database``
the policy is registered when the database lacks it; a stored policy is used, and a policy file
whose rules differ from it is refused (``run`` never changes rules). ``run`` creates a missing
database, and looks at an existing one read-only before it writes. Without ``--webhook``, standard
output is the sink. The webhook's bearer token comes from ``SERVICE_MONITORING_TOKEN``, never from
the command line; a token a header cannot carry (a trailing newline) is refused, not repaired.

``incidents`` opens the database read-only. ``deliver`` looks read-only first and opens it for
writing only when incidents are pending. Neither creates a database: a missing or empty file is
refused, and every command refuses a file that is not a service-monitoring database (another
application's SQLite file) and leaves it byte-identical. Every line written to standard output
or standard error passes :func:`~service_monitoring.cli.render.escape`: what is not printable is
spelled out (``\\x1b``, ``\\u202e``), so no id, file name or webhook answer can drive a terminal.

Exit codes: 0 success; 2 rejected input (a missing or unreadable file, bad TOML, an invalid or
oversized policy, a rejected payload, a bad URL or token, a database that is missing, empty or
not a service-monitoring database) -- nothing stored; 3 the sink did not take every incident --
the cycle is committed and the incidents wait in the outbox for ``deliver``; 4 the store failed
(locked, unreadable, a newer schema, or a concurrent writer won every retry); 5 standard output
could not be written (a full disk), said in one line on standard error -- ``run`` writes its
first line before it changes the database, so nothing is stored when that line fails; 141
standard output is a pipe whose reader has gone (``| head -1``): the command stops at once,
quietly, with the status a shell shows for a process ended by SIGPIPE (128 + 13).

>>> main(["demo"])  # doctest: +ELLIPSIS
service-monitoring demo: policy 'checkout', in-memory store, fixed clock
...
0
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO, cast

from ..delivery.sinks import CollectingIncidentSink, IncidentSink
from ..delivery.webhook import WebhookSink
from ..domain.errors import (
    ConcurrencyConflict,
    DeliveryError,
    DomainError,
    PayloadRejected,
    ServiceMonitoringError,
    StoreUnavailable,
)
from ..domain.policy import MonitoringPolicy
from ..domain.values import MetricSample, ThresholdRule
from ..intake.samples import PayloadLimits, decode_samples
from ..intake.secret import Secret
from ..runtime import MonitoringRuntime
from ..telemetry.signals import Telemetry
from .demo import run_demo
from .logfmt import logging_to
from .policy_file import MAX_POLICY_BYTES, load_policy
from .render import (
    OutputFailed,
    count,
    flush,
    policy_line,
    print_cycle,
    print_incidents,
    print_line,
    silence,
)

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = [
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_PIPE",
    "EXIT_REJECTED",
    "EXIT_STORE",
    "EXIT_UNDELIVERED",
    "TOKEN_VARIABLE",
    "exit_code_for",
    "main",
]

EXIT_OK: Final = 0
EXIT_REJECTED: Final = 2
EXIT_UNDELIVERED: Final = 3
EXIT_STORE: Final = 4
EXIT_OUTPUT: Final = 5
EXIT_PIPE: Final = 141  # 128 + SIGPIPE: what a shell shows for `yes | head -1`

#: The environment variable that holds the webhook's bearer token.
TOKEN_VARIABLE: Final = "SERVICE_MONITORING_TOKEN"  # noqa: S105 - a name, not a secret

_PROG: Final = "service-monitoring"
_EPILOG: Final = f"""\
exit codes:
  {EXIT_OK}  success
  {EXIT_REJECTED}  rejected input (missing file, bad TOML, invalid policy or samples, bad URL
     or token, a database that is missing or not a service-monitoring database);
     nothing was stored
  {EXIT_UNDELIVERED}  the sink did not take every incident; they are committed and pending:
     recover with `{_PROG} deliver`
  {EXIT_STORE}  the store failed (database locked or unreadable, concurrent writer)
  {EXIT_OUTPUT}  standard output could not be written (disk full); `run` stores nothing
     when its first line fails
  {EXIT_PIPE}  standard output was closed by its reader (`| head`): stopped quietly

The webhook token is read from ${TOKEN_VARIABLE}, never from the command line.
"""
#: How the store words a file that is not a database of this package.
_NOT_OURS: Final = "not a service-monitoring database"
#: An RFC 6750 bearer token (b64token), and the longest prefix of one.
_TOKEN: Final = re.compile(r"[A-Za-z0-9._~+/-]+=*")
_TOKEN_PREFIX: Final = re.compile(r"([A-Za-z0-9._~+/-]*)=*")


class _Rejected(Exception):
    """Input the command refuses: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, writing (help, usage, errors) through :func:`print_line` like every other line.

    An argument argparse quotes in an error is escaped; a failed write to standard output
    raises :class:`OutputFailed` (argparse itself would drop it), one to standard error is
    dropped: the exit status still says what happened.
    """

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        stream = cast(TextIO, sys.stderr if file is None else file)
        try:
            for line in message.splitlines():
                print_line(stream, line)
        except OutputFailed:
            if stream is sys.stdout:
                raise


def main(argv: Sequence[str] | None = None, *, telemetry: Telemetry | None = None) -> int:
    """Run the command with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    out, err = sys.stdout, sys.stderr
    if out is None:  # started with standard output closed (`>&-`)
        _report(err, "cannot write to standard output: it is closed")
        return EXIT_OUTPUT
    try:
        code = _command(argv, out, err, telemetry)
        flush(out)  # what is still buffered fails here, not in the interpreter's exit
    except OutputFailed as failure:
        silence(out)  # the interpreter's flush at exit would fail again, with a traceback
        if failure.closed_pipe:
            return EXIT_PIPE
        _report(err, f"cannot write to standard output: {failure}")
        return EXIT_OUTPUT
    return code


def _command(
    argv: Sequence[str] | None, out: TextIO, err: TextIO, telemetry: Telemetry | None
) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, usage errors
        return stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    command: Callable[[argparse.Namespace, TextIO, Telemetry], int] = args.command
    with logging_to(err, args.log_level):
        try:
            return command(args, out, telemetry if telemetry is not None else Telemetry())
        except (_Rejected, ServiceMonitoringError) as error:
            code = exit_code_for(error)
            hint = _recovery_hint(args) if code == EXIT_UNDELIVERED else ""
            _report(err, f"{error}{hint}")
            return code


def _report(err: TextIO | None, message: str) -> None:
    """One error line on *err*, escaped; if even that cannot be written, nothing more to do."""
    if err is None:
        return
    with suppress(OutputFailed):
        print_line(err, f"{_PROG}: error: {message}")


def exit_code_for(error: Exception) -> int:
    """The exit code the command ends with when *error* stops it.

    >>> from service_monitoring import PublicationFailed
    >>> exit_code_for(PublicationFailed("sink down"))
    3
    """
    if isinstance(error, DeliveryError):
        return EXIT_UNDELIVERED
    if isinstance(error, StoreUnavailable | ConcurrencyConflict):
        return EXIT_STORE
    return EXIT_REJECTED  # refused input: files, policy, samples, URL, token, database file


def _recovery_hint(args: argparse.Namespace) -> str:
    database = getattr(args, "database", None)
    if database is None:
        return "; without --database the pending incidents are not kept"
    return f"; recover with `{_PROG} deliver --database {database} --webhook URL`"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=_PROG,
        description="Evaluate monitoring policies against metric samples and deliver incidents.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error", "off"),
        default="off",
        help="write structured log records of this level and above to stderr (default: off)",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run a built-in scenario and print a report")
    demo.set_defaults(command=_demo)

    run = commands.add_parser("run", help="evaluate a samples file against a policy file")
    run.add_argument("--policy", required=True, type=Path, metavar="FILE", help="policy (TOML)")
    run.add_argument("--samples", required=True, type=Path, metavar="FILE", help="samples (JSON)")
    run.add_argument("--database", type=Path, metavar="PATH", help="SQLite file (default: memory)")
    run.add_argument(
        "--webhook", metavar="URL", help=f"deliver to this URL (token: ${TOKEN_VARIABLE})"
    )
    run.set_defaults(command=_run)

    incidents = commands.add_parser("incidents", help="list open incidents and pending deliveries")
    incidents.add_argument("--database", required=True, type=Path, metavar="PATH")
    incidents.add_argument("--json", action="store_true", help="print JSON")
    incidents.set_defaults(command=_incidents)

    deliver = commands.add_parser("deliver", help="deliver the incidents waiting in the outbox")
    deliver.add_argument("--database", required=True, type=Path, metavar="PATH")
    deliver.add_argument("--webhook", required=True, metavar="URL", help="the endpoint")
    deliver.set_defaults(command=_deliver)
    return parser


def _version() -> str:
    try:
        return version("service-monitoring")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# -- commands --------------------------------------------------------------------------------


def _run(args: argparse.Namespace, out: TextIO, telemetry: Telemetry) -> int:
    policy = _read_policy(args.policy)
    samples = _read_samples(args.samples, telemetry)
    webhook = _webhook(args.webhook)
    sink: IncidentSink = CollectingIncidentSink() if webhook is None else webhook
    database: Path | None = args.database
    stored = False
    if database is not None and _has_content(database):
        # Look before writing: another application's file, a backlog owed to a webhook or
        # a changed policy is refused while nothing has been written.
        with _open_database(database, telemetry) as reader:
            stored = _stored(reader, policy, args)
    # The first line goes out before the database changes: an unwritable output stops here.
    print_line(out, policy_line(policy, args.policy, stored=stored))
    with MonitoringRuntime(database=database, sink=sink, telemetry=telemetry) as runtime:
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
    return EXIT_OK


def _incidents(args: argparse.Namespace, out: TextIO, telemetry: Telemetry) -> int:
    with _open_database(_existing(args.database), telemetry) as runtime:
        incidents = [a for pid in runtime.policy_ids() for a in runtime.open_incidents(pid)]
        pending = [entry.alert.incident_id for entry in runtime.pending_deliveries()]
    print_incidents(out, incidents, pending, as_json=args.json)
    return EXIT_OK


def _deliver(args: argparse.Namespace, out: TextIO, telemetry: Telemetry) -> int:
    sink = _webhook(args.webhook)
    database = _existing(args.database)
    with _open_database(database, telemetry) as reader:
        pending = reader.pending_count()
    delivered = 0
    if pending:  # only then is there delivery state to write
        with _open_database(database, telemetry, sink=sink) as runtime:
            delivered = runtime.deliver_pending()
            pending = runtime.pending_count()
    print_line(out, f"Delivered {count(delivered, 'incident')}; {pending} pending")
    return EXIT_OK


def _demo(args: argparse.Namespace, out: TextIO, telemetry: Telemetry) -> int:
    run_demo(out, telemetry)
    return EXIT_OK


# -- input -------------------------------------------------------------------------------------


def _read_policy(path: Path) -> MonitoringPolicy:
    raw = _read(path, limit=MAX_POLICY_BYTES + 1)
    try:
        return load_policy(raw)
    except DomainError as error:
        raise _Rejected(f"{path}: {error}") from None


def _read_samples(path: Path, telemetry: Telemetry) -> list[MetricSample]:
    limits = PayloadLimits()
    try:
        return decode_samples(_read(path, limit=limits.max_bytes + 1), limits=limits)
    except PayloadRejected as error:
        telemetry.payload_rejected(error, source=path.name)
        raise _Rejected(f"{path}: {error}") from None


def _read(path: Path, *, limit: int) -> bytes:
    """At most *limit* bytes of *path*: enough to tell a file that is too large."""
    try:
        with path.open("rb") as file:
            return file.read(limit)
    except OSError as error:
        raise _Rejected(f"{path}: {error.strerror or type(error).__name__}") from None


def _has_content(path: Path) -> bool:
    """Whether *path* is a file with something in it (SQLite takes an empty file for a new one)."""
    with suppress(OSError):
        return path.is_file() and path.stat().st_size > 0
    return False


def _existing(path: Path) -> Path:
    if not _has_content(path):
        raise _Rejected(f"{path}: no such database")
    return path


def _open_database(
    path: Path, telemetry: Telemetry, *, sink: IncidentSink | None = None
) -> MonitoringRuntime:
    """A runtime on the existing database *path*: read-only unless a *sink* is given.

    A file that is not a database of this package is rejected input (exit 2), not a store
    failure: the store refuses it untouched, and the command says which file it was.
    """
    try:
        return MonitoringRuntime(
            database=path, sink=sink, telemetry=telemetry, read_only=sink is None
        )
    except StoreUnavailable as error:
        if str(error).startswith(f"database {path}: {_NOT_OURS}"):
            raise _Rejected(str(error)) from None
        raise


def _webhook(url: str | None) -> WebhookSink | None:
    if url is None:
        return None
    token = _token()
    try:
        return WebhookSink(url, token=token)
    except DomainError as error:
        raise _Rejected(f"--webhook: {error}") from None


def _token() -> Secret | None:
    """The bearer token from the environment, refused (never repaired) if a header cannot
    carry it. The message names the variable and a position, never the value."""
    value = os.environ.get(TOKEN_VARIABLE, "")
    if not value:
        return None
    if value.endswith(("\n", "\r")):
        raise _Rejected(
            f"{TOKEN_VARIABLE} ends with a newline; "
            "remove it (a secret read from a file often carries one)"
        )
    if not _TOKEN.fullmatch(value):
        prefix = _TOKEN_PREFIX.match(value)
        position = len(prefix[0]) + 1 if prefix and prefix[1] else 1
        raise _Rejected(
            f"{TOKEN_VARIABLE}: character {position} cannot be part of a bearer token "
            "(letters, digits and -._~+/, then = padding)"
        )
    return Secret(value)


def _stored(runtime: MonitoringRuntime, policy: MonitoringPolicy, args: argparse.Namespace) -> bool:
    """Whether *runtime* holds the policy already, after refusing what `run` must not do:
    hand a webhook's backlog to standard output, or change a stored policy."""
    waiting = runtime.pending_count()
    if args.webhook is None and waiting:
        # Standard output would acknowledge them: the webhook would never see them.
        raise _Rejected(
            f"{args.database}: {count(waiting, 'incident')} "
            f"{'waits' if waiting == 1 else 'wait'} for a webhook; "
            "pass --webhook URL (or run `service-monitoring deliver` first)"
        )
    policy_id = policy.policy_id
    if policy_id not in runtime.policy_ids():
        return False
    if _rules_of(runtime.policy(policy_id)) != _rules_of(policy):
        raise _Rejected(
            f"{args.policy}: the rules differ from those of the stored policy {policy_id!r}; "
            "`run` does not change a stored policy"
        )
    return True


def _rules_of(policy: MonitoringPolicy) -> dict[str, tuple[ThresholdRule, str]]:
    return {r.rule_id: (r, policy.rule_state(r.rule_id).value) for r in policy.rules()}
