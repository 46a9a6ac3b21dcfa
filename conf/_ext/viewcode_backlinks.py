"""viewcode's source pages link back to where each object is documented, and stay in the capstone.

``sphinx.ext.viewcode`` writes a highlighted copy of each documented module under
``_modules/``, with a ``[docs]`` link beside each documented class and function.
Two of its habits broke links on this site (tests/docs/test_links.py found them):

1. **The ``[docs]`` anchors** (upstream: sphinx-doc/sphinx#6651, open). viewcode
   builds every ``[docs]`` link of a module as ``<page>#<module>.<name>``, with one
   module name for the whole module. Here the capstone's objects are documented
   under their public names (``service_monitoring.MonitoringPolicy``, defined in
   ``service_monitoring.domain.policy``), and the internals pages describe the
   defining modules without registering any target (``:no-index:``, see
   public_api.py), so almost every ``[docs]`` link named an anchor that does not
   exist. Each link is rewritten when its page is written: to the object's own
   target if the Python domain has one under the defining name or under its
   public name (``public_api.public_spelling``); otherwise to the page that
   describes it (its internals page), without an anchor.
2. **Python's own modules.** With ``viewcode_follow_imported_members`` (on by
   default), a documented value whose type comes from the standard library (a
   compiled pattern, an ``int`` constant, a ``Callable`` alias) sends viewcode to
   that library module: the site got copies of the source of ``re``,
   ``collections.abc`` and ``types``, linked to nothing, and the module index
   linked ``builtins``, which has no source and so no page. viewcode is told to
   follow imported names only while they stay in the capstone package.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from public_api import PACKAGE, public_spelling
from sphinx.ext.viewcode import OUTPUT_DIRNAME, _get_full_modname

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

# The markup viewcode (Sphinx 9) writes before each documented object's source.
BACKLINK = re.compile(
    r'(?P<before><div class="viewcode-block" id="(?P<name>[^"]+)">\n'
    r'<a class="viewcode-back" href=")(?P<href>[^"]*)(?=">)'
)


def in_package(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def follow_within_package(app: Sphinx, modname: str, attribute: str) -> str | None:
    """The module that defines ``attribute``, unless that module is outside the capstone."""
    defining = _get_full_modname(modname, attribute)
    if defining is None or in_package(defining) or not in_package(modname):
        return defining
    return modname  # viewcode finds no source for it there: no page, no link


def fix_backlinks(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Point each ``[docs]`` link of a source page at the documentation of its object."""
    body = context.get("body")
    if not pagename.startswith(f"{OUTPUT_DIRNAME}/") or not isinstance(body, str):
        return
    module = pagename.removeprefix(f"{OUTPUT_DIRNAME}/").replace("/", ".")
    objects = app.env.domains.python_domain.objects
    builder = app.builder

    def target(match: re.Match[str]) -> str:
        dotted = f"{module}.{match['name']}"
        for name in (dotted, public_spelling(dotted)):
            if name is not None and name in objects:
                entry = objects[name]
                uri = builder.get_relative_uri(pagename, entry.docname)
                return f"{match['before']}{uri}#{entry.node_id}"
        return match["before"] + match["href"].partition("#")[0]  # described, with no target

    context["body"] = BACKLINK.sub(target, body)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinx.ext.viewcode")
    app.connect("viewcode-follow-imported", follow_within_package)
    app.connect("html-page-context", fix_backlinks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
