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
4. **docutils' default settings.** Every page gets its settings from a new
   docutils ``OptionParser``, which turns about 150 option specifications into
   default values: Sphinx does it for each page it reads
   (``sphinx.util.docutils._get_settings``), and MyST's renderer does it once
   more per page (``make_document()``, evaluated as the default of
   ``options.get("document", ...)`` even when Sphinx hands it the document). The
   defaults depend only on the components' classes, the defaults passed in and
   any ``docutils.conf`` file, so they are computed once per combination for the
   whole build (the files are read then); each call still gets its own
   ``Values`` object, as before (about 3 % of a build's instructions, counted
   with valgrind's cachegrind on 30 pages).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import docutils.frontend
import jinja2
import sphinx.util.docutils
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


# What docutils' OptionParser reads from each component (docutils.SettingsSpec).
_SPEC_ATTRIBUTES = frozenset(
    {
        "settings_spec",
        "settings_defaults",
        "settings_default_overrides",
        "relative_path_settings",
        "config_section",
        "config_section_dependencies",
    }
)


def _frozen(value: object) -> Hashable:
    """A hashable stand-in for a settings value, its type included (``1`` is not ``True``).

    Raises TypeError for a value that cannot be frozen: that call is not cached.
    """
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    hash(value)
    return (type(value), value)


def _settings_key(
    components: tuple[Any, ...], defaults: Mapping[str, Any], read_config_files: bool
) -> Hashable | None:
    """What the default settings depend on, or None when that cannot be told safely."""
    kinds = []
    for component in components:
        if component is None or isinstance(component, type):
            kinds.append(component)
        elif _SPEC_ATTRIBUTES.isdisjoint(vars(component)):  # specification from its class
            kinds.append(type(component))
        else:
            return None
    try:
        return (tuple(kinds), _frozen(dict(defaults)), read_config_files)
    except TypeError:
        return None


class DefaultSettings:
    """docutils' default settings, computed once per key, handed out as fresh ``Values``."""

    def __init__(self) -> None:
        self._known: dict[Hashable, tuple[dict[str, Any], list[str]]] = {}

    def forget(self, *_event_args: object) -> None:
        """Drop what is known (the keys hold the build environment) when a build ends."""
        self._known.clear()

    def __call__(
        self,
        *components: Any,
        defaults: Mapping[str, Any] | None = None,
        read_config_files: bool = False,
    ) -> docutils.frontend.Values:
        defaults = defaults or {}
        key = _settings_key(components, defaults, read_config_files)
        known = self._known.get(key) if key is not None else None
        with warnings.catch_warnings(action="ignore", category=DeprecationWarning):
            # docutils deprecates OptionParser and Values; Sphinx and MyST still use both.
            if known is None:
                parser = docutils.frontend.OptionParser(
                    components=components, defaults=defaults, read_config_files=read_config_files
                )
                known = (dict(parser.defaults), parser.config_files)
                if key is not None:
                    self._known[key] = known
            values = docutils.frontend.Values(dict(known[0]))
        values._config_files = known[1]  # as OptionParser.get_default_values() sets it
        return values


DEFAULT_SETTINGS = DefaultSettings()


def _cache_default_settings(settings: DefaultSettings) -> None:
    if getattr(sphinx.util.docutils._get_settings, "__module__", "") == "sphinx.util.docutils":
        sphinx.util.docutils._get_settings = settings
    try:
        import myst_parser.mdit_to_docutils.base as myst_renderer
    except ImportError:
        return
    # MyST imports the function by name; the module's name is what make_document() calls.
    original = docutils.frontend.get_default_settings
    if getattr(myst_renderer, "get_default_settings", None) is original:
        myst_renderer.get_default_settings = settings  # type: ignore[attr-defined]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_search_language(MemoizedSearchEnglish)
    _cache_mermaid_templates()
    _cache_default_settings(DEFAULT_SETTINGS)
    app.connect("build-finished", DEFAULT_SETTINGS.forget)
    app.connect("builder-inited", _cache_pygments_styles)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
