"""A rebuild keeps the search index whole.

Sphinx rewrites ``searchindex.js`` on every html build. On an incremental rebuild
it forgets the index entries of the pages it does not write again (upstream
sphinx-doc/sphinx#12599), so after a no-op rebuild the search box no longer finds
``activate_rule() (MonitoringPolicy method)``. conf/_ext/search_index_entries.py
restores them. The site is built here from its own copy, three times in the same
output and doctree folders, with the flags of ``tox -e docs``:

1. a full build;
2. an incremental rebuild with nothing changed: Sphinx must say so, and
   ``searchindex.js`` must come out byte for byte the same;
3. an incremental rebuild after one lesson was edited: every index entry and API
   object is still there, and the edit is indexed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docs_build import edited_lesson
from synthetic_course import NOT_COPIED

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ("-j", "auto", "-n", "-W", "--keep-going")  # html, as `tox -e docs` builds it
PREFIX, SUFFIX = "Search.setIndex(", ")"
# An index entry of an API method (autodoc records it; Sphinx lowercases the key).
METHOD_ENTRY = "activate_rule() (service_monitoring.monitoringpolicy method)"
EDIT_WORD = "quokkasaurus"  # in no page: proves the edited page was indexed again


@dataclass(frozen=True)
class Build:
    output: str
    searchindex: bytes

    @property
    def index(self) -> dict[str, Any]:
        text = self.searchindex.decode()
        assert text.startswith(PREFIX) and text.endswith(SUFFIX), text[:80]
        data: dict[str, Any] = json.loads(text.removeprefix(PREFIX).removesuffix(SUFFIX))
        return data


@dataclass(frozen=True)
class Builds:
    full: Build
    noop: Build
    edited: Build


def _build(repo: Path) -> Build:
    outdir = repo / "_build" / "html"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        *FLAGS,
        "-b",
        "html",
        "-c",
        str(repo / "conf"),
        "-d",
        str(repo / "_build" / "doctrees"),
        str(repo / "docs"),
        str(outdir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return Build(output, (outdir / "searchindex.js").read_bytes())


@pytest.fixture(scope="module")
def builds(site_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """Full, no-op and one-edit builds of a private copy of the session's site."""
    repo = tmp_path_factory.mktemp("search-index") / "repo"
    shutil.copytree(site_root, repo, ignore=NOT_COPIED)
    full = _build(repo)
    noop = _build(repo)
    lesson = edited_lesson(repo / "docs")
    lesson.write_text(f"{lesson.read_text()}\nA {EDIT_WORD} wandered into this lesson.\n")
    edited = _build(repo)
    return Builds(full, noop, edited)


def test_the_full_build_indexes_the_api_entries(builds: Builds) -> None:
    assert METHOD_ENTRY in builds.full.index["indexentries"]


def test_a_no_op_rebuild_writes_the_same_search_index(builds: Builds) -> None:
    assert "no targets are out of date" in builds.noop.output, "the rebuild was not a no-op"
    full, noop = builds.full.index, builds.noop.index
    missing = sorted(set(full["indexentries"]) - set(noop["indexentries"]))
    assert not missing, f"{len(missing)} index entries lost by the rebuild, e.g. {missing[:5]}"
    assert noop["indexentries"] == full["indexentries"]
    assert builds.noop.searchindex == builds.full.searchindex


def test_an_edited_lesson_keeps_every_other_pages_entries(builds: Builds) -> None:
    full, edited = builds.full.index, builds.edited.index
    assert "0 added, 1 changed, 0 removed" in builds.edited.output, builds.edited.output[-2000:]
    assert edited["indexentries"] == full["indexentries"]
    assert edited["objects"] == full["objects"]
    assert edited["docnames"] == full["docnames"]
    assert any(term.startswith(EDIT_WORD[:8]) for term in edited["terms"]), "edit not indexed"
