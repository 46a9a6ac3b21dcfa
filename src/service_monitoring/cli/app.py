"""The ``service-monitoring`` command (also ``python -m service_monitoring``).

Internal module: the console script ``service-monitoring`` calls :func:`main`.

Commands::

    service-monitoring demo
    service-monitoring run --policy FILE --samples FILE [--database PATH]
                           [--webhook URL | --sink NAME]
    service-monitoring incidents --database PATH [--json]
    service-monitoring deliver --database PATH (--webhook URL | --sink NAME)
    service-monitoring reset-watermark --database PATH --policy ID --metric NAME [--to TIMESTAMP]
    service-monitoring serve --policy FILE --database PATH [--port N] [--interval S]
                             [--queue-limit N] [--drain-seconds S] [--delivery-interval S]
                             [--webhook URL | --sink NAME]
    service-monitoring migrate --database PATH [--dry-run] [--backup FILE]
    service-monitoring plugins

``run`` reads the policy from a TOML file (:mod:`service_monitoring.cli.policy_file` documents
the format and its limits) and the samples from a JSON file (the format of
:func:`~service_monitoring.decode_samples`), and validates both before it opens the database, so
rejected input stores nothing. With ``--database`` the policy is registered when the database
lacks it; a stored policy is used, and a policy file whose rules differ from it is refused
(``run`` never changes rules). Without ``--webhook`` or ``--sink``, standard output is the
sink. The webhook's bearer token comes from ``SERVICE_MONITORING_TOKEN``, never from the
command line; a token a header cannot carry (a trailing newline) is refused, not repaired.

``serve`` checks the policy, the database and the sink as ``run`` does, then listens on
127.0.0.1 (``--port 0`` picks a free port) until SIGTERM or SIGINT: ``POST /samples`` takes
a payload in the format of ``run``'s samples file into a bounded queue, a cycle commits the
queue every ``--interval`` seconds, and a worker delivers the incidents
(:mod:`service_monitoring.cli.serve_command` has the details). Its first line says where it
listens; its last line counts what it accepted, committed, refused and delivered.

``migrate`` upgrades a database written by an older release to this release's schema: it
reports what it rewrites, copies the file to a backup, then rewrites every document in one
transaction (:mod:`service_monitoring.cli.migrate_command`); ``--dry-run`` only reports, and a
current file is left alone. Until then ``incidents`` reads the old file as it is, and every
command that writes refuses it, naming the ``migrate`` command to run (exit code 4).

Plugins (:mod:`service_monitoring.plugins`): every command that opens a policy file or a
database loads the installed mode and sink plugins first, so a policy may name a plugin's mode,
and ``--sink NAME`` delivers to a plugin's sink instead of a webhook. A plugin that cannot be
loaded is one warning line on standard error, and the command goes on without it. ``plugins``
lists what was found. The global ``--no-plugins`` skips discovery: only the standard modes,
no sinks but the webhook and standard output.

``run`` creates a missing database, and looks at an existing one read-only before it writes, so
another application's file, a backlog owed to a webhook or a changed policy is refused while
nothing has been written. ``incidents`` opens the database read-only. ``deliver`` looks read-only
first and opens the database for writing only when incidents are pending. Neither creates a
database: a missing or empty file is refused, and every command refuses a file that is not a
service-monitoring database (another application's SQLite file), left byte-identical
(:mod:`service_monitoring.cli.commands`).

Every line written to standard output or standard error passes
:func:`~service_monitoring.cli.render.escape`: what is not printable is spelled out (``\\x1b``,
``\\u202e``), so no id, file name or webhook answer can drive a terminal or forge a line.

Exit codes: 0 success; 2 rejected input (a missing or unreadable file, bad TOML, an invalid or
oversized policy, a rejected payload, a bad URL or token, a database that is missing, empty or
not a service-monitoring database) -- nothing stored; 3 the sink did not take every incident --
the cycle is committed and the incidents wait in the outbox for ``deliver``; 4 the store failed
(locked, unreadable, a newer schema, an older one a write needs migrated, a document
``migrate`` cannot read, or a concurrent writer won every retry); 5 standard output
could not be written (a full disk), said in one line on standard error -- ``run`` writes its
first line before it changes the database, so nothing is stored when that line fails; 6
``plugins`` found a plugin that could not be loaded (each is listed with the reason); for
``serve``, 2 also means a bad option (a port out of range, an interval <= 0) or a port it
cannot listen on, and 4 a last cycle that failed (standard error counts the samples not
committed and names the failure); a second SIGTERM or SIGINT during its shutdown ends it
at once with 128 + the signal's number (143 or 130), counting on standard error the
accepted samples not committed; 141
standard output is a pipe whose reader has gone (``| head -1``): the command stops at once,
quietly, with the status a shell shows for a process ended by SIGPIPE (128 + 13).

>>> main(["demo"])  # doctest: +ELLIPSIS
service-monitoring demo: policy 'checkout', in-memory store, fixed clock
...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO, cast

from ..domain.errors import (
    ConcurrencyConflict,
    DeliveryError,
    NotADatabase,
    ServiceMonitoringError,
    StoreUnavailable,
)
from ..plugins import PluginReport, load_plugins
from ..serve.settings import ServeSettings
from ..telemetry.signals import Telemetry
from . import commands, migrate_command
from .commands import EXIT_PLUGINS, TOKEN_VARIABLE, Rejected
from .logfmt import logging_to
from .render import OutputFailed, flush, print_line, silence

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = [
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_PIPE",
    "EXIT_PLUGINS",
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

_PROG: Final = "service-monitoring"
_EPILOG: Final = f"""\
exit codes:
  {EXIT_OK:>3}  success
  {EXIT_REJECTED:>3}  rejected input (missing file, bad TOML, invalid policy or samples, bad
       URL or token, a database that is missing or not a service-monitoring
       database); nothing was stored
  {EXIT_UNDELIVERED:>3}  the sink did not take every incident; they are committed and pending:
       recover with `{_PROG} deliver`
  {EXIT_STORE:>3}  the store failed (database locked or unreadable, concurrent writer)
  {EXIT_OUTPUT:>3}  standard output could not be written (disk full); `run` stores nothing
       when its first line fails
  {EXIT_PLUGINS:>3}  `{_PROG} plugins` found a plugin that could not be loaded
  {EXIT_PIPE:>3}  standard output was closed by its reader (`| head`): stopped quietly

