"""The lines the commands print: one place that decides what an operator reads.

Internal module: the commands of :mod:`service_monitoring.cli.app` print through it.

Every line the command line writes, to standard output or standard error, goes out
through :func:`print_line`, which passes it through :func:`escape`: a character that
is not printable (a control character such as ESC or BEL, a line break, a
bidirectional override such as U+202E, a lone surrogate) or that the stream's encoding
cannot carry is written as an escape (``\\x1b``, ``\\n``, ``\\u202e``). Whatever a
policy file, the store, a webhook's answer or a file name holds, it cannot move the
cursor, retitle the terminal or forge a line. A write that fails raises
:class:`OutputFailed`: the caller decides what a closed pipe or a full disk means.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final, TextIO

from ..delivery.payload import alert_document
from ..domain.policy import MonitoringPolicy
from ..domain.reports import CycleReport
from ..domain.values import Alert, ThresholdRule
from ..plugins import PluginGroup, PluginReport

__all__ = [
    "OutputFailed",
    "alert_line",
    "count",
    "escape",
    "flush",
    "policy_line",
    "print_cycle",
    "print_incidents",
    "print_line",
    "print_plugins",
    "rule_line",
    "silence",
]

_SHORT: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class OutputFailed(Exception):
    """Writing to an output stream failed; ``error`` is the operating system's reason."""

    #: The :class:`OSError` the write raised.
    error: OSError

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or type(error).__name__)
        self.error = error

    @property
    def closed_pipe(self) -> bool:
        """Whether the stream is a pipe whose reader has gone (``| head``)."""
        return isinstance(self.error, BrokenPipeError)


def escape(text: str, encoding: str | None = None) -> str:
    """*text* with every character that is not printable (or not in *encoding*) escaped.

    >>> escape("latency \\x1b[2J\\u202eexe.txt\\n")
    'latency \\\\x1b[2J\\\\u202eexe.txt\\\\n'
    >>> escape("café ✓", "ascii")
    'caf\\\\xe9 \\\\u2713'
    """
    codec = _codec(encoding)
    if text.isprintable() and _encodes(text, codec):
        return text
    return "".join(
        char if char.isprintable() and _encodes(char, codec) else _escaped(char) for char in text
    )


def _codec(encoding: str | None) -> str:
    try:
        return codecs.lookup(encoding or "utf-8").name
    except LookupError:
        return "ascii"


