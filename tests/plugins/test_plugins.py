"""Plugin discovery: real distributions on ``sys.path``, found through their entry points.

Each test installs distributions built by ``tests/plugin_distributions.py`` (modules and a
``*.dist-info`` with ``entry_points.txt``) and calls :func:`load_plugins`: what loads is in
the report, what fails is a problem with its reason, and nothing raises.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points, version

import pytest

from plugin_distributions import BROKEN, GOOD, MARK, Distribution, imported
from service_monitoring import (
    STANDARD_MODES,
    DomainError,
    MonitoringPolicy,
    MonitoringRuntime,
    Plugin,
    PluginGroup,
    PluginProblem,
    PluginReport,
    ThresholdRule,
    load_plugins,
)
from support import T0, sample

MODES, SINKS = PluginGroup.MODES, PluginGroup.SINKS


def test_the_group_names_are_the_documented_strings() -> None:
    assert (MODES, SINKS) == ("service_monitoring.modes", "service_monitoring.sinks")


def test_importlib_metadata_sees_the_distribution_and_load_plugins_finds_its_mode_and_sink(
    install,
) -> None:
    folder = install(GOOD)
    assert version("acme-monitoring") == "1.0"
    assert [
        e.name for e in entry_points(group=MODES) if e.dist and e.dist.name == "acme-monitoring"
    ]
    assert imported(folder) == []  # installed, but nothing imported until plugins are loaded

    report = load_plugins()

    assert report.modes.names() == ("threshold", "consecutive", "rate_of_change", "below")
    assert list(report.sinks) == ["journal"]
    assert report.plugins == (
        Plugin(MODES, "below", "acme-monitoring", "1.0"),
        Plugin(SINKS, "journal", "acme-monitoring", "1.0"),
    )
    assert report.problems == ()
    assert imported(folder) == ["acme_monitoring"]
    assert "below" not in STANDARD_MODES  # the standard registry is left as it was
    with pytest.raises(DomainError, match="frozen"):
        report.modes.register(STANDARD_MODES.get("threshold"))


def test_a_policy_using_the_plugin_mode_runs_a_real_cycle_into_the_plugin_sink(
    install, tmp_path, monkeypatch
) -> None:
    install(GOOD)
    journal = tmp_path / "journal.txt"
    monkeypatch.setenv("ACME_JOURNAL", str(journal))
    report = load_plugins()
    policy = MonitoringPolicy("stock", modes=report.modes)
    policy.add_rule(ThresholdRule("low-stock", "stock.level", 10, "warning", mode="below"))
    policy.activate_rule("low-stock")

    with MonitoringRuntime(
        modes=report.modes, sink=report.make_sink("journal"), clock=lambda: T0
    ) as runtime:
        runtime.register_policy(policy)
        cycle = runtime.run_cycle("stock", [sample("stock.level", 40), sample("stock.level", 7, 1)])

    assert (cycle.alerts_opened, cycle.alerts_published) == (1, 1)
    (alert,) = cycle.alerts
    assert journal.read_text(encoding="utf-8") == f"{alert.incident_id} low-stock 7\n"


def test_broken_plugins_are_reported_with_their_reasons_and_the_good_one_still_loads(
    install,
) -> None:
    folder = install(BROKEN, GOOD)

    report = load_plugins()  # raises nothing

    assert report.modes.names() == ("threshold", "consecutive", "rate_of_change", "below")
    assert list(report.sinks) == ["journal"]
    assert [(p.group, p.name, p.distribution, p.version, p.reason) for p in report.problems] == [
        (MODES, "Shouty", "acme-broken", "1.0",
         "refused by the mode registry: mode must be a lower-case name such as 'threshold', "
         "got 'Shouty'"),
        (MODES, "exploding", "acme-broken", "1.0",
         "import failed: RuntimeError: boom: the plugin is broken"),
        (MODES, "mismatch", "acme-broken", "1.0",
         "the entry point is named 'mismatch' but the mode's name is 'other'"),
        (MODES, "needy", "acme-broken", "1.0",
         "calling acme_oddities.needs_arguments() failed: TypeError: needs_arguments() "
         "missing 1 required positional argument: 'required'"),
        (MODES, "not_a_mode", "acme-broken", "1.0",
         "not an evaluation mode: got int, which lacks name, check_rule and evaluate"),
        (MODES, "threshold", "acme-broken", "1.0",
         "the name 'threshold' is taken by a standard mode"),
        (SINKS, "Bad Name", "acme-broken", "1.0",
         "a sink's name is a lower-case name such as 'journal' (letters, digits, _ and -, "
         "at most 40), got 'Bad Name'"),
        (SINKS, "pager", "acme-broken", "1.0",
         "not callable: a sink plugin names a factory that takes no arguments and returns "
         "a sink; got str"),
    ]  # fmt: skip
    assert str(report.problems[1]) == (
        "service_monitoring.modes 'exploding' from acme-broken 1.0: "
        "import failed: RuntimeError: boom: the plugin is broken"
    )
    assert report.modes.get("threshold") is STANDARD_MODES.get("threshold")
    assert "acme_exploding" not in sys.modules
    assert sorted(set(imported(folder))) == ["acme_exploding", "acme_monitoring", "acme_oddities"]
    again = load_plugins()  # the same order and reasons on every run
    assert (again.plugins, again.problems) == (report.plugins, report.problems)


def test_a_name_two_distributions_claim_goes_to_the_first_by_distribution_name(install) -> None:
    second: Distribution = ("zeta-modes", GOOD[1], {"service_monitoring.modes": GOOD[2][MODES]})
    install(second, GOOD)

    report = load_plugins()

    assert report.plugins[0] == Plugin(MODES, "below", "acme-monitoring", "1.0")
    assert report.problems == (
        PluginProblem(MODES, "below", "zeta-modes", "1.0",
                      "the name 'below' is taken by the plugin from acme-monitoring"),
    )  # fmt: skip


def test_a_plugin_that_exits_while_it_imports_does_not_stop_the_process(install) -> None:
    quitting: Distribution = (
        "acme-quitter",
        {"acme_quitter": MARK + "raise SystemExit(3)\n"},
        {"service_monitoring.sinks": {"quitter": "acme_quitter:factory"}},
    )
    install(quitting)

    (problem,) = load_plugins().problems

    assert (problem.name, problem.reason) == ("quitter", "import failed: SystemExit: 3")


def test_a_mode_may_be_an_instance_or_a_function_that_returns_one(install) -> None:
    shapes: Distribution = (
        "acme-shapes",
        {"acme_shapes": GOOD[1]["acme_monitoring"] + "\nBELOW = BelowMode()\n"},
        {"service_monitoring.modes": {"below": "acme_shapes:BELOW"}},
    )
    install(shapes)
    mode = load_plugins().modes.get("below")
    assert type(mode).__name__ == "BelowMode"
    assert mode is sys.modules["acme_shapes"].BELOW


def test_nothing_is_loaded_from_a_module_that_no_installed_distribution_declares(
    install,
) -> None:
    folder = install(GOOD, metadata=False)  # the module is importable, but not installed

    report = load_plugins()

    assert report.modes is STANDARD_MODES
    assert (dict(report.sinks), report.plugins, report.problems) == ({}, (), ())
    assert imported(folder) == []


def test_make_sink_names_the_plugin_when_its_factory_fails_or_returns_no_sink(install) -> None:
    odd: Distribution = (
        "acme-odd-sinks",
        BROKEN[1],
        {"service_monitoring.sinks": {"failing": "acme_oddities:failing_sink",
                                      "hollow": "acme_oddities:no_sink"}},
    )  # fmt: skip
    install(odd)
    report = load_plugins()
    assert report.problems == ()

    with pytest.raises(DomainError) as failing:
        report.make_sink("failing")
    with pytest.raises(DomainError) as hollow:
        report.make_sink("hollow")
    with pytest.raises(DomainError) as unknown:
        report.make_sink("pager")

    assert str(failing.value) == (
        "sink plugin 'failing' failed to start: OSError: no route to the pager"
    )
    assert (
        str(hollow.value)
        == "sink plugin 'hollow' returned str, which has no publish(alerts) method"
    )
    assert str(unknown.value) == "no sink plugin 'pager' is installed; known sinks: failing, hollow"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"modes": "threshold"}, "modes must be a ModeRegistry, got str"),
        ({"sinks": ["journal"]}, "sinks must be a mapping, got list"),
        ({"sinks": {"journal": "not callable"}}, "sink 'journal': the factory must be callable"),
        ({"problems": ["boom"]}, "problems must be a tuple of PluginProblem"),
        ({"plugins": [Plugin(MODES, "below", "acme", "1.0")]}, "plugins must be a tuple of Plugin"),
    ],
)
def test_a_report_built_by_hand_refuses_what_it_cannot_hold(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        PluginReport(**arguments)  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_a_report_keeps_its_own_frozen_copy_of_the_sinks() -> None:
    sinks = {"journal": list}
    report = PluginReport(sinks=sinks)  # type: ignore[dict-item]
    sinks["other"] = list
    assert list(report.sinks) == ["journal"]
    with pytest.raises(TypeError):
        report.sinks["other"] = list  # type: ignore[index]


def test_an_unreadable_entry_points_file_is_a_problem_only_when_it_declares_a_plugin_group(
    install,
) -> None:
    folder = install(GOOD)
    for name, sections in (
        ("acme_garbled", "[service_monitoring.sinks]\ngarbage\n"),
        ("other_tool", "[console_scripts]\ngarbage\n"),  # not ours: none of our business
    ):
        info = folder / f"{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Name: {name}\nVersion: 1.0\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(sections, encoding="utf-8")

    report = load_plugins()

    (problem,) = report.problems  # the parser's own message varies with the Python version
    assert (problem.group, problem.name, problem.distribution) == (SINKS, "", "acme_garbled")
    assert str(problem).startswith(
        "service_monitoring.sinks from acme_garbled 1.0: its entry_points.txt cannot be read: "
    )
    assert [plugin.name for plugin in report.plugins] == ["below", "journal"]


def test_a_distribution_installed_twice_on_the_path_counts_once(install) -> None:
    first = install(GOOD)
    install(GOOD)  # prepended: now first on sys.path

    report = load_plugins()

    assert report.problems == ()
    assert [plugin.name for plugin in report.plugins] == ["below", "journal"]
    assert imported(first) == []  # the copy later on sys.path is never imported