The webhook token is read from ${TOKEN_VARIABLE}, never from the command line.
"""


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
    command: Callable[[argparse.Namespace, TextIO, Telemetry, PluginReport], int | None]
    command = args.command
    with logging_to(err, args.log_level):
        plugins = _plugins(args, err)
        try:
            code = command(args, out, telemetry if telemetry is not None else Telemetry(), plugins)
        except (Rejected, ServiceMonitoringError) as error:
            code = exit_code_for(error)
            hint = _recovery_hint(args) if code == EXIT_UNDELIVERED else ""
            _report(err, f"{error}{hint}")
            return code
    return EXIT_OK if code is None else code


def _plugins(args: argparse.Namespace, err: TextIO | None) -> PluginReport:
    """The plugins the command uses: none for ``demo`` or under ``--no-plugins``.

    Each problem is one warning line on standard error, except for ``plugins``, which
    lists them itself; the command goes on without the plugin.
    """
    if args.no_plugins or not args.uses_plugins:
        return PluginReport()
    report = load_plugins()
    if args.command is not commands.list_plugins:
        for problem in report.problems:
            _report(err, f"plugin not loaded: {problem}", level="warning")
    return report


def _report(err: TextIO | None, message: str, *, level: str = "error") -> None:
    """One error line on *err*, escaped; if even that cannot be written, nothing more to do."""
    if err is None:
        return
    with suppress(OutputFailed):
        print_line(err, f"{_PROG}: {level}: {message}")


def exit_code_for(error: Exception) -> int:
    """The exit code the command ends with when *error* stops it.

    >>> from service_monitoring import PublicationFailed
    >>> exit_code_for(PublicationFailed("sink down"))
    3
    """
    if isinstance(error, DeliveryError):
        return EXIT_UNDELIVERED
    if isinstance(error, NotADatabase):
        return EXIT_REJECTED  # the wrong file: nothing to wait for
    if isinstance(error, StoreUnavailable | ConcurrencyConflict):
        return EXIT_STORE
    return EXIT_REJECTED  # refused input: files, policy, samples, URL, token, database file


def _recovery_hint(args: argparse.Namespace) -> str:
    database = getattr(args, "database", None)
    if database is None:
        return "; without --database the pending incidents are not kept"
    sink = getattr(args, "sink", None)
    target = "--webhook URL" if sink is None else f"--sink {sink}"
    return f"; recover with `{_PROG} deliver --database {database} {target}`"


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
    parser.add_argument(
        "--no-plugins",
        action="store_true",
        help="do not look for installed mode and sink plugins (entry points)",
    )
    parser.set_defaults(uses_plugins=True)
    subcommands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    demo = subcommands.add_parser("demo", help="run a built-in scenario and print a report")
    demo.set_defaults(command=commands.demo, uses_plugins=False)

    run = subcommands.add_parser("run", help="evaluate a samples file against a policy file")
    run.add_argument("--policy", required=True, type=Path, metavar="FILE", help="policy (TOML)")
    run.add_argument("--samples", required=True, type=Path, metavar="FILE", help="samples (JSON)")
    run.add_argument("--database", type=Path, metavar="PATH", help="SQLite file (default: memory)")
    _sink_options(run, required=False)
    run.set_defaults(command=commands.run)

    incidents = subcommands.add_parser(
        "incidents", help="list open incidents and pending deliveries"
    )
    incidents.add_argument("--database", required=True, type=Path, metavar="PATH")
    incidents.add_argument("--json", action="store_true", help="print JSON")
    incidents.set_defaults(command=commands.incidents)

    deliver = subcommands.add_parser("deliver", help="deliver the incidents waiting in the outbox")
    deliver.add_argument("--database", required=True, type=Path, metavar="PATH")
    _sink_options(deliver, required=True)
    deliver.set_defaults(command=commands.deliver)

    reset = subcommands.add_parser(
        "reset-watermark", help="move a metric's evaluation watermark back, or forget it"
    )
    reset.add_argument("--database", required=True, type=Path, metavar="PATH")
    reset.add_argument("--policy", required=True, metavar="ID", help="the policy's id")
    reset.add_argument("--metric", required=True, metavar="NAME", help="the metric's name")
    reset.add_argument(
        "--to", metavar="TIMESTAMP", help="ISO 8601 with offset (default: forget the watermark)"
    )
    reset.set_defaults(command=commands.reset_watermark)

    serve = subcommands.add_parser(
        "serve", help="take samples over HTTP and run cycles on a schedule, until a signal"
    )
    serve.add_argument("--policy", required=True, type=Path, metavar="FILE", help="policy (TOML)")
    serve.add_argument(
        "--database", required=True, type=Path, metavar="PATH", help="SQLite file (created)"
    )
    defaults = ServeSettings()
    serve.add_argument(
        "--port", type=int, default=defaults.port, metavar="N",
        help="port on 127.0.0.1; 0 picks a free one and prints it (default: 0)",
    )  # fmt: skip
    serve.add_argument(
        "--interval", type=float, default=defaults.interval, metavar="S",
        help=f"seconds between cycles (default: {defaults.interval:g})",
    )  # fmt: skip
    serve.add_argument(
        "--queue-limit", type=int, default=defaults.queue_limit, metavar="N",
        help=f"samples that may wait for a cycle; more get 429 (default: {defaults.queue_limit})",
    )  # fmt: skip
    serve.add_argument(
        "--drain-seconds", type=float, default=defaults.drain_seconds, metavar="S",
        help=f"how long delivery may go on at shutdown (default: {defaults.drain_seconds:g})",
    )  # fmt: skip
    serve.add_argument(
        "--delivery-interval", type=float, default=None, metavar="S",
        help="seconds between delivery attempts (default: the cycle interval)",
    )  # fmt: skip
    _sink_options(serve, required=False)
    serve.set_defaults(command=commands.serve)

    migrate = subcommands.add_parser(
        "migrate", help="upgrade a database written by an older release, in place"
    )
    migrate.add_argument("--database", required=True, type=Path, metavar="PATH")
    migrate.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    migrate.add_argument(
        "--backup",
        type=Path,
        metavar="FILE",
        help="where the copy made before migrating goes (default: PATH.schema-1.bak)",
    )
    migrate.set_defaults(command=migrate_command.migrate)

    plugins = subcommands.add_parser(
        "plugins", help="list the modes and sinks, and the plugins that provide them"
    )
    plugins.set_defaults(command=commands.list_plugins)
    return parser


def _sink_options(command: argparse.ArgumentParser, *, required: bool) -> None:
    """``--webhook URL`` or ``--sink NAME``, never both."""
    choice = command.add_mutually_exclusive_group(required=required)
    choice.add_argument(
        "--webhook", metavar="URL", help=f"deliver to this URL (token: ${TOKEN_VARIABLE})"
    )
    choice.add_argument(
        "--sink", metavar="NAME", help="deliver to the sink plugin NAME (see `plugins`)"
    )


def _version() -> str:
    try:
        return version("service-monitoring")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
