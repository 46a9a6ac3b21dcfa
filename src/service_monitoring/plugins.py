"""Plugins: evaluation modes and sinks that installed distributions declare as entry points.

Internal module: import these names from :mod:`service_monitoring`.

A distribution extends the package by declaring entry points in two groups:

* :attr:`PluginGroup.MODES` (``service_monitoring.modes``): the entry point's name is the mode's
  name, and its object is an :class:`~service_monitoring.EvaluationMode`, or a class or
  function that returns one when called with no arguments.
* :attr:`PluginGroup.SINKS` (``service_monitoring.sinks``): the entry point's name is the sink's
  name (a lower-case name), and its object is a factory called with no arguments that
  returns an :class:`~service_monitoring.IncidentSink`. The plugin reads its own
  configuration (from the environment, say); the factory runs only when the sink is used.

Only :func:`load_plugins` looks for plugins, and only in the ``entry_points.txt`` of the
distributions installed on ``sys.path`` (:func:`importlib.metadata.distributions`; of two
copies of one distribution, the first on the path counts): importing the package loads
nothing, and nothing is imported that no installed distribution declares. A plugin that
fails to import, is not what its group expects, or takes a name already taken is not
raised: it becomes a :class:`PluginProblem` of the report, and every other plugin loads.

>>> report = load_plugins()      # nothing installed in this environment declares a plugin
>>> report.modes is STANDARD_MODES, dict(report.sinks), report.problems
(True, {}, ())
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeGuard

from .delivery.sinks import IncidentSink
from .domain.errors import DomainError
from .domain.modes import STANDARD_MODES, EvaluationMode, ModeRegistry

if TYPE_CHECKING:
    from importlib.metadata import Distribution, EntryPoint

__all__ = [
    "Plugin",
    "PluginGroup",
    "PluginProblem",
    "PluginReport",
    "load_plugins",
]


class PluginGroup(StrEnum):
    """The two entry-point groups a distribution declares plugins in.

    >>> [str(group) for group in PluginGroup]
    ['service_monitoring.modes', 'service_monitoring.sinks']
    """

    #: Evaluation modes: an :class:`~service_monitoring.EvaluationMode`, or a class or
    #: function returning one when called with no arguments.
    MODES = "service_monitoring.modes"
    #: Sinks: a factory called with no arguments that returns an
    #: :class:`~service_monitoring.IncidentSink`.
    SINKS = "service_monitoring.sinks"


#: A section of ``entry_points.txt`` that declares plugins of this package.
_GROUP_HEADER: Final = re.compile(
    r"^[ \t]*\[[ \t]*(service_monitoring\.(?:modes|sinks))[ \t]*\][ \t]*$", re.MULTILINE
)
#: What a distribution's name is compared by (PEP 503): runs of -, _ and . are one -.
_SEPARATORS: Final = re.compile(r"[-_.]+")
#: What a sink's name looks like: it is typed on the command line (``--sink NAME``).
_SINK_NAME: Final = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@dataclass(frozen=True, slots=True)
class Plugin:
    """A plugin that loaded: its group, its name, and the distribution that declared it.

    >>> print(Plugin(PluginGroup.MODES, "mean_above", "acme-modes", "1.0"))
    service_monitoring.modes 'mean_above' from acme-modes 1.0
    """

    group: PluginGroup
    name: str
    distribution: str
    version: str

    def __str__(self) -> str:
        return f"{self.group} {self.name!r} from {self.distribution} {self.version}"


@dataclass(frozen=True, slots=True)
class PluginProblem:
    """A plugin that did not load, and why: reported, never raised.

    ``name`` is the entry point's name, or ``""`` when the distribution's
    ``entry_points.txt`` declares the group but cannot be read at all.

    >>> print(PluginProblem(PluginGroup.SINKS, "pager", "acme", "1.0", "import failed: OSError"))
    service_monitoring.sinks 'pager' from acme 1.0: import failed: OSError
    """

    group: PluginGroup
    name: str
    distribution: str
    version: str
    reason: str

    def __str__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"{self.group}{name} from {self.distribution} {self.version}: {self.reason}"


@dataclass(frozen=True, slots=True, init=False)
class PluginReport:
    """What :func:`load_plugins` found: the modes and sinks to use, and every problem.

    ``modes`` is :data:`~service_monitoring.STANDARD_MODES` extended with the plugins'
    modes (frozen), or ``STANDARD_MODES`` itself when there are none; ``sinks`` maps each
    sink plugin's name to its factory; ``plugins`` lists what loaded, ``problems`` what
    did not. ``PluginReport()`` is the report of no plugins at all.

    >>> report = PluginReport()
    >>> report.modes.names(), report.plugins, report.problems
    (('threshold', 'consecutive', 'rate_of_change'), (), ())
    >>> report.make_sink("journal")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    service_monitoring.domain.errors.DomainError: no sink plugin 'journal' is installed;
    known sinks: none
    """

    modes: ModeRegistry
    sinks: Mapping[str, Callable[[], IncidentSink]]
    plugins: tuple[Plugin, ...]
    problems: tuple[PluginProblem, ...]

    def __init__(
        self,
        modes: ModeRegistry = STANDARD_MODES,
        sinks: Mapping[str, Callable[[], IncidentSink]] | None = None,
        plugins: tuple[Plugin, ...] = (),
        problems: tuple[PluginProblem, ...] = (),
    ) -> None:
        if not isinstance(modes, ModeRegistry):
            raise DomainError(f"modes must be a ModeRegistry, got {type(modes).__name__}")
        sinks = {} if sinks is None else sinks
        if not isinstance(sinks, Mapping):
            raise DomainError(f"sinks must be a mapping, got {type(sinks).__name__}")
        for name, factory in sinks.items():
            if not callable(factory):
                raise DomainError(f"sink {name!r}: the factory must be callable")
        for label, items, kind in (
            ("plugins", plugins, Plugin),
            ("problems", problems, PluginProblem),
        ):
            if not isinstance(items, tuple) or not all(isinstance(i, kind) for i in items):
                raise DomainError(f"{label} must be a tuple of {kind.__name__}")
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "sinks", MappingProxyType(dict(sinks)))  # a copy no one changes
        object.__setattr__(self, "plugins", plugins)
        object.__setattr__(self, "problems", problems)

    def make_sink(self, name: str) -> IncidentSink:
        """Call the factory of the sink plugin *name* and return the sink it built.

        Raises :class:`~service_monitoring.DomainError` naming the plugin when no sink
        plugin is called *name* (the message lists the known ones), when its factory
        raises, or when what it returns has no ``publish(alerts)`` method.
        """
        factory = self.sinks.get(name) if isinstance(name, str) else None
        if factory is None:
            known = ", ".join(sorted(self.sinks)) or "none"
            raise DomainError(f"no sink plugin {name!r} is installed; known sinks: {known}")
        try:
            sink = factory()
        except Exception as error:
            raise DomainError(
                f"sink plugin {name!r} failed to start: {_described(error)}"
            ) from None
        if not isinstance(sink, IncidentSink):
            raise DomainError(
                f"sink plugin {name!r} returned {type(sink).__name__}, "
                "which has no publish(alerts) method"
            )
        return sink


def load_plugins() -> PluginReport:
    """Find the mode and sink plugins of the installed distributions, and load them.

    Entry points are taken in order of name, then distribution, so the report is the same
    on every run. A plugin that fails is recorded in ``problems`` with the reason, and
    the others load: an import that raises (its type and message), an object that is not
    what its group expects, a mode whose name differs from its entry point's, or a name
    already taken by a standard mode or by a plugin earlier in that order. A distribution
    whose ``entry_points.txt`` has a section of these groups but cannot be parsed is a
    problem too; one without such a section is not looked at.
    Sink factories are not called here: :meth:`PluginReport.make_sink` does that.

    >>> load_plugins().modes.names()
    ('threshold', 'consecutive', 'rate_of_change')
    """
    from importlib.metadata import distributions  # only when plugins are wanted

    declared: dict[PluginGroup, list[EntryPoint]] = {group: [] for group in PluginGroup}
    unreadable: list[PluginProblem] = []
    seen: set[str] = set()
    for dist in distributions():  # in sys.path order: the first of two copies counts
        groups, key = _declares(dist)
        if not groups or (key and key in seen):
            continue
        seen.add(key)
        try:
            entries = dist.entry_points
        except Exception as error:  # a malformed entry_points.txt
            name, version = _named_distribution(dist)
            reason = f"its entry_points.txt cannot be read: {_described(error)}"
            unreadable.extend(PluginProblem(g, "", name, version, reason) for g in groups)
            continue
        for group in PluginGroup:
            declared[group].extend(entries.select(group=group))
    plugins: list[Plugin] = []
    problems = sorted(unreadable, key=lambda problem: (problem.group, problem.distribution))
    modes = _load_modes(_ordered(declared[PluginGroup.MODES]), plugins, problems)
    sinks = _load_sinks(_ordered(declared[PluginGroup.SINKS]), plugins, problems)
    return PluginReport(modes=modes, sinks=sinks, plugins=tuple(plugins), problems=tuple(problems))


def _declares(dist: Distribution) -> tuple[list[PluginGroup], str]:
    """The plugin groups *dist*'s ``entry_points.txt`` has a section for, and its name as
    distributions are compared; no groups when its metadata cannot be read."""
    try:
        text = dist.read_text("entry_points.txt") or ""
        key = _SEPARATORS.sub("-", str(dist.name or "")).lower()
    except (OSError, UnicodeDecodeError):
        return [], ""
    return [PluginGroup(group) for group in dict.fromkeys(_GROUP_HEADER.findall(text))], key


def _ordered(found: Iterable[EntryPoint]) -> list[EntryPoint]:
    return sorted(found, key=lambda entry: (entry.name, _distribution(entry)))


def _distribution(entry: EntryPoint) -> tuple[str, str]:
    """The name and version of the distribution that declared *entry*."""
    dist = entry.dist
    if dist is None:  # pragma: no cover - a distribution's entry points always know it
        return ("an unknown distribution", "?")
    return _named_distribution(dist)


def _named_distribution(dist: Distribution) -> tuple[str, str]:
    return (str(dist.name or "an unnamed distribution"), str(dist.version or "?"))


def _load_modes(
    entries: list[EntryPoint], plugins: list[Plugin], problems: list[PluginProblem]
) -> ModeRegistry:
    found: list[EvaluationMode] = []
    owners: dict[str, str] = {}
    registry = STANDARD_MODES.extended()
    for entry in entries:
        distribution, version = _distribution(entry)
        try:
            owner = "a standard mode" if entry.name in STANDARD_MODES else owners.get(entry.name)
            if owner is not None:  # refused before its module is imported
                raise _Refused(f"the name {entry.name!r} is taken by {owner}")
            mode = _mode_of(entry)
            try:
                registry.register(mode)
            except DomainError as error:
                raise _Refused(f"refused by the mode registry: {error}") from None
            except Exception as error:  # a mode whose attributes raise when read again
                raise _Refused(f"registering it failed: {_described(error)}") from None
        except _Refused as refusal:
            problems.append(
                PluginProblem(PluginGroup.MODES, entry.name, distribution, version, str(refusal))
            )
            continue
        owners[entry.name] = f"the plugin from {distribution}"
        found.append(mode)
        plugins.append(Plugin(PluginGroup.MODES, entry.name, distribution, version))
    if not found:
        return STANDARD_MODES
    return ModeRegistry(registry.as_mapping().values(), frozen=True)


def _mode_of(entry: EntryPoint) -> EvaluationMode:
    """The mode *entry* names, or :class:`_Refused` saying why it is none."""
    target = _loaded(entry)
    if isinstance(target, type) or (not _is_mode(target) and callable(target)):
        try:
            target = target()
        except (Exception, SystemExit) as error:
            raise _Refused(f"calling {_named(entry)}() failed: {_described(error)}") from None
    if not _is_mode(target):
        raise _Refused(
            f"not an evaluation mode: got {type(target).__name__}, "
            "which lacks name, check_rule and evaluate"
        )
    try:
        name = target.name
    except Exception as error:
        raise _Refused(f"reading the mode's name failed: {_described(error)}") from None
    if name != entry.name:
        raise _Refused(f"the entry point is named {entry.name!r} but the mode's name is {name!r}")
    return target


def _load_sinks(
    entries: list[EntryPoint], plugins: list[Plugin], problems: list[PluginProblem]
) -> dict[str, Callable[[], IncidentSink]]:
    sinks: dict[str, Callable[[], IncidentSink]] = {}
    owners: dict[str, str] = {}
    for entry in entries:
        distribution, version = _distribution(entry)
        try:
            if not _SINK_NAME.fullmatch(entry.name):
                raise _Refused(
                    f"a sink's name is a lower-case name such as 'journal' "
                    f"(letters, digits, _ and -, at most 40), got {entry.name!r}"
                )
            if entry.name in owners:
                raise _Refused(f"the name {entry.name!r} is taken by {owners[entry.name]}")
            factory = _loaded(entry)
            if not callable(factory):
                raise _Refused(
                    f"not callable: a sink plugin names a factory that takes no arguments "
                    f"and returns a sink; got {type(factory).__name__}"
                )
        except _Refused as refusal:
            problems.append(
                PluginProblem(PluginGroup.SINKS, entry.name, distribution, version, str(refusal))
            )
            continue
        owners[entry.name] = f"the plugin from {distribution}"
        sinks[entry.name] = factory
        plugins.append(Plugin(PluginGroup.SINKS, entry.name, distribution, version))
    return sinks


class _Refused(Exception):
    """Why one plugin did not load: becomes a :class:`PluginProblem`."""


def _loaded(entry: EntryPoint) -> object:
    """Import the object *entry* names; an import that raises is :class:`_Refused`."""
    try:
        return entry.load()
    except (Exception, SystemExit) as error:
        raise _Refused(f"import failed: {_described(error)}") from None


def _is_mode(candidate: object) -> TypeGuard[EvaluationMode]:
    """Whether *candidate* is a mode object (a class with the methods is not one)."""
    try:
        return not isinstance(candidate, type) and isinstance(candidate, EvaluationMode)
    except Exception:  # a property of the plugin's that raises while it is inspected
        return False


def _named(entry: EntryPoint) -> str:
    return entry.value.replace(":", ".")


def _described(error: BaseException) -> str:
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
