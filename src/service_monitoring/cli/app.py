"""The ``service-monitoring`` command (also ``python -m service_monitoring``).

Internal module: the console script ``service-monitoring`` calls :func:`main`.

Commands::

    service-monitoring demo
    service-monitoring run --policy FILE --samples FILE [--database PATH] [--webhook URL]
    service-monitoring incidents --database PATH [--json]
    service-monitoring deliver --database PATH --webhook URL

``run`` reads the policy from a TOML file (the format is documented in
:mod:`service_monitoring.cli.policy_file`) and the samples from a JSON file (the
format of :func:`~service_monitoring.decode_samples`). Both are read and
validated before the database is opened, so rejected input stores nothing.
With ``--database`` the policy is registered when the database does not hold
it yet; when it does, the stored policy is used, and a policy file whose rules
differ from the stored ones is refused (``run`` never changes rules). Without
``--webhook``, standard output is the sink: the alerts delivered are printed.
The webhook's bearer token is read from the environment variable
``SERVICE_MONITORING_TOKEN``, never from the command line.

Exit codes: 0 success; 2 rejected input (a missing or unreadable file, bad
TOML, an invalid policy, a rejected payload, a bad URL) -- nothing stored;
3 the sink did not take every incident -- the cycle is committed and the
incidents wait in the outbox for ``deliver``; 4 the store failed (locked,
unreadable, or a concurrent writer won every retry).

>>> main(["demo"])  # doctest: +ELLIPSIS
service-monitoring demo: policy 'checkout', in-memory store, fixed clock
...
0
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final, TextIO

from ..delivery.payload import alert_document
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
from ..telemetry.signals import LOGGER_NAME, Telemetry
from .demo import DEMO_CLOCK, demo_cycles, demo_policy
from .logfmt import LogfmtFormatter
from .policy_file import parse_policy
from .render import alert_line, count, print_cycle, print_line, rule_line

__all__ = [
    "EXIT_OK",
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

#: The environment variable that holds the webhook's bearer token.
TOKEN_VARIABLE: Final = "SERVICE_MONITORING_TOKEN"  # noqa: S105 - a name, not a secret

_PROG: Final = "service-monitoring"
_EPILOG: Final = f"""\
exit codes:
  {EXIT_OK}  success
  {EXIT_REJECTED}  rejected input (missing file, bad TOML, invalid policy or samples, bad URL);
     nothing was stored
  {EXIT_UNDELIVERED}  the sink did not take every incident; they are committed and pending:
     recover with `{_PROG} deliver`
  {EXIT_STORE}  the store failed (database locked or unreadable, concurrent writer)

The webhook token is read from ${TOKEN_VARIABLE}, never from the command line.
"""


class _Rejected(Exception):
    """Input the command refuses: printed as one line, exit code 2."""


def main(argv: Sequence[str] | None = None, *, telemetry: Telemetry | None = None) -> int:
    """Run the command with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, usage errors
        return stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    out, err = sys.stdout, sys.stderr
    command: Callable[[argparse.Namespace, TextIO, Telemetry], int] = args.command
    with _logging_to(err, args.log_level):
        try:
            return command(args, out, telemetry if telemetry is not None else Telemetry())
        except (_Rejected, ServiceMonitoringError) as error:
            code = exit_code_for(error)
            hint = _recovery_hint(args) if code == EXIT_UNDELIVERED else ""
            message = " ".join(str(error).split())  # one line, whatever the message holds
            print(f"{_PROG}: error: {message}{hint}", file=err)
            return code


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
    return EXIT_REJECTED  # refused input: files, policy, samples, URL


def _recovery_hint(args: argparse.Namespace) -> str:
    database = getattr(args, "database", None)
    if database is None:
        return "; without --database the pending incidents are not kept"
    return f"; recover with `{_PROG} deliver --database {database} --webhook URL`"


