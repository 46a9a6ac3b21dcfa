"""The docs build's speed-ups change how fast the site is built, never one byte of it.

Three builds of the same generated course (the lesson-shaped pages that
``tox -e bench-docs`` measures: code, doctest and testcode blocks, a mermaid
diagram, a dropdown, a glossary, cross-references, nested toctrees) are
compared file by file, every byte of every file in the output folder:

* **stock**: serial, without the local speed-up extensions
  (``fast_navigation``), that is stock furo and Sphinx;
* **configured**: serial, with ``conf/`` as it is;
* **parallel**: with ``conf/`` as it is and ``-j 2``, as ``tox -e docs`` builds
  (``-j auto``) on a machine with two cores.

tests/docs/test_sidebar_equivalence.py checks the sidebar on a sample made to
stress the navigation; this test checks everything else.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from synthetic_course import write_synthetic_course

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"
SPEEDUPS = ("fast_navigation",)
PAGES = 30  # three modules: enough for Sphinx to split the work between two processes


@dataclass(frozen=True)
class Site:
    outdir: Path
    output: str


def build(docs: Path, name: str, *options: str) -> Site:
    outdir = docs.parent / name
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-n",
        "-W",
        "--keep-going",
        *options,
        "-b",
        "html",
        "-c",
        str(CONF),
        "-d",
        str(docs.parent / f"{name}-doctrees"),
        str(docs),
        str(outdir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return Site(outdir, output)


def stock_extensions() -> str:
    extensions: list[str] = runpy.run_path(str(CONF / "conf.py"))["extensions"]
    return ",".join(name for name in extensions if name not in SPEEDUPS)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's generated pages, so the test checks the pages whose speed is measured."""
    docs = tmp_path_factory.mktemp("speedups") / "docs"
    write_synthetic_course(docs, PAGES)
    return docs


@pytest.fixture(scope="module")
def stock(course: Path) -> Site:
    return build(course, "stock", "-D", f"extensions={stock_extensions()}")


@pytest.fixture(scope="module")
def configured(course: Path) -> Site:
    return build(course, "configured")


@pytest.fixture(scope="module")
def parallel(course: Path) -> Site:
    return build(course, "parallel", "-j", "2")


def files(site: Site) -> Iterator[Path]:
    return (path.relative_to(site.outdir) for path in site.outdir.rglob("*") if path.is_file())


def differences(one: Site, other: Site) -> list[str]:
    names = set(files(one)) | set(files(other))
    return sorted(
        str(name)
        for name in names
        if not (one.outdir / name).is_file()
        or not (other.outdir / name).is_file()
        or (one.outdir / name).read_bytes() != (other.outdir / name).read_bytes()
    )


def test_the_configured_build_is_byte_identical_to_stock(stock: Site, configured: Site) -> None:
    assert "fast_navigation: the sidebar navigation is built once" in configured.output
    assert "fast_navigation" not in stock.output
    assert differences(stock, configured) == []


def test_the_parallel_build_is_byte_identical_to_the_serial_one(
    configured: Site, parallel: Site
) -> None:
    # Sphinx reports chunks of pages ("a .. b") only when worker processes read them.
    assert " .. " in parallel.output and " .. " not in configured.output
    assert differences(configured, parallel) == []


def test_the_comparison_covers_what_the_speedups_touch(stock: Site) -> None:
    names = {str(name) for name in files(stock)}
    assert len([name for name in names if name.endswith(".html")]) >= PAGES
    assert "searchindex.js" in names  # the memoized stemmer feeds it
    lesson = (stock.outdir / "module-01" / "lesson-01.html").read_text()
    assert 'class="highlight' in lesson  # pygments' style tables
    assert "mermaid" in lesson  # sphinxcontrib-mermaid's page script
    assert 'class="sidebar-tree"' in lesson  # furo's navigation
