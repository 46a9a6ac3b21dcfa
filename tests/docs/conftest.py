"""Shared fixtures of the site's build gates.

The site is built once per test session, from a copy of the repository in a
temporary directory (the copy keeps the layout, so ``literalinclude`` paths from
``docs/`` into ``src/`` and ``tests/`` still resolve). The tests read the built
HTML, the warning log and ``objects.inv``; the doctest gate re-uses the copy and
its doctree cache, so the pages are read only once.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from synthetic_course import NOT_COPIED

ROOT = Path(__file__).resolve().parents[2]

# The flags of `tox -e docs`: nitpicky, warnings are errors, report them all; its html
# build also runs with -j auto (its doctest build reads nothing and writes serially).
FLAGS = ("-n", "-W", "--keep-going")
PARALLEL = ("-j", "auto")


@dataclass(frozen=True)
class Build:
    """One run of sphinx-build."""

    returncode: int
    output: str  # stdout and stderr together
    warnings: str  # the content of the -w file
    outdir: Path


SphinxBuild = Callable[..., Build]


@pytest.fixture(scope="session")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository that the session's builds may change.

    It leaves out what a snapshot of the docs build benchmark leaves out
    (``NOT_COPIED`` of benchmarks/synthetic_course.py: output, caches, VCS data).
    """
    root = tmp_path_factory.mktemp("site") / "repo"
    shutil.copytree(ROOT, root, ignore=NOT_COPIED)
    return root


@pytest.fixture(scope="session")
def sphinx_build(site_root: Path) -> SphinxBuild:
    """Run sphinx-build on the copy with the flags of `tox -e docs`."""

    def build(builder: str, *filenames: str) -> Build:
        outdir = site_root / "_build" / builder
        warnings_file = site_root / "_build" / f"{builder}-warnings.txt"
        outdir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "sphinx",
            *(PARALLEL if builder == "html" else ()),
            *FLAGS,
            "-b",
            builder,
            "-c",
            str(site_root / "conf"),
            "-d",
            str(site_root / "_build" / "doctrees"),
            "-w",
            str(warnings_file),
            str(site_root / "docs"),
            str(outdir),
            *filenames,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        return Build(
            returncode=result.returncode,
            output=result.stdout + result.stderr,
            warnings=warnings_file.read_text() if warnings_file.exists() else "",
            outdir=outdir,
        )

    return build


@pytest.fixture(scope="session")
def html_build(sphinx_build: SphinxBuild) -> Build:
    """The site, built once per session as `tox -e docs` builds it."""
    return sphinx_build("html")


@pytest.fixture(scope="session")
def html_dir(html_build: Build) -> Path:
    """The built HTML, even if the build warned (test_site_build reports warnings).

    Fails, rather than skips, the tests that need it when there is no site at all.
    """
    if not (html_build.outdir / "objects.inv").is_file():
        pytest.fail(f"the html build produced no site:\n{html_build.output[-4000:]}")
    return html_build.outdir