@contextmanager
def _logging_to(stream: TextIO, level: str) -> Iterator[None]:
    """While the command runs, write the package's records of *level* and above to *stream*."""
    if level == "off":
        yield
        return
    logger = logging.getLogger(LOGGER_NAME)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LogfmtFormatter())
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    with MonitoringRuntime(database=args.database, sink=sink, telemetry=telemetry) as runtime:
        waiting = runtime.pending_count()
        if webhook is None and waiting:
            # Standard output would acknowledge them: the webhook would never see them.
            raise _Rejected(
                f"{args.database}: {count(waiting, 'incident')} "
                f"{'waits' if waiting == 1 else 'wait'} for a webhook; "
                "pass --webhook URL (or run `service-monitoring deliver` first)"
            )
        print_line(out, _adopt(runtime, policy, args.policy))
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
    with MonitoringRuntime(database=_existing(args.database), telemetry=telemetry) as runtime:
        incidents = [a for pid in runtime.policy_ids() for a in runtime.open_incidents(pid)]
        pending = [entry.alert.incident_id for entry in runtime.pending_deliveries()]
    if args.json:
        document = {"open_incidents": [alert_document(a) for a in incidents], "pending": pending}
        print_line(out, json.dumps(document, indent=2))
        return EXIT_OK
    print_line(out, f"Open incidents ({len(incidents)})")
    for alert in incidents:
        print_line(out, "  " + alert_line(alert))
    print_line(out, f"Pending deliveries: {len(pending)}")
    return EXIT_OK


def _deliver(args: argparse.Namespace, out: TextIO, telemetry: Telemetry) -> int:
    sink = _webhook(args.webhook)
    database = _existing(args.database)
    with MonitoringRuntime(database=database, sink=sink, telemetry=telemetry) as runtime:
        delivered = runtime.deliver_pending()
        pending = runtime.pending_count()
        print_line(out, f"Delivered {count(delivered, 'incident')}; {pending} pending")
    return EXIT_OK


def _demo(args: argparse.Namespace, out: TextIO, telemetry: Telemetry) -> int:
    sink = CollectingIncidentSink()
    clock = DEMO_CLOCK
    with MonitoringRuntime(sink=sink, telemetry=telemetry, clock=lambda: clock) as runtime:
        runtime.register_policy(demo_policy())
        print_line(out, "service-monitoring demo: policy 'checkout', in-memory store, fixed clock")
        print_line(out, "")
        policy = runtime.policy("checkout")
        print_line(out, "Rules")
        for rule in policy.rules():
            print_line(out, "  " + rule_line(rule, policy.rule_state(rule.rule_id).value))
        for number, samples in enumerate(demo_cycles(), start=1):
            print_line(out, "")
            print_cycle(out, runtime.run_cycle("checkout", samples), title=f"Cycle {number}")
        incidents = runtime.open_incidents("checkout")
        print_line(out, "")
        print_line(out, f"Open incidents ({len(incidents)})")
        for alert in incidents:
            print_line(out, "  " + alert_line(alert))
        print_line(out, "")
        print_line(out, f"Delivered to the demo sink: {count(len(sink.alerts), 'alert')}")
    return EXIT_OK


# -- input -------------------------------------------------------------------------------------


def _read_policy(path: Path) -> MonitoringPolicy:
    raw = _read(path)
    try:
        return parse_policy(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Rejected(f"{path}: not valid UTF-8") from None
    except DomainError as error:
        raise _Rejected(f"{path}: {error}") from None


def _read_samples(path: Path, telemetry: Telemetry) -> list[MetricSample]:
    limits = PayloadLimits()
    try:
        return decode_samples(_read(path, limit=limits.max_bytes + 1), limits=limits)
    except PayloadRejected as error:
        telemetry.payload_rejected(error, source=path.name)
        raise _Rejected(f"{path}: {error}") from None


def _read(path: Path, *, limit: int = -1) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(limit)
    except OSError as error:
        raise _Rejected(f"{path}: {error.strerror or type(error).__name__}") from None


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise _Rejected(f"{path}: no such database")
    return path


def _webhook(url: str | None) -> WebhookSink | None:
    if url is None:
        return None
    value = os.environ.get(TOKEN_VARIABLE, "")
    try:
        return WebhookSink(url, token=Secret(value) if value else None)
    except DomainError as error:
        raise _Rejected(f"--webhook: {error}") from None


def _adopt(runtime: MonitoringRuntime, policy: MonitoringPolicy, source: Path) -> str:
    """Register *policy* if the store lacks it; else check that the stored one matches."""
    policy_id = policy.policy_id
    if policy_id not in runtime.policy_ids():
        runtime.register_policy(policy)
        how = "registered from"
    elif _rules_of(runtime.policy(policy_id)) == _rules_of(policy):
        how = "stored, matches"
    else:
        raise _Rejected(
            f"{source}: the rules differ from those of the stored policy {policy_id!r}; "
            "`run` does not change a stored policy"
        )
    active = len(policy.active_rules())
    return f"Policy {policy_id!r}: {how} {source} ({len(policy.rules())} rules, {active} active)"


def _rules_of(policy: MonitoringPolicy) -> dict[str, tuple[ThresholdRule, str]]:
    return {r.rule_id: (r, policy.rule_state(r.rule_id).value) for r in policy.rules()}
