"""The command line with plugins installed: real processes, plugin folders on ``PYTHONPATH``.

``service-monitoring plugins`` lists what was found and every problem (exit 6 when there is
one); ``run`` takes a policy that names a plugin's mode and ``--sink`` a plugin's sink; a
broken plugin is one warning line and stops nothing; ``--no-plugins`` makes every plugin
invisible, and a plugin that is not installed is never imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import samples_document
from plugin_distributions import BROKEN, GOOD, Distribution, build, imported

STOCK_POLICY = """\
id = "stock"

[[rules]]
rule_id = "low-stock"
metric = "stock.level"
threshold = 10
severity = "warning"
mode = "below"
"""

LISTING_GOOD = [
    "Evaluation modes (service_monitoring.modes):",
    "  threshold       standard",
    "  consecutive     standard",
    "  rate_of_change  standard",
    "  below           acme-monitoring 1.0",
    "Sinks (service_monitoring.sinks):",
    "  journal         acme-monitoring 1.0",
]
PROBLEMS = [
    "service_monitoring.modes 'Shouty' from acme-broken 1.0: refused by the mode registry: "
    "mode must be a lower-case name such as 'threshold', got 'Shouty'",
    "service_monitoring.modes 'exploding' from acme-broken 1.0: "
    "import failed: RuntimeError: boom: the plugin is broken",
    "service_monitoring.modes 'mismatch' from acme-broken 1.0: "
    "the entry point is named 'mismatch' but the mode's name is 'other'",
    "service_monitoring.modes 'needy' from acme-broken 1.0: "
    "calling acme_oddities.needs_arguments() failed: TypeError: needs_arguments() "
    "missing 1 required positional argument: 'required'",
    "service_monitoring.modes 'not_a_mode' from acme-broken 1.0: "
    "not an evaluation mode: got int, which lacks name, check_rule and evaluate",
    "service_monitoring.modes 'threshold' from acme-broken 1.0: "
    "the name 'threshold' is taken by a standard mode",
    "service_monitoring.sinks 'Bad Name' from acme-broken 1.0: a sink's name is a lower-case "
    "name such as 'journal' (letters, digits, _ and -, at most 40), got 'Bad Name'",
    "service_monitoring.sinks 'pager' from acme-broken 1.0: not callable: a sink plugin names "
    "a factory that takes no arguments and returns a sink; got str",
]


class Command:
    """``service-monitoring`` in a fresh process, in *work*, with *site* on ``PYTHONPATH``."""

    def __init__(self, work: Path, site: Path) -> None:
        self.work, self.site = work, site
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SERVICE_MONITORING")},
            "PYTHONPATH": str(site),
            "PYTHONWARNINGS": "error",
            "ACME_JOURNAL": str(work / "journal.txt"),
        }

    def __call__(self, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service_monitoring", *argv],
            cwd=self.work,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def command_with(tmp_path: Path, *distributions: Distribution, metadata: bool = True) -> Command:
    site, work = tmp_path / "site", tmp_path / "work"
    work.mkdir()
    site.mkdir()
    for distribution in distributions:
        build(site, distribution, metadata=metadata)
    (work / "stock.toml").write_text(STOCK_POLICY, encoding="utf-8")
    (work / "stock.json").write_text(
        samples_document(40, 7, metric="stock.level"), encoding="utf-8"
    )
    return Command(work, site)


def test_plugins_lists_the_modes_and_sinks_with_their_distributions(tmp_path: Path) -> None:
    command = command_with(tmp_path, GOOD)

    result = command("plugins")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [*LISTING_GOOD, "Problems: none"]


def test_plugins_lists_every_problem_and_exits_6(tmp_path: Path) -> None:
    command = command_with(tmp_path, GOOD, BROKEN)

    result = command("plugins")

    assert (result.returncode, result.stderr) == (6, "")
    assert result.stdout.splitlines() == [
        *LISTING_GOOD,
        f"Problems ({len(PROBLEMS)}):",
        *(f"  {problem}" for problem in PROBLEMS),
    ]
    assert "Traceback" not in result.stdout


def test_run_uses_a_plugin_mode_and_a_broken_plugin_is_one_warning_line_each(
    tmp_path: Path,
) -> None:
    command = command_with(tmp_path, GOOD, BROKEN)

    result = command("run", "--policy", "stock.toml", "--samples", "stock.json")

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"service-monitoring: warning: plugin not loaded: {problem}" for problem in PROBLEMS
    ]
    lines = result.stdout.splitlines()
    assert lines[0] == "Policy 'stock': registered from stock.toml (1 rules, 1 active)"
    assert lines[1] == "Cycle: 2 samples, 1 alert opened, 1 published, 0 pending, 1 open"
    assert "warning   stock/low-stock  stock.level=7 (threshold 10)" in lines[2]


def test_run_delivers_to_a_plugin_sink_and_deliver_recovers_through_it(tmp_path: Path) -> None:
    command = command_with(tmp_path, GOOD)
    journal = command.work / "journal.txt"
    run = ["run", "--policy", "stock.toml", "--samples", "stock.json", "--database", "stock.db"]

    # The journal path is a folder: the sink fails, the incident waits in the outbox.
    failed = command(*run, "--sink", "journal", ACME_JOURNAL=str(command.work))
    assert failed.returncode == 3
    assert failed.stderr.rstrip().endswith(
        "recover with `service-monitoring deliver --database stock.db --sink journal`"
    )
    assert not journal.exists()

    delivered = command("deliver", "--database", "stock.db", "--sink", "journal")

    assert (delivered.returncode, delivered.stderr) == (0, "")
    assert delivered.stdout == "Delivered 1 incident; 0 pending\n"
    (line,) = journal.read_text(encoding="utf-8").splitlines()
    assert line.endswith(" low-stock 7")
    incidents = command("incidents", "--database", "stock.db")  # reads the 'below' rule back
    assert (incidents.returncode, incidents.stderr) == (0, "")
    assert "Open incidents (1)" in incidents.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "--policy", "stock.toml", "--samples", "stock.json", "--sink", "pager"],
            "service-monitoring: error: --sink: no sink plugin 'pager' is installed; "
            "known sinks: journal",
        ),
        (
            ["deliver", "--database", "missing.db", "--sink", "journal", "--webhook", "http://x"],
            "service-monitoring deliver: error: argument --webhook: not allowed with argument "
            "--sink",
        ),
    ],
)
def test_a_wrong_sink_choice_is_rejected_input(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    result = command_with(tmp_path, GOOD)(*argv)

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == ""


def test_no_plugins_makes_every_plugin_invisible_and_imports_none(tmp_path: Path) -> None:
    command = command_with(tmp_path, GOOD, BROKEN)

    listing = command("--no-plugins", "plugins")
    run = command("--no-plugins", "run", "--policy", "stock.toml", "--samples", "stock.json")

    assert (listing.returncode, listing.stderr) == (0, "")
    assert listing.stdout.splitlines() == [
        "Plugin discovery skipped (--no-plugins)",
        *LISTING_GOOD[:4],
        "Sinks (service_monitoring.sinks): none",
        "Problems: none",
    ]
    assert run.returncode == 2
    assert "unknown evaluation mode 'below'" in run.stderr
    assert imported(command.site) == []


def test_a_command_that_needs_no_plugin_loads_none(tmp_path: Path) -> None:
    command = command_with(tmp_path, GOOD, BROKEN)

    demo = command("demo")

    assert (demo.returncode, demo.stderr) == (0, "")
    assert imported(command.site) == []


def test_a_plugin_that_is_not_installed_is_never_imported(tmp_path: Path) -> None:
    command = command_with(tmp_path, GOOD, BROKEN, metadata=False)  # modules, no dist-info

    listing = command("plugins")
    run = command("run", "--policy", "stock.toml", "--samples", "stock.json")

    assert (listing.returncode, listing.stderr) == (0, "")
    assert listing.stdout.splitlines() == [
        *LISTING_GOOD[:4],
        "Sinks (service_monitoring.sinks): none",
        "Problems: none",
    ]
    assert run.returncode == 2
    assert "unknown evaluation mode 'below'" in run.stderr
    assert imported(command.site) == []
