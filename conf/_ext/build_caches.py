"""Remember, for the whole build, work that Sphinx's extensions redo for every page.

Each cache below memoizes a pure function: same input, same output, so the
pages and the search index are byte-for-byte what they would be without this
extension. Sampled with py-spy on a build of 200 synthetic lesson pages
(``tox -e bench-docs``), together they took about a fifth of the build once
furo's sidebar was fixed (``fast_navigation``):

1. **Search-index stemming.** The html builder feeds every page's words to the
   language's ``stem()``; Sphinx memoizes it per page only
   (``IndexBuilder.feed``), so the snowball stemmer runs again for every page on
   the words all pages share ("the", "policy", "commit"...). The English search
   language is replaced (``app.add_search_language``, the documented way) by a
   subclass whose ``stem()`` remembers its answers for the whole build
   (about 7 ms a page).
2. **sphinxcontrib-mermaid's page script.** Its ``html-page-context`` handler
   (``install_js``) compiles the same three Jinja templates from source for every
   page that has a diagram, about 10 ms a page. The module's ``Template`` name is
   pointed at a function that compiles each source once; rendering is unchanged.
   This is done only while that name is still ``jinja2.Template``, so an upstream
   change cannot be silently overridden.
3. **Pygments' style table.** Sphinx makes a new ``HtmlFormatter`` for every
   code block (its options can differ per block), and each one rebuilds the
   token-type-to-CSS-class table from the style (``_create_stylesheet``). The
   html builder's highlighter is given a subclass that builds that table once
   per style and class prefix; the tables are only read afterwards (about
   3 ms a page).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

import jinja2
from pygments.formatters import HtmlFormatter
from sphinx.highlighting import PygmentsBridge
from sphinx.search.en import SearchEnglish

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


class MemoizedSearchEnglish(SearchEnglish):
    """Sphinx's English search language, with ``stem()`` memoized for the whole build."""

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        try:
            return self._stems[word]
        except KeyError:
            stemmed = self._stems[word] = super().stem(word)
            return stemmed


@functools.cache
def compiled_template(source: str) -> jinja2.Template:
    """``jinja2.Template(source)``, compiled once per source (templates are immutable)."""
    template: jinja2.Template = jinja2.Template(source)
    return template


def _cache_mermaid_templates() -> None:
    try:
        import sphinxcontrib.mermaid as mermaid  # type: ignore[import-untyped]
    except ImportError:
        return
    if getattr(mermaid, "Template", None) is jinja2.Template:
        mermaid.Template = compiled_template


class StyleCachingHtmlFormatter(HtmlFormatter):  # type: ignore[type-arg]
    """Pygments' ``HtmlFormatter``, building its style tables once per (style, class prefix)."""

    _tables: ClassVar[dict[tuple[object, str], tuple[dict[Any, str], dict[str, Any]]]] = {}
    ttype2class: dict[Any, str]  # token type -> CSS class, set by _create_stylesheet
    class2style: dict[str, Any]  # CSS class -> (style, token type, level)
    classprefix: str

    def _create_stylesheet(self) -> None:
        key = (self.style, self.classprefix)
        tables = self._tables.get(key)
        if tables is None:
            super()._create_stylesheet()  # type: ignore[misc]  # not in Pygments' stubs
            tables = self._tables[key] = (self.ttype2class, self.class2style)
        self.ttype2class, self.class2style = tables


def _cache_pygments_styles(app: Sphinx) -> None:
    for name in ("highlighter", "dark_highlighter"):
        bridge = getattr(app.builder, name, None)
        if not isinstance(bridge, PygmentsBridge):
            continue
        # Sphinx's default is the alias HtmlFormatter[str]; leave any other formatter alone.
        if getattr(bridge.formatter, "__origin__", bridge.formatter) is HtmlFormatter:
            bridge.formatter = StyleCachingHtmlFormatter


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_search_language(MemoizedSearchEnglish)
    _cache_mermaid_templates()
    app.connect("builder-inited", _cache_pygments_styles)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
