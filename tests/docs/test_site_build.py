"""The site builds with no warnings, every page is in the navigation, and it needs no network."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from conftest import Build

DOCS = Path(__file__).resolve().parents[2] / "docs"

# Pages allowed outside every toctree, each with the reason. Prefer none.
ALLOWED_ORPHANS: dict[str, str] = {}


def test_html_build_has_no_warnings(html_build: Build) -> None:
    assert html_build.warnings == "", "sphinx-build -n -W warned:\n" + html_build.warnings
    assert html_build.returncode == 0, html_build.output[-4000:]


def test_the_site_build_uses_the_fast_navigation(html_build: Build) -> None:
    """conf/ enables the speed-up that test_sidebar_equivalence.py proves harmless: it ran."""
    assert "fast_navigation: the sidebar navigation is built once for" in html_build.output


class _Links(HTMLParser):
    """Collects the ``href`` of the links inside the first element with a given class."""

    def __init__(self, container_class: str) -> None:
        super().__init__()
        self.container_class = container_class
        self.depth = 0  # > 0 while inside the container
        self.done = False
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "a" and attributes.get("href"):
                self.hrefs.append(attributes["href"] or "")
        elif not self.done and self.container_class in (attributes.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1
            self.done = self.depth == 0


def test_every_page_is_in_a_toctree(html_dir: Path) -> None:
    """furo's sidebar on the home page is the whole toctree, hidden toctrees included."""
    parser = _Links("sidebar-tree")
    parser.feed((html_dir / "index.html").read_text())
    in_navigation = {urlsplit(href).path for href in parser.hrefs}
    pages = {page.relative_to(DOCS).with_suffix(".html").as_posix() for page in DOCS.rglob("*.md")}
    outside = sorted(
        pages
        - in_navigation
        - {"index.html"}
        - {str(Path(orphan).with_suffix(".html")) for orphan in ALLOWED_ORPHANS}
    )
    assert not outside, f"pages reachable from no toctree: {outside}"


def test_orphans_are_declared_here_with_a_reason() -> None:
    declared = {
        page.relative_to(DOCS).as_posix()
        for page in DOCS.rglob("*.md")
        if re.search(r"^orphan:\s*true\s*$", page.read_text(), re.MULTILINE)
    }
    assert declared <= set(ALLOWED_ORPHANS), (
        f"pages marked orphan without an entry in ALLOWED_ORPHANS: {sorted(declared)}"
    )


class _ExternalResources(HTMLParser):
    """Scripts, stylesheets, images and frames the browser would fetch from another host."""

    LOADED: ClassVar[dict[str, str]] = {
        "script": "src",
        "link": "href",
        "img": "src",
        "iframe": "src",
        "source": "src",
    }

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.in_script = tag == "script"
        url = attributes.get(self.LOADED.get(tag, ""))
        rel = attributes.get("rel") or ""
        if tag == "link" and not {"stylesheet", "preload", "modulepreload", "icon"} & set(
            rel.split()
        ):
            return  # a plain link is navigation, not a resource
        if url and _is_remote(url):
            self.external.append(f"<{tag}> {url}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            # ES module imports in inline scripts: import x from "..."; import("...")
            for url in re.findall(r"""(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']""", data):
                if _is_remote(url):
                    self.external.append(f"<script> import {url}")


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def test_pages_load_nothing_from_the_network(html_dir: Path) -> None:
    offenders = []
    for page in sorted(html_dir.rglob("*.html")):
        parser = _ExternalResources()
        parser.feed(page.read_text())
        offenders += [f"{page.relative_to(html_dir)}: {item}" for item in parser.external]
    assert not offenders, "pages fetch from other hosts:\n" + "\n".join(offenders)


def test_mermaid_is_loaded_from_the_vendored_copy(html_dir: Path) -> None:
    home = (html_dir / "index.html").read_text()
    assert 'import mermaid from "./_static/mermaid/mermaid.esm.min.mjs"' in home
    assert "cdn.jsdelivr" not in home
    assert (html_dir / "_static" / "mermaid" / "mermaid.esm.min.mjs").is_file()
    assert any((html_dir / "_static" / "mermaid" / "chunks" / "mermaid.esm.min").glob("*.mjs"))


def test_stylesheets_import_nothing_from_the_network(html_dir: Path) -> None:
    remote = re.compile(r"""(@import\s+(url\()?|url\()\s*["']?(https?:)?//""")
    offenders = [
        str(sheet.relative_to(html_dir))
        for sheet in sorted((html_dir / "_static").rglob("*.css"))
        if remote.search(sheet.read_text())
    ]
    assert not offenders, f"stylesheets that fetch from other hosts: {offenders}"
