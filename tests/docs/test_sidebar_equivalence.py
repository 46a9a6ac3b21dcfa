"""conf/_ext/fast_navigation.py changes how furo's sidebar is built, never what it shows.

A small generated site (nested and hidden toctrees, captions, pages in folders
four levels deep, an external link, ``self``, a generated index entry, explicit
and marked-up titles, a page listed twice, an orphan) is built with the real
``conf/`` twice: as configured, and with the fast navigation left out of
``extensions`` (stock furo). The sidebar navigation of every HTML page, the
current page marked and its ancestors expanded, must be the same string.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"
EXTENSION = "fast_navigation"
ACTIVE = "fast_navigation: the sidebar navigation is built once for"

SAMPLE: dict[str, str] = {
    "index.md": """\
# Sample course

The home page.

```{toctree}
:caption: Start here

guides/start
Study routes <guides/routes>
```

```{toctree}
:caption: Modules
:hidden:

module-a/index
module-b/index
```

```{toctree}
:caption: Elsewhere

Python's documentation <https://docs.python.org/3/>
self
reference/index
```
""",
    "guides/start.md": "# Start here\n\nFirst steps.\n\n## A section\n\nText.\n",
    "guides/routes.md": "# Routes through the course\n\nText.\n",
    "module-a/index.md": """\
# Module A: objects

```{toctree}
:maxdepth: 1

lesson-1
lesson-2
deeper/index
```
""",
    "module-a/lesson-1.md": "# Lesson A1\n\nText.\n\n## Sections are not in the sidebar\n",
    "module-a/lesson-2.md": "# Lesson A2: `code` & <markup>\n\nText.\n",
    "module-a/deeper/index.md": """\
# Deeper topics

```{toctree}
deep-1
deep-2
deepest/index
```
""",
    "module-a/deeper/deep-1.md": "# Deep one\n\nText.\n",
    "module-a/deeper/deep-2.md": "# Deep two\n\nText.\n",
    "module-a/deeper/deepest/index.md": """\
# The deepest level

```{toctree}
leaf-1
leaf-2
```
""",
    "module-a/deeper/deepest/leaf-1.md": "# Leaf one\n\nText.\n",
    "module-a/deeper/deepest/leaf-2.md": "# Leaf two\n\nText.\n",
    "module-b/index.md": """\
# Module B: failures

Text before the parts.

## Part one

```{toctree}
Renamed lesson <lesson-1>
lesson-2
/module-a/lesson-1
```

## Part two

```{toctree}
:hidden:

lesson-3
```
""",
    "module-b/lesson-1.md": "# Lesson B1\n\nText.\n",
    "module-b/lesson-2.md": "# Lesson B2\n\nText.\n",
    "module-b/lesson-3.md": "# Lesson B3 (hidden toctree)\n\nText.\n",
    "reference/index.md": """\
# Reference

```{toctree}
:titlesonly:

glossary
api
/genindex
```
""",
    "reference/glossary.md": "# Glossary\n\n```{glossary}\nterm\n  A definition.\n```\n",
    "reference/api.md": "# API notes\n\nText.\n",
    "orphan.md": "---\norphan: true\n---\n\n# An orphan page\n\nIn no toctree.\n",
}


@dataclass(frozen=True)
class Site:
    outdir: Path
    output: str


def stock_extensions() -> list[str]:
    extensions: list[str] = runpy.run_path(str(CONF / "conf.py"))["extensions"]
    return [name for name in extensions if name != EXTENSION]


def build(source: Path, outdir: Path, *overrides: str) -> Site:
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        str(CONF),
        "-d",
        str(outdir.with_name(outdir.name + "-doctrees")),
        *overrides,
        str(source),
        str(outdir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return Site(outdir, output)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("sidebar") / "docs"
    for name, text in SAMPLE.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text)
    return source


@pytest.fixture(scope="module")
def fast(sample: Path) -> Site:
    return build(sample, sample.parent / "fast")


@pytest.fixture(scope="module")
def stock(sample: Path) -> Site:
    return build(
        sample, sample.parent / "stock", "-D", "extensions=" + ",".join(stock_extensions())
    )


def sidebar(page: Path) -> str:
    """The HTML inside furo's ``<div class="sidebar-tree">``, its nested divs included."""
    html = page.read_text()
    start = html.index('<div class="sidebar-tree">') + len('<div class="sidebar-tree">')
    depth = 1
    for tag in re.finditer(r"<(/?)div\b", html[start:]):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return html[start : start + tag.start()]
    raise AssertionError(f"unclosed sidebar-tree in {page}")


def test_the_fast_path_ran_in_one_build_and_not_in_the_other(fast: Site, stock: Site) -> None:
    assert ACTIVE in fast.output, fast.output[-4000:]
    assert "fast_navigation" not in stock.output


def test_every_page_has_the_sidebar_of_stock_furo(fast: Site, stock: Site) -> None:
    pages = sorted(path.relative_to(stock.outdir) for path in stock.outdir.rglob("*.html"))
    assert sorted(path.relative_to(fast.outdir) for path in fast.outdir.rglob("*.html")) == pages
    assert len(pages) >= len(SAMPLE) + 2  # every source page, plus genindex and search
    different = [
        str(page) for page in pages if sidebar(fast.outdir / page) != sidebar(stock.outdir / page)
    ]
    assert not different, f"sidebars differ from stock furo on: {different}"


def test_the_comparison_is_not_vacuous(stock: Site) -> None:
    """The sample exercises what changes from page to page: marks, expansion, relative links."""
    leaf = sidebar(stock.outdir / "module-a" / "deeper" / "deepest" / "leaf-1.html")
    assert leaf.count("current-page") == 1
    assert leaf.count('checked=""') == 3  # module A, deeper topics, deepest level expanded
    assert 'href="../../../index.html"' in leaf or 'href="../../../module-a/index.html"' in leaf
    assert 'href="#"' in leaf
    twice = sidebar(stock.outdir / "module-a" / "lesson-1.html")
    assert twice.count('class="current reference internal"') == 2  # in module A and in B
    orphan = sidebar(stock.outdir / "orphan.html")
    assert "current" not in orphan
    assert orphan.count("toctree-l1") > 5
