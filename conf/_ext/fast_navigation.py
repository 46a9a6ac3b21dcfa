"""furo's sidebar navigation, built once per build instead of once per page.

The problem
    furo puts the whole site navigation into every page's sidebar. For each page
    its ``html-page-context`` handler (``furo._html_page_context``) calls the
    ``toctree`` template function with ``collapse=False, titles_only=True,
    maxdepth=-1, includehidden=True``: Sphinx resolves and copies the entire
    toctree for that page (``global_toctree_for_doc``) and renders it to HTML,
    then ``furo.navigation.get_navigation_tree`` parses that HTML with
    BeautifulSoup to add the expand/collapse checkboxes. Each step costs
    O(pages), so a build costs O(pages²): at 200 pages, more than half the build.
    furo has no setting to avoid it (upstream: pradyunsg/furo pull requests #674,
    a navigation depth, and #939, a tree parsed once; both open).

What actually differs from page to page
    With ``collapse=False`` the tree has the same shape on every page. Only four
    things depend on the current page:

    1. the ``href`` of each internal link, relative to the current page
       (``builder.get_relative_uri``; the link to the page itself is ``#``);
    2. the ``current`` class, which Sphinx adds to the link of the current page
       and to every ``<ul>``/``<li>``/``<a>`` around it (the HTML writer drops
       repeated classes, so an element around two links to the page has it once);
    3. furo's ``checked=""`` on the checkbox of every ``<li>`` that has ``current``
       (its branch is expanded);
    4. furo's ``current-page`` class on the last ``<li>`` with ``current``.

How this extension builds it
    Once per build, the first time furo asks for the navigation, the tree is
    built by the same code furo runs (``global_toctree_for_doc``, the builder's
    ``render_partial``, furo's ``get_navigation_tree``, with the same arguments)
    for a page that is not in the tree, with a *placeholder* in each of the four
    places: a placeholder class where ``current`` would go, a placeholder href, a
    placeholder class where ``current-page`` would go and a placeholder
    ``checked`` value. The result is cut at the placeholders into a template.
    For each page, the placeholders are then filled in: the hrefs from
    ``get_relative_uri``, the classes from the ancestors of the links to the page.
    That is a string join, O(pages) with a tiny constant, instead of a toctree
    resolution, an HTML rendering and an HTML parse.

How it plugs in, without touching furo
    An ``html-page-context`` handler that runs before furo's (priority 400)
    wraps the page's ``toctree`` function: called with furo's exact arguments it
    returns ``""`` (for which furo's code does nothing) and keeps this page's
    navigation aside; any other call goes to Sphinx unchanged. A handler after
    furo's (priority 600) puts the original function back and sets
    ``furo_navigation_tree``. If furo is not the theme, or does not call
    ``toctree`` that way, nothing is intercepted and nothing changes.

When it steps aside
    The output must be byte-identical to furo's: tests/docs/test_sidebar_equivalence.py
    compares the sidebar of every page of a sample built both ways. Where this
    scheme could differ, the page falls back to furo's own code: a builder with
    its own ``_get_local_toctree`` (singlehtml), ``only`` directives inside page
    tables of contents (Sphinx copies those differently for the current page's
    ancestors), a template that does not survive a BeautifulSoup round trip, an
    unexpected placeholder count, or an href that would need HTML escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bs4 import BeautifulSoup, Tag
from docutils import nodes
from furo.navigation import get_navigation_tree  # type: ignore[import-untyped]
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.util import logging

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

# The exact call in furo._compute_navigation_tree (furo 2025.12.19).
FURO_TOCTREE_ARGUMENTS: dict[str, object] = {
    "collapse": False,
    "titles_only": True,
    "maxdepth": -1,
    "includehidden": True,
}

# A docname that is no page: the template is resolved "from nowhere", so no link is current.
NEUTRAL_DOCNAME = "\x00fast-navigation-template"

# Placeholders. Plain ASCII class names and attribute values: the HTML writer and
# BeautifulSoup pass them through unchanged. The counts are checked after rendering,
# so a page title that happened to contain one could not go unnoticed.
PREFIX = "x-fastnav-"
PLACEHOLDER = re.compile(
    rf"""
      (?P<only>\ class="{PREFIX}m(?P<only_id>\d+)")     # the element's only class
    | (?<=class=")(?P<first>{PREFIX}m(?P<first_id>\d+)\ )  # first of several classes
    | (?P<after>\ {PREFIX}m(?P<after_id>\d+))(?=[\ "])  # after another class
    | (?P<href>{PREFIX}h(?P<href_id>\d+))(?=")          # an href value
    | (?P<page>\ {PREFIX}p(?P<page_id>\d+))(?=")        # where furo's current-page goes
    | (?P<checked>\ checked="{PREFIX}c(?P<checked_id>\d+)")  # furo's checked=""
    """,
    re.VERBOSE,
)
SLOT_KINDS = ("only", "first", "after", "href", "page", "checked")
HTML_SPECIAL = re.compile(r"""[&<>"']""")


class _RecordingBuilder:
    """Stands in for the builder while the template is resolved.

    ``global_toctree_for_doc`` uses its builder only to make each internal link
    relative to the page; this one returns a placeholder href instead and records
    which document the link points to.
    """

    def __init__(self) -> None:
        self.targets: list[str] = []

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        self.targets.append(to)
        return f"{PREFIX}h{len(self.targets) - 1}"


@dataclass
class _Marks:
    """What ``_mark_tree`` learnt about the tree it marked."""

    targets: list[str]  # href id -> docname the link points to
    anchors: list[str]  # href id -> "#anchor" or ""
    chains: dict[str, list[list[int]]]  # docname -> per link to it: the marked elements around it
    markers: int  # placeholder classes put into the tree: ids 0 .. markers - 1
    li_order: dict[int, int] = field(default_factory=dict)  # <li> marker -> document order


def _mark_tree(tree: nodes.Element, recorder: _RecordingBuilder) -> _Marks:
    """Put a placeholder class on every <ul>, <li> and <a>; note the links and their ancestors.

    Sphinx appends ``current`` to the classes of these nodes after their other
    classes, which is exactly where the placeholder goes. (The paragraphs around
    links render no tag, so their classes never show.)
    """
    chains: dict[str, list[list[int]]] = {}
    anchors: list[str] = [""] * len(recorder.targets)
    marked = 0

    def visit(node: nodes.Element, ancestors: list[int]) -> None:
        nonlocal marked
        if isinstance(node, (nodes.bullet_list, nodes.list_item, nodes.reference)):
            node["classes"].append(f"{PREFIX}m{marked}")
            ancestors = [*ancestors, marked]
            marked += 1
        if isinstance(node, nodes.reference):
            refuri: str = node["refuri"]
            anchor: str = node.get("anchorname", "")
            if refuri.startswith(f"{PREFIX}h"):  # internal: made relative per page
                href = int(refuri.removeprefix(f"{PREFIX}h").removesuffix(anchor))
                anchors[href] = anchor
                node["refuri"] = f"{PREFIX}h{href}"
                target = recorder.targets[href]
            else:  # an external URL, the same on every page
                target = refuri
            if not anchor:  # Sphinx marks only links to the page itself, not to its sections
                chains.setdefault(target, []).append(ancestors)
        for child in node.children:
            if isinstance(child, nodes.Element):
                visit(child, ancestors)

    visit(tree, [])
    return _Marks(recorder.targets, anchors, chains, marked)


def _placeholder_html(furo_html: str, marks: _Marks) -> str | None:
    """Add furo's per-page placeholders (current-page, checked) to furo's output.

    The HTML is parsed and written back by BeautifulSoup, as furo does, so the
    attributes land where BeautifulSoup puts them; the round trip must be exact.
    """
    soup = BeautifulSoup(furo_html, "html.parser")
    if str(soup) != furo_html:
        return None
    for li in soup.find_all("li"):
        classes: list[str] = li.get_attribute_list("class")
        markers = [name for name in classes if name.startswith(f"{PREFIX}m")]
        if len(markers) != 1:
            return None
        marker = int(markers[0].removeprefix(f"{PREFIX}m"))
        marks.li_order[marker] = len(marks.li_order)
        li["class"] = " ".join([*classes, f"{PREFIX}p{marker}"])  # furo appends current-page last
        checkbox = li.find("input", class_="toctree-checkbox", recursive=False)
        if isinstance(checkbox, Tag):
            checkbox["checked"] = f"{PREFIX}c{marker}"
    return str(soup)


class _Template:
    """The navigation HTML cut at its placeholders, and how to fill them for a page."""

    def __init__(self, html: str, marks: _Marks, builder: StandaloneHTMLBuilder) -> None:
        self.pieces: list[str] = []  # literal HTML, one more than there are slots
        self.slots: list[tuple[str, int]] = []  # (kind, id) between consecutive pieces
        position = 0
        for match in PLACEHOLDER.finditer(html):
            kind = next(kind for kind in SLOT_KINDS if match[kind])
            self.pieces.append(html[position : match.start()])
            self.slots.append((kind, int(match[f"{kind}_id"])))
            position = match.end()
        self.pieces.append(html[position:])

        where = {slot: index for index, slot in enumerate(self.slots)}
        # marker -> (slot index, how its class attribute looks)
        self.class_slot = {
            ident: (index, kind)
            for (kind, ident), index in where.items()
            if kind in {"only", "first", "after"}
        }
        self.checked_slot = {ident: i for (kind, ident), i in where.items() if kind == "checked"}
        self.page_slot = {ident: i for (kind, ident), i in where.items() if kind == "page"}
        self.href_slots = [
            (index, marks.targets[ident], marks.anchors[ident])
            for (kind, ident), index in where.items()
            if kind == "href"
        ]
        self.chains = marks.chains
        self.li_order = marks.li_order
        self.valid = (
            len(where) == len(self.slots)  # no placeholder came through twice
            and sorted(self.class_slot) == list(range(marks.markers))
            and len(self.href_slots) == len(marks.targets)
            and sorted(self.page_slot) == sorted(marks.li_order)
            and set(self.checked_slot) <= set(marks.li_order)
            and PREFIX not in "".join(self.pieces)  # nothing else looked like a placeholder
            and not any(HTML_SPECIAL.search(anchor) for anchor in marks.anchors)
        )
        # Relative URIs, cached per folder of the current page. With Sphinx's own
        # get_relative_uri (osutil.relative_uri between the target URIs), the URI
        # from page A to page B depends only on A's folder, unless A is B.
        self.by_folder = type(builder).get_relative_uri is Builder.get_relative_uri
        self.uris: dict[str, dict[str, str]] = {}

    def _hrefs(self, builder: StandaloneHTMLBuilder, pagename: str) -> list[str] | None:
        folder = builder.get_target_uri(pagename).rpartition("/")[0] if self.by_folder else ""
        known = self.uris.setdefault(folder, {}) if self.by_folder else {}
        hrefs = []
        for _, target, anchor in self.href_slots:
            if target == pagename:
                uri = builder.get_relative_uri(pagename, target)
            elif (cached := known.get(target)) is not None:
                uri = cached
            else:
                uri = known[target] = builder.get_relative_uri(pagename, target)
            uri = (uri + anchor) or "#"  # Sphinx's HTML writer turns an empty href into "#"
            if HTML_SPECIAL.search(uri):
                return None
            hrefs.append(uri)
        return hrefs

    def render(self, builder: StandaloneHTMLBuilder, pagename: str) -> str | None:
        """This page's navigation, or None if an href would need escaping."""
        hrefs = self._hrefs(builder, pagename)
        if hrefs is None:
            return None
        values = [""] * len(self.slots)  # no "current" anywhere: every class slot is empty
        for (index, _, _), href in zip(self.href_slots, hrefs, strict=True):
            values[index] = href

        # Sphinx adds "current" to each element around a link to this page (the HTML
        # writer keeps one copy of a class, however many links to the page there are).
        current = {marker for chain in self.chains.get(pagename, ()) for marker in chain}
        last_li = None
        for marker in current:
            index, kind = self.class_slot[marker]
            if kind == "only":
                values[index] = ' class="current"'
            elif kind == "first":
                values[index] = "current "
            else:
                values[index] = " current"
            if marker in self.li_order:
                if marker in self.checked_slot:  # furo expands the branch: checked=""
                    values[self.checked_slot[marker]] = ' checked=""'
                if last_li is None or self.li_order[marker] > self.li_order[last_li]:
                    last_li = marker
        if last_li is not None:  # furo: "current-page" on the last <li> with "current"
            values[self.page_slot[last_li]] = " current-page"

        out = [""] * (2 * len(values) + 1)
        out[0::2] = self.pieces
        out[1::2] = values
        return "".join(out)


def build_template(
    env: BuildEnvironment, builder: StandaloneHTMLBuilder, furo_navigation: Callable[[str], str]
) -> _Template | None:
    """Resolve, render and post-process the navigation once; None where it would not be exact."""
    if any(any(toc.findall(addnodes.only)) for toc in env.tocs.values()):
        return None
    recorder = _RecordingBuilder()
    tree = global_toctree_for_doc(
        env,
        NEUTRAL_DOCNAME,
        recorder,  # type: ignore[arg-type]  # only get_relative_uri is used
        tags=builder.tags,
        **FURO_TOCTREE_ARGUMENTS,  # type: ignore[arg-type]
    )
    if tree is None:
        return None
    marks = _mark_tree(tree, recorder)
    html = _placeholder_html(furo_navigation(builder.render_partial(tree)["fragment"]), marks)
    if html is None:
        return None
    template = _Template(html, marks, builder)
    return template if template.valid else None


class _Interceptor:
    """The page's ``toctree`` template function, wrapped while furo's handler runs."""

    def __init__(self, original: Callable[..., str], navigation: Callable[[], str | None]) -> None:
        self.original = original
        self.navigation = navigation
        self.html: str | None = None  # this page's navigation, once furo has asked for it

    def __call__(self, **kwargs: Any) -> str:
        if kwargs == FURO_TOCTREE_ARGUMENTS:
            self.html = self.navigation()
            if self.html is not None:
                return ""  # furo's get_navigation_tree("") is ""; after_furo sets the result
        return self.original(**kwargs)


class FastNavigation:
    """Per-application state: the navigation template of the current build."""

    def __init__(self) -> None:
        self.template: _Template | None = None
        self.ready = False  # the template was attempted in this build

    def reset(self, *_: object) -> None:
        self.template, self.ready = None, False

    def _template_for(self, app: Sphinx) -> _Template | None:
        if not self.ready:
            builder = app.builder
            self.template = None
            if (
                isinstance(builder, StandaloneHTMLBuilder)
                and type(builder)._get_local_toctree is StandaloneHTMLBuilder._get_local_toctree
            ):
                self.template = build_template(app.env, builder, get_navigation_tree)
            self.ready = True
            if self.template is None:
                logger.info("fast_navigation: furo's own navigation code is used for this build")
            else:
                logger.info(
                    "fast_navigation: the sidebar navigation is built once for %d links",
                    len(self.template.href_slots),
                )
        return self.template

    def before_furo(
        self, app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
    ) -> None:
        original = context.get("toctree")
        if original is None:
            return

        def navigation() -> str | None:
            template = self._template_for(app)
            if template is None:
                return None
            return template.render(app.builder, pagename)  # type: ignore[arg-type]

        context["toctree"] = _Interceptor(original, navigation)

    def after_furo(
        self, app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
    ) -> None:
        toctree = context.get("toctree")
        if isinstance(toctree, _Interceptor):
            context["toctree"] = toctree.original
            if toctree.html is not None:
                context["furo_navigation_tree"] = toctree.html


def setup(app: Sphinx) -> ExtensionMetadata:
    state = FastNavigation()
    app.connect("env-updated", state.reset)
    app.connect("html-page-context", state.before_furo, priority=400)  # furo's is 500
    app.connect("html-page-context", state.after_furo, priority=600)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
