"""Every internal link of every built page lands on a file that exists, at an anchor that exists.

The test walks the whole output folder: every ``.html`` file, the lessons and also
the pages Sphinx and the extensions generate (``genindex``, ``search``,
``py-modindex``, the ``_modules/`` source pages of viewcode, the internals pages,
the 404 page). In each page it reads every URL the browser would follow or fetch:
``href``, ``src`` and ``srcset`` of any element (raw HTML in a page included),
a form's ``action``, and the modules an inline ``<script type="module">`` imports.

* A relative URL is resolved against the page's own folder, a root-absolute one
  (``/...``) against the site's root (the site is served at the root of its host,
  see ``notfound_urls_prefix`` in conf/conf.py); either must name a file in the
  output folder (a folder URL names its ``index.html``) and must not climb above
  the root.
* A ``#fragment`` must name an element of the target page: one with that ``id``,
  or an ``<a>`` with that ``name`` (as browsers resolve fragments). A fragment
  alone (``#top``) names an element of the same page.
* External ``http(s)`` URLs are not fetched. A *link* (``<a>``, ``<area>``) off the
  site is allowed only into the docs that intersphinx links to (``intersphinx_mapping``
  of conf/conf.py). Resources loaded from another host (scripts, stylesheets,
  images) are test_site_build.py's ``test_pages_load_nothing_from_the_network``.

Each page is parsed once, with the standard library's ``html.parser``; its ids and
links are kept, so checking a fragment costs a set look-up.
"""

from __future__ import annotations

import posixpath
import re
import runpy
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Attributes that hold a URL (and <object data>; srcset holds several).
URL_ATTRIBUTES = frozenset({"href", "src", "action", "poster"})
LINK_TAGS = frozenset({"a", "area"})  # navigation: the only kind allowed off-site
# URL schemes that name no file of the site and no page of another site.
NOT_A_LOCATION = ("mailto:", "tel:", "javascript:", "data:")
MODULE_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']""")


@dataclass
class Page:
    """What one parse of a page keeps: its anchors and the URLs in it."""

    anchors: set[str] = field(default_factory=set)
    urls: list[tuple[str, str]] = field(default_factory=list)  # (tag, url)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.in_module_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        self.in_module_script = tag == "script" and ("type", "module") in attrs

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.page.anchors.add(value)
            elif name in URL_ATTRIBUTES or (tag == "object" and name == "data"):
                self.page.urls.append((tag, value.strip()))
            elif name == "srcset":
                self.page.urls += [
                    (tag, part.split()[0]) for part in value.split(",") if part.strip()
                ]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_module_script = False

    def handle_data(self, data: str) -> None:
        if self.in_module_script:
            self.page.urls += [("script", url) for url in MODULE_IMPORT.findall(data)]


def parse(path: Path) -> Page:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


@cache
def allowed_offsite() -> tuple[str, ...]:
    """The base URLs of the docs intersphinx links to: the only off-site link targets."""
    conf = runpy.run_path(str(ROOT / "conf" / "conf.py"))
    mapping: dict[str, tuple[str, object]] = conf["intersphinx_mapping"]
    return tuple(base.rstrip("/") + "/" for base, _ in mapping.values())


@dataclass
class Site:
    """A built site: its files, listed once, and its pages, each parsed at most once."""

    root: Path
    files: set[str] = field(init=False)  # every file, relative to the root
    pages: dict[str, Page] = field(default_factory=dict)  # relative path -> parsed page

    def __post_init__(self) -> None:
        self.files = {
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file()
        }

    def page(self, relative: str) -> Page:
        if relative not in self.pages:
            self.pages[relative] = parse(self.root / relative)
        return self.pages[relative]

    def resolve(self, page: str, path: str) -> str | None:
        """The file a URL's path names, relative to the root; None if it climbs out of it.

        A folder names its ``index.html``, with or without the slash (a server redirects
        ``/guides`` to ``/guides/``).
        """
        path = unquote(path)
        if path.startswith("/"):
            joined = path.lstrip("/")
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        target = posixpath.normpath(joined) if joined else "."
        if target == ".." or target.startswith("../"):
            return None
        index = "index.html" if target == "." else f"{target}/index.html"
        if path.endswith("/") or target == "." or index in self.files:
            return index
        return target

    def broken_links(self, page: str, offsite: tuple[str, ...]) -> Iterator[str]:
        """Every URL of ``page`` that does not resolve, each with the reason."""
        for tag, url in self.page(page).urls:
            if not url or url.lower().startswith(NOT_A_LOCATION):
                continue
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if tag in LINK_TAGS and not url.startswith(offsite):
                    yield f"<{tag}> {url}: links off the site"
                continue  # external: not fetched (resources: test_site_build.py)
            if parts.path:
                target = self.resolve(page, parts.path)
                if target is None:
                    yield f"<{tag}> {url}: climbs above the site's root"
                    continue
                if target not in self.files:
                    yield f"<{tag}> {url}: no file {target}"
                    continue
            else:
                target = page  # "#anchor" or "?query": this page
            fragment = unquote(parts.fragment)
            if fragment and target.endswith(".html") and fragment not in self.page(target).anchors:
                yield f"<{tag}> {url}: no id or name {fragment!r} in {target}"


def broken_links(root: Path) -> list[str]:
    """Every broken internal link of the site in ``root``, as 'page: <tag> url: reason'."""
    site = Site(root)
    offsite = allowed_offsite()
    pages = sorted(name for name in site.files if name.endswith(".html"))
    return [f"{page}: {problem}" for page in pages for problem in site.broken_links(page, offsite)]


def test_every_internal_link_and_anchor_resolves(html_dir: Path) -> None:
    broken = broken_links(html_dir)
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken)


def test_the_walk_covers_the_generated_pages(html_dir: Path) -> None:
    """The walk reaches the pages Sphinx and the extensions make, not only the lessons."""
    pages = {path.relative_to(html_dir).as_posix() for path in html_dir.rglob("*.html")}
    for generated in ("genindex.html", "search.html", "py-modindex.html", "404.html"):
        assert generated in pages
    assert any(page.startswith("_modules/") for page in pages), "no viewcode pages"
    assert any(page.startswith("reference/api/internals/") for page in pages)


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ('<a href="missing.html">x</a>', "no file guides/missing.html"),
        ('<a href="../index.html#nowhere">x</a>', "no id or name 'nowhere' in index.html"),
        ('<a href="#nowhere">x</a>', "no id or name 'nowhere' in guides/page.html"),
        ('<img src="/_static/none.png">', "no file _static/none.png"),
        ('<a href="../../index.html">x</a>', "climbs above the site's root"),
        ('<a href="https://example.com/">x</a>', "links off the site"),
        ('<script type="module">import m from "./gone.mjs";</script>', "no file guides/gone.mjs"),
    ],
)
def test_a_broken_link_is_reported(tmp_path: Path, markup: str, problem: str) -> None:
    (tmp_path / "guides").mkdir()
    (tmp_path / "index.html").write_text('<h1 id="top">Home</h1>')
    (tmp_path / "guides" / "page.html").write_text(
        f'<p id="here"><a name="named">.</a>{markup}'
        '<a href="../index.html#top">ok</a><a href="#named">ok</a><a href="#">ok</a>'
        '<a href="https://docs.python.org/3/library/abc.html">ok</a></p>'
    )
    broken = broken_links(tmp_path)
    assert len(broken) == 1, broken
    assert broken[0].startswith("guides/page.html: ")
    assert problem in broken[0]
