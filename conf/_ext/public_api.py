"""Make the public API page of ``service_monitoring`` complete and its links land on it.

The public API page documents the package root with ``automodule``; every name
in ``__all__`` becomes ``service_monitoring.<Name>``. The internals pages
register nothing (``:no-index:``). This extension closes the gaps that leaves:

1. **Re-exported data.** autodoc documents module-level data only when it sees
   the assignment in the documented module's source. The package root merely
   imports, say, ``STANDARD_MODES``, so autodoc would skip it. Before pages are
   read, this extension copies the ``#:`` doc-comment of each re-exported data
   name from the module that assigns it into the analysis of the package root
   (an empty entry if there is none), so autodoc documents it in ``__all__``
   order. A rebuild that reads no page skips this (it imports and parses the
   whole package).
2. **References spelled with internal modules.** Type annotations name the
   defining module (``service_monitoring.model.ThresholdRule``), and roles in
   internal docstrings are looked up relative to the internal module
   (``:class:`DomainError``` in ``service_monitoring.model``). When such a
   reference finds nothing, it is retried as the public name.
3. **Internal modules.** ``:mod:`service_monitoring.observability``` (or
   ``:mod:`observability``` inside the package) links to that module's
   internals page, which registers nothing.
4. **Internal names on internals pages.** An internal docstring may name an
   internal object that is not public (``PolicyView``). No page registers it, so
   on an internals page such a reference, if the object exists, is shown as
   plain text instead of a link. Anywhere else (the public page, lessons) a
   reference to a non-public name still warns: it means a public signature or a
   lesson points into the internals.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import TYPE_CHECKING

from sphinx.pycode import ModuleAnalyzer
from sphinx.util.nodes import make_refnode

if TYPE_CHECKING:
    from docutils.nodes import Element, reference
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

PACKAGE = "service_monitoring"
INTERNALS_PAGES = "reference/api/internals/"


def _is_data(value: object) -> bool:
    return not (inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value))


def adopt_reexported_data_docs(app: Sphinx) -> None:
    package = importlib.import_module(PACKAGE)
    root = ModuleAnalyzer.for_module(PACKAGE)  # cached: autodoc reuses this object
    root.analyze()
    submodules = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + ".")
        if not info.name.endswith(".__main__")
    ]
    for name in getattr(package, "__all__", ()):
        value = getattr(package, name)
        if not _is_data(value) or ("", name) in root.attr_docs:
            continue
        comment: list[str] = []
        for module in submodules:
            if getattr(module, name, None) is value:
                docs = ModuleAnalyzer.for_module(module.__name__).find_attr_docs()
                if ("", name) in docs:
                    comment = list(docs["", name])
                    break
        root.attr_docs["", name] = comment


def adopt_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Run :func:`adopt_reexported_data_docs` when some page is about to be read."""
    if docnames:
        adopt_reexported_data_docs(app)


def _public_candidates(node: pending_xref) -> list[str]:
    """Public spellings worth trying for the unresolved target of ``node``."""
    target: str = node["reftarget"].removeprefix("~").removesuffix("()")
    module: str = node.get("py:module") or ""
    owner: str = node.get("py:class") or ""
    parts = target.split(".")
    candidates = []
    if parts[0] == PACKAGE and len(parts) > 2:
        # service_monitoring.<internal module>.<Name>[.<member>]
        candidates.append(".".join([PACKAGE, *parts[2:]]))
    elif parts[0] != PACKAGE and module.startswith(PACKAGE + "."):
        # an unqualified name written inside an internal module
        if owner:
            candidates.append(f"{PACKAGE}.{owner}.{target}")
        candidates.append(f"{PACKAGE}.{target}")
    return candidates


def _exists(dotted: str) -> bool:
    """Whether ``dotted`` names an object inside the package (a module, or an attribute path)."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


def _internal_candidates(node: pending_xref) -> list[str]:
    target: str = node["reftarget"].removeprefix("~").removesuffix("()")
    if target.startswith(PACKAGE + "."):
        return [target]
    module: str = node.get("py:module") or ""
    owner: str = node.get("py:class") or ""
    if not module.startswith(PACKAGE):
        return []
    return [f"{module}.{owner}.{target}", f"{module}.{target}"] if owner else [f"{module}.{target}"]


def _internals_page_link(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> reference | None:
    """A reference to an internal module links to its internals page."""
    target: str = node["reftarget"]
    for module in (target, f"{PACKAGE}.{target}"):
        if module.startswith(PACKAGE + "."):
            docname = INTERNALS_PAGES + module.removeprefix(PACKAGE + ".")
            if docname in env.all_docs:
                return make_refnode(app.builder, node["refdoc"], docname, "", contnode, module)
    return None


def resolve_public_name(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> reference | Element | None:
    if node.get("refdomain") != "py":
        return None
    domain = env.domains.python_domain
    for candidate in _public_candidates(node):
        if candidate in domain.objects:
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], candidate, node, contnode
            )
    if node["reftype"] == "mod":
        return _internals_page_link(app, env, node, contnode)
    on_internals_page = node.get("refdoc", "").startswith(INTERNALS_PAGES)
    if on_internals_page and any(_exists(name) for name in _internal_candidates(node)):
        return contnode  # an internal object with no page of its own: plain text
    return None


def setup(app: Sphinx) -> ExtensionMetadata:
    # Before the reading forks its -j workers, so they inherit the analysis.
    app.connect("env-before-read-docs", adopt_before_reading)
    # Runs before intersphinx (priority 500), so the package never resolves elsewhere.
    app.connect("missing-reference", resolve_public_name, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
