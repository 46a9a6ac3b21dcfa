"""The ``migrate`` command: upgrade a database written by an older release, in place.

Internal module: :mod:`service_monitoring.cli.app` calls :func:`migrate`.

``service-monitoring migrate --database PATH [--dry-run] [--backup FILE]`` prints
what the file holds in an older format, then (without ``--dry-run``) copies the file
to the backup and rewrites it in one transaction
(:mod:`service_monitoring.storage.migration`). A file that is already current is
reported and left untouched, so the command is safe to run twice. Nothing else needs
to run first: read-only commands read an old file as it is, and every command that
writes refuses it with this command's name.

>>> import tempfile, pathlib, sys
>>> from argparse import Namespace
>>> from service_monitoring import MonitoringRuntime
>>> from service_monitoring.plugins import PluginReport
>>> from service_monitoring.telemetry.signals import Telemetry
>>> folder = tempfile.TemporaryDirectory()
>>> path = pathlib.Path(folder.name, "monitoring.db")
>>> MonitoringRuntime(database=path).close()
>>> args = Namespace(database=path, dry_run=False, backup=None)
>>> migrate(args, sys.stdout, Telemetry(), PluginReport())  # doctest: +ELLIPSIS
migrate: .../monitoring.db is at schema version 2, the version this release writes; nothing to do
>>> folder.cleanup()
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..plugins import PluginReport
from ..storage.migration import MigrationPlan, default_backup, plan_migration
from ..storage.migration import migrate as migrate_file
from ..telemetry.signals import Telemetry
from .render import count, print_line

__all__ = ["migrate"]


def migrate(
    args: argparse.Namespace, out: TextIO, telemetry: Telemetry, plugins: PluginReport
) -> None:
    """``migrate``: report, back up and upgrade ``--database`` (only report with ``--dry-run``)."""
    path: Path = args.database
    backup: Path = default_backup(path) if args.backup is None else args.backup
    plan = plan_migration(path)
    if not plan.needed:
        print_line(
            out,
            f"migrate: {path} is at schema version {plan.from_version}, the version this "
            "release writes; nothing to do",
        )
        return
    print_line(
        out,
        f"migrate: {path} is at schema version {plan.from_version}; this release writes "
        f"version {plan.to_version}",
    )
    _print_documents(out, plan, "to rewrite")
    if args.dry_run:
        print_line(
            out,
            f"dry run: nothing written; without --dry-run the file is first copied to {backup}",
        )
        return
    done = migrate_file(path, backup=backup, modes=plugins.modes)
    print_line(out, f"backup: {backup}")
    print_line(
        out,
        f"migrated: schema version {done.from_version} -> {done.to_version} in one "
        f"transaction; {count(done.total, 'document')} rewritten",
    )


def _print_documents(out: TextIO, plan: MigrationPlan, what: str) -> None:
    for label, number in plan.documents:
        print_line(out, f"  {label:<15} {number:>6} {what}")
