"""The code and the changelog follow the written policy, ``docs/capstone/versioning-policy.md``.

Each test holds one promise of the policy against the package as installed and against
``CHANGELOG.md``:

* a name the root still serves with a :class:`DeprecationWarning` is public in its new namespace,
  out of the root's ``__all__``, the same object, and its warning names the new import and a
  removal release later than the installed one;
* the release that deprecated it announced that removal release, at least one minor release ahead;
* no name in a public namespace's ``__all__`` warns;
* ``CHANGELOG.md`` has Unreleased only at the top, release headings in descending order, the
  newest of them the installed version, and only the five allowed subsections;
* every exit code the command defines is in the policy's table.

The moved names are not read from the root's private table: they are the names of
``service_monitoring.storage.__all__`` for which the root answers with a warning.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest

import service_monitoring
import service_monitoring.cli.app
import service_monitoring.storage
import service_monitoring.testing

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = ROOT / "CHANGELOG.md"
POLICY = ROOT / "docs" / "capstone" / "versioning-policy.md"
NAMESPACES = (service_monitoring, service_monitoring.storage, service_monitoring.testing)
SUBSECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed")
#: The first release predates the changelog rules: one list, no subsections.
FIRST_RELEASE = "1.0.0"
RELEASE = re.compile(r"\d+\.\d+\.\d+")
REMOVAL = re.compile(r"removed in (\d+\.\d+\.\d+)")

Version = tuple[int, int, int]


def parse(text: str) -> Version:
    assert RELEASE.fullmatch(text), f"{text!r} is not MAJOR.MINOR.PATCH"
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


INSTALLED = parse(version("service-monitoring"))


@dataclass
class Section:
    """One ``##`` section of the changelog: its heading, its subsections and their text."""

    heading: str
    subsections: list[str] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)


def changelog() -> list[Section]:
    sections: list[Section] = []
    current = ""
    for line in CHANGELOG.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append(Section(line[3:].strip()))
            current = ""
        elif line.startswith("### "):
            assert sections, f"a subsection before any release: {line!r}"
            current = line[4:].strip()
            sections[-1].subsections.append(current)
            sections[-1].text[current] = ""
        elif sections and current:
            sections[-1].text[current] += line + "\n"
    return sections


def releases() -> list[Section]:
    return [section for section in changelog() if section.heading != "Unreleased"]


def removal_in(message: str) -> str:
    """The one release a deprecation message names for the removal."""
    (removal,) = REMOVAL.findall(message)
    return removal


@dataclass(frozen=True)
class Deprecation:
    name: str
    message: str
    served: object


def root_deprecations() -> list[Deprecation]:
    """The storage names the root still serves, each with the one warning it gave."""
    found = []
    for name in service_monitoring.storage.__all__:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                served = getattr(service_monitoring, name)
            except AttributeError:
                continue
        assert [w.category for w in caught] == [DeprecationWarning], name
        found.append(Deprecation(name, str(caught[0].message), served))
    return found


@pytest.mark.parametrize("deprecation", root_deprecations(), ids=lambda d: d.name)
def test_a_deprecated_name_warns_with_its_new_import_and_a_removal_after_this_release(
    deprecation: Deprecation,
) -> None:
    name = deprecation.name
    assert f"from service_monitoring.storage import {name}" in deprecation.message
    assert deprecation.served is getattr(service_monitoring.storage, name)
    assert name not in service_monitoring.__all__
    removal = removal_in(deprecation.message)
    assert parse(removal) > INSTALLED, (
        f"{name} should have been removed in {removal}; version {INSTALLED} still serves it"
    )


def test_each_removal_was_announced_at_least_one_minor_release_ahead() -> None:
    for removal in {removal_in(d.message) for d in root_deprecations()}:
        announced = [
            release
            for release in releases()
            if f"removed in {removal}" in release.text.get("Deprecated", "")
        ]
        assert announced, f"no release lists the removal in {removal} under Deprecated"
        major, minor, _ = parse(announced[-1].heading)
        assert parse(removal) >= (major, minor + 1, 0), (announced[-1].heading, removal)


def test_a_removal_announced_for_a_later_release_is_still_warned_about() -> None:
    """The other direction: what the changelog says still warns does warn."""
    warned = {removal_in(d.message) for d in root_deprecations()}
    for release in releases():
        for removal in REMOVAL.findall(release.text.get("Deprecated", "")):
            if parse(removal) > INSTALLED:
                assert removal in warned, (release.heading, removal)


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda module: module.__name__)
def test_no_name_in_a_public_all_warns(namespace: ModuleType) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in namespace.__all__:
            getattr(namespace, name)


def test_unreleased_is_only_at_the_top() -> None:
    headings = [section.heading for section in changelog()]
    assert "Unreleased" not in headings[1:], headings


def test_release_headings_are_versions_in_descending_order() -> None:
    versions = [parse(release.heading) for release in releases()]
    assert versions, "no release in the changelog"
    assert versions == sorted(set(versions), reverse=True), versions


def test_the_installed_version_is_the_newest_release() -> None:
    newest = releases()[0].heading
    assert parse(newest) == INSTALLED, f"the changelog's newest release is {newest}"


def test_every_subsection_is_one_of_the_five_and_appears_once_per_release() -> None:
    for section in changelog():
        assert set(section.subsections) <= set(SUBSECTIONS), (section.heading, section.subsections)
        assert len(section.subsections) == len(set(section.subsections)), section.heading
        if section.heading not in ("Unreleased", FIRST_RELEASE):
            assert section.subsections, f"release {section.heading} has no subsection"


def test_every_exit_code_of_the_command_is_in_the_policy() -> None:
    codes = {
        value
        for name, value in vars(service_monitoring.cli.app).items()
        if name.startswith("EXIT_") and isinstance(value, int)
    }
    assert {0, 2, 3, 4, 5} <= codes
    page = POLICY.read_text(encoding="utf-8")
    assert [code for code in sorted(codes) if f"| `{code}` |" not in page] == []
