"""The 404 page works wherever the server shows it.

A server answers every missing address with ``404.html`` without redirecting, so
the browser resolves the page's URLs against the address it asked for: ``/nope``
as well as ``/module-05-x/deep/nope``. sphinx-notfound-page makes the page's URLs
root-absolute (``notfound_urls_prefix`` in conf/conf.py: the site is served at
the root of its host). Here every URL of the built page (links, stylesheets,
scripts, the modules an inline script imports, form actions) is resolved, as a
browser would, against several such addresses, and must name a file of the built
site, at an anchor that exists. External URLs are left to test_links.py (links)
and test_site_build.py (resources).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

HOST = "http://127.0.0.1:8000"
# Where a learner may land: the root, a folder of the site, and folders that do not exist.
SERVED_AT = (
    "/nope",
    "/module-05-resources-failures-safe-evolution/deep/nope",
    "/reference/api/internals/a/b/c/missing.html",
    "/guides/",
)
MODULE_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']""")


class _Urls(HTMLParser):
    """The URLs of a page and its anchors (ids, and names of <a>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.in_module_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in {"href", "src", "action"}:
                self.urls.append(value.strip())
            elif name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
        self.in_module_script = tag == "script" and ("type", "module") in attrs

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_module_script = False

    def handle_data(self, data: str) -> None:
        if self.in_module_script:
            self.urls += MODULE_IMPORT.findall(data)


def _parse(path: Path) -> _Urls:
    parser = _Urls()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def not_found(html_dir: Path) -> _Urls:
    page = html_dir / "404.html"
    assert page.is_file(), "the build wrote no 404.html"
    return _parse(page)


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith(("mailto:", "data:"))


def test_every_url_is_root_absolute(not_found: _Urls) -> None:
    """A relative URL resolves differently at each depth, so none may be relative."""
    relative = [
        url
        for url in not_found.urls
        if not _is_external(url) and not url.startswith(("/", "#")) and url != ""
    ]
    assert not relative, f"URLs in 404.html that depend on the address shown: {relative}"


@pytest.mark.parametrize("served", SERVED_AT)
def test_every_url_resolves_when_served_from(html_dir: Path, not_found: _Urls, served: str) -> None:
    page = HOST + served
    ids_of: dict[Path, set[str]] = {html_dir / "404.html": not_found.ids}
    broken = []
    for url in not_found.urls:
        if not url or _is_external(url):
            continue
        parts = urlsplit(urljoin(page, url))
        if parts.path == urlsplit(page).path:  # "#anchor": the 404 page itself
            target = html_dir / "404.html"
        else:
            relative = unquote(parts.path).lstrip("/")
            target = html_dir / relative
            if not relative or relative.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{url} -> {parts.path}: no such file")
                continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html":
            if target not in ids_of:
                ids_of[target] = _parse(target).ids
            if fragment not in ids_of[target]:
                broken.append(f"{url} -> {parts.path}: no id {fragment!r}")
    assert not broken, f"404.html served at {served}:\n" + "\n".join(broken)


def test_the_page_says_where_the_learner_is_and_how_back(html_dir: Path) -> None:
    html = (html_dir / "404.html").read_text(encoding="utf-8")
    assert "<title>Page not found" in html
    assert "<h1>Page not found</h1>" in html
    assert "You are still on the course site" in html
    for target in ("/index.html", "/module-00-orientation/first-contact-map.html", "/search.html"):
        assert f'href="{target}"' in html, target
        assert (html_dir / target.lstrip("/")).is_file(), target


def test_the_page_loads_no_script_that_reads_its_relative_content_root(html_dir: Path) -> None:
    """The extension leaves ``data-content_root`` relative; only searchtools.js reads it.

    Search runs on search.html, which the 404 page's search box and link open; should
    the 404 page itself ever load searchtools.js, its results would link relative to
    the address shown, and this test says so.
    """
    html = (html_dir / "404.html").read_text(encoding="utf-8")
    assert "searchtools.js" not in html


def test_the_page_is_not_in_the_search_index(html_dir: Path) -> None:
    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text.removeprefix("Search.setIndex(").removesuffix(")"))
    assert "404" not in index["docnames"]
