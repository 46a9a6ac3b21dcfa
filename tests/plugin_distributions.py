"""Real plugin distributions, built in a folder: modules plus a ``NAME-1.0.dist-info``.

:func:`build` writes what ``pip install --target FOLDER`` would leave behind, so
``importlib.metadata`` finds the distribution once FOLDER is on ``sys.path`` (the
``install`` fixture of ``tests/plugins/conftest.py``) or on ``PYTHONPATH`` (a subprocess).
Each plugin module appends its name to ``imported.txt`` beside it when it is imported,
so a test can tell whether anything was loaded (:func:`imported`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

#: The module-level side effect every plugin module has: it records that it was imported.
MARK = """\
from pathlib import Path as _Path
with _Path(__file__).with_name("imported.txt").open("a", encoding="utf-8") as _mark:
    _mark.write(__name__ + "\\n")
"""

#: A good plugin: the mode 'below' and the sink 'journal' (it writes to $ACME_JOURNAL).
ACME_MONITORING = (
    MARK
    + '''
import os

from service_monitoring import DomainError, Verdict


class BelowMode:
    """Breach when a sample is under the threshold."""

    name = "below"

    def check_rule(self, rule):
        if rule.window != 1:
            raise DomainError(f"rule {rule.rule_id!r}: mode 'below' takes window=1")

    def evaluate(self, rule, recent, samples):
        first = next((s for s in samples if s.value < rule.threshold), None)
        return Verdict(first, samples[-1].value < rule.threshold)


class JournalSink:
    """One line per incident, appended to the file named by $ACME_JOURNAL."""

    def __init__(self, path):
        self.path = path

    def publish(self, alerts):
        with open(self.path, "a", encoding="utf-8") as journal:
            for alert in alerts:
                journal.write(f"{alert.incident_id} {alert.rule_id} {alert.observed_value:g}\\n")


def journal():
    return JournalSink(os.environ["ACME_JOURNAL"])
'''
)

#: A plugin module that fails to import.
ACME_EXPLODING = MARK + 'raise RuntimeError("boom: the plugin is broken")\n'

#: Objects that are not what their group expects.
ACME_ODDITIES = (
    MARK
    + """
from service_monitoring import Verdict

NOT_A_MODE = 42
NOT_A_FACTORY = "pager"


class ThresholdAgain:
    name = "threshold"

    def check_rule(self, rule):
        pass

    def evaluate(self, rule, recent, samples):
        return Verdict(None, False)


class Misnamed(ThresholdAgain):
    name = "other"


class Shouty(ThresholdAgain):
    name = "Shouty"


def needs_arguments(required):
    return ThresholdAgain()


def no_sink():
    return "not a sink"


def failing_sink():
    raise OSError("no route to the pager")
"""
)

Distribution = tuple[str, Mapping[str, str], Mapping[str, Mapping[str, str]]]

#: name -> (modules, {group: {entry point: object reference}})
GOOD: Distribution = (
    "acme-monitoring",
    {"acme_monitoring": ACME_MONITORING},
    {
        "service_monitoring.modes": {"below": "acme_monitoring:BelowMode"},
        "service_monitoring.sinks": {"journal": "acme_monitoring:journal"},
    },
)
BROKEN: Distribution = (
    "acme-broken",
    {"acme_exploding": ACME_EXPLODING, "acme_oddities": ACME_ODDITIES},
    {
        "service_monitoring.modes": {
            "exploding": "acme_exploding:Mode",
            "Shouty": "acme_oddities:Shouty",
            "threshold": "acme_oddities:ThresholdAgain",
            "not_a_mode": "acme_oddities:NOT_A_MODE",
            "mismatch": "acme_oddities:Misnamed",
            "needy": "acme_oddities:needs_arguments",
        },
        "service_monitoring.sinks": {
            "pager": "acme_oddities:NOT_A_FACTORY",
            "Bad Name": "acme_oddities:no_sink",
        },
    },
)


def build(folder: Path, distribution: Distribution, *, metadata: bool = True) -> None:
    """Write *distribution*'s modules into *folder*, and its ``dist-info`` unless told not to."""
    name, modules, groups = distribution
    folder.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        (folder / f"{module}.py").write_text(source, encoding="utf-8")
    if not metadata:
        return
    info = folder / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
            for group, entries in groups.items()
        ),
        encoding="utf-8",
    )


def imported(folder: Path) -> list[str]:
    """The plugin modules of *folder* that have been imported, in order."""
    marks = folder / "imported.txt"
    return marks.read_text(encoding="utf-8").split() if marks.exists() else []