def _encodes(text: str, codec: str) -> bool:
    if codec == "utf-8":
        return True  # every printable character is; lone surrogates are not printable
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _escaped(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def print_line(out: TextIO, line: str) -> None:
    """Write *line*, escaped, as one line to *out* and flush it; :class:`OutputFailed` if not."""
    text = escape(line, getattr(out, "encoding", None)) + "\n"
    try:
        out.write(text)
        out.flush()
    except OSError as error:
        raise OutputFailed(error) from error


def flush(out: TextIO) -> None:
    """Flush *out* (what argparse wrote, for instance); :class:`OutputFailed` if it fails."""
    try:
        out.flush()
    except OSError as error:
        raise OutputFailed(error) from error


def silence(out: TextIO) -> None:
    """Point *out*'s file descriptor at the null device, after a write to it failed.

    The bytes still buffered then go nowhere, so the interpreter's own flush at exit
    cannot fail again and print "Exception ignored". A stream without a descriptor
    (a test's capture) is left alone.
    """
    try:
        descriptor = out.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


def print_cycle(
    out: TextIO,
    report: CycleReport,
    *,
    title: str = "Cycle",
    alerts: Sequence[Alert] | None = None,
) -> None:
    """The cycle's summary, then *alerts* (default: the alerts it opened).

    Samples skipped at their metric's watermark are named when there are any: an
    operator who fed eight samples and reads "1 sample" deserves to know why.
    """
    skipped = f", {report.samples_skipped} skipped" if report.samples_skipped else ""
    print_line(
        out,
        f"{title}: {count(report.samples_evaluated, 'sample')}{skipped}, "
        f"{count(report.alerts_opened, 'alert')} opened, {report.alerts_published} published, "
        f"{report.pending_deliveries} pending, {report.open_incident_count} open",
    )
    for alert in report.alerts if alerts is None else alerts:
        print_line(out, "  " + alert_line(alert))


def print_incidents(
    out: TextIO, incidents: Sequence[Alert], pending: Sequence[str], *, as_json: bool = False
) -> None:
    """What ``incidents`` prints: the open *incidents*, then the *pending* deliveries.

    As JSON, the incidents are in the webhook's format; ``json.dumps`` writes ASCII with
    every control character escaped, so each line of it passes :func:`escape` unchanged.
    """
    if as_json:
        document = {"open_incidents": [alert_document(a) for a in incidents], "pending": pending}
        for line in json.dumps(document, indent=2).splitlines():
            print_line(out, line)
        return
    print_line(out, f"Open incidents ({len(incidents)})")
    for alert in incidents:
        print_line(out, "  " + alert_line(alert))
    print_line(out, f"Pending deliveries: {len(pending)}")


def print_plugins(out: TextIO, report: PluginReport, *, looked: bool = True) -> None:
    """What ``plugins`` prints: each mode and sink with where it comes from, then each problem.

    *looked* is false under ``--no-plugins``: the report is then the empty one, and the
    first line says that discovery was skipped.

    >>> import sys
    >>> print_plugins(sys.stdout, PluginReport())
    Evaluation modes (service_monitoring.modes):
      threshold       standard
      consecutive     standard
      rate_of_change  standard
    Sinks (service_monitoring.sinks): none
    Problems: none
    """
    if not looked:
        print_line(out, "Plugin discovery skipped (--no-plugins)")
    origin = {
        (plugin.group, plugin.name): f"{plugin.distribution} {plugin.version}"
        for plugin in report.plugins
    }
    modes = [
        (name, origin.get((PluginGroup.MODES, name), "standard")) for name in report.modes.names()
    ]
    sinks = [(name, origin.get((PluginGroup.SINKS, name), "?")) for name in sorted(report.sinks)]
    width = max(len(name) for name, _ in modes + sinks) + 2
    for title, group, rows in (
        ("Evaluation modes", PluginGroup.MODES, modes),
        ("Sinks", PluginGroup.SINKS, sinks),
    ):
        print_line(out, f"{title} ({group}):" + ("" if rows else " none"))
        for name, where in rows:
            print_line(out, f"  {name:<{width}}{where}")
    if not report.problems:
        print_line(out, "Problems: none")
        return
    print_line(out, f"Problems ({len(report.problems)}):")
    for problem in report.problems:
        print_line(out, f"  {problem}")


def policy_line(policy: MonitoringPolicy, source: Path, *, stored: bool) -> str:
    """Which policy ``run`` uses: registered from *source*, or the stored one it matches."""
    how = "stored, matches" if stored else "registered from"
    rules, active = len(policy.rules()), len(policy.active_rules())
    return f"Policy {policy.policy_id!r}: {how} {source} ({rules} rules, {active} active)"


def alert_line(alert: Alert) -> str:
    """One incident on one line: id, severity, where, what was seen, when."""
    return (
        f"{alert.incident_id}  {alert.severity.value:<8}  {alert.policy_id}/{alert.rule_id}  "
        f"{alert.metric}={alert.observed_value:g} (threshold {alert.threshold:g}) "
        f"at {alert.observed_at:%Y-%m-%dT%H:%M:%SZ}"
    )


def count(number: int, noun: str) -> str:
    """*number* and *noun*, plural unless it is one.

    >>> count(1, "alert"), count(3, "sample")
    ('1 alert', '3 samples')
    """
    return f"{number} {noun}" + ("" if number == 1 else "s")


def rule_line(rule: ThresholdRule, state: str) -> str:
    """One rule on one line: id, state, severity, condition and mode."""
    how = rule.mode if rule.window == 1 else f"{rule.mode}, window {rule.window}"
    return (
        f"{rule.rule_id:<12} {state:<8} {rule.severity.value:<9} "
        f"{rule.metric} > {rule.threshold:g} ({how})"
    )
