"""Claims of Module 09's refactor lesson that no other test proves.

``docs/module-09-public-apis-extension-governance/refactor-public-api-for-customisation.md``
says that plugin discovery refuses a mode whose name is taken before it imports the
plugin's module, so a plugin cannot run code just by claiming a name it may not have.
Each distribution here has a module that raises when imported, and the test checks that
it never was.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugin_distributions import GOOD, MARK, Distribution, build, imported
from service_monitoring import STANDARD_MODES, PluginGroup, PluginProblem, load_plugins

MODES = PluginGroup.MODES
#: A module that must never be imported: it records the import, then fails.
ROGUE = MARK + 'raise RuntimeError("this module must never be imported")\n'


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` for distributions; its modules leave ``sys.modules`` after."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(str(folder)):
            del sys.modules[name]


def test_a_standard_modes_name_is_refused_before_the_plugins_module_is_imported(
    site: Path,
) -> None:
    rogue: Distribution = (
        "rogue-modes",
        {"rogue_modes": ROGUE},
        {"service_monitoring.modes": {"threshold": "rogue_modes:Threshold"}},
    )
    build(site, rogue)

    report = load_plugins()

    assert report.modes is STANDARD_MODES
    assert report.problems == (
        PluginProblem(
            MODES,
            "threshold",
            "rogue-modes",
            "1.0",
            "the name 'threshold' is taken by a standard mode",
        ),
    )
    assert imported(site) == []


def test_a_name_an_earlier_plugin_took_is_refused_before_the_later_module_is_imported(
    site: Path,
) -> None:
    late: Distribution = (
        "zeta-rogue",
        {"zeta_rogue": ROGUE},
        {"service_monitoring.modes": {"below": "zeta_rogue:Below"}},
    )
    build(site, GOOD)
    build(site, late)

    report = load_plugins()

    assert report.modes.names() == ("threshold", "consecutive", "rate_of_change", "below")
    assert [problem.reason for problem in report.problems] == [
        "the name 'below' is taken by the plugin from acme-monitoring"
    ]
    assert imported(site) == ["acme_monitoring"]
