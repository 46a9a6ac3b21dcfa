"""Send every cross-reference into the capstone to the public name of its target.

The API pages document the three public namespaces, ``service_monitoring``,
``service_monitoring.storage`` and ``service_monitoring.testing``; they are the
only pages that register link targets. The internals pages register nothing
(``:no-index:``). References are often spelled another way, so when one finds no
target this extension retries it as the public name of the same object:

1. **Internal spellings.** Type annotations name the defining module
   (``service_monitoring.domain.values.ThresholdRule``), and roles in internal
   docstrings are written relative to their module (``:class:`DomainError``` in
   ``service_monitoring.domain.values``). The object is looked up by importing
   it, and the reference goes to the public name that exports that very object
   (``service_monitoring.ThresholdRule``), members included.
2. **Internal modules.** ``:mod:`service_monitoring.runtime``` links to that
   module's internals page, which registers nothing.
3. **Internal names on internals pages.** An internal docstring may name an
   object no public namespace exports (``OutboxDelivery``). On an internals page
   such a reference, if the object exists, is shown as plain text. Anywhere else
   (the API pages, lessons) a reference to a non-public name still warns: it
   means a public signature or a lesson points into the internals.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from sphinx.util.nodes import make_refnode

if TYPE_CHECKING:
    from docutils.nodes import Element, reference
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

PACKAGE = "service_monitoring"
PUBLIC_NAMESPACES = (PACKAGE, f"{PACKAGE}.storage", f"{PACKAGE}.testing")
INTERNALS_PAGES = "reference/api/internals/"

_MISSING = object()


@cache
def public_names() -> dict[int, str]:
    """``{id(object): its public dotted name}`` for every name the public namespaces export."""
    names: dict[int, str] = {}
    for namespace_name in PUBLIC_NAMESPACES:
        namespace = importlib.import_module(namespace_name)
        for name in namespace.__all__:
            names.setdefault(id(getattr(namespace, name)), f"{namespace_name}.{name}")
    return names


def _resolve(dotted: str) -> list[object] | None:
    """The objects along ``dotted`` (a module, then each attribute), or None if it names nothing."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        chain = [obj]
        for attribute in parts[split:]:
            # A module's own namespace only: a module-level __getattr__ (the root's
            # deprecated names) must not make an old spelling resolve silently.
            obj = (
                vars(obj).get(attribute, _MISSING)
                if isinstance(obj, ModuleType)
                else getattr(obj, attribute, _MISSING)
            )
            if obj is _MISSING:
                return None
            chain.append(obj)
        return chain
    return None


def public_spelling(dotted: str) -> str | None:
    """The public name of the object ``dotted`` names, with its member path; None if it has none.

    ``service_monitoring.storage.port.Store.commit`` -> ``service_monitoring.storage.Store.commit``.
    """
    chain = _resolve(dotted)
    if chain is None:
        return None
    parts = dotted.split(".")
    names = public_names()
    # chain[i] is the object named by the first (len(parts) - len(chain) + 1 + i) parts
    offset = len(parts) - len(chain) + 1
    for index in range(len(chain) - 1, -1, -1):
        public = names.get(id(chain[index]))
        if public is not None:
            return ".".join([public, *parts[offset + index :]])
    return None


def _candidates(node: pending_xref) -> list[str]:
    """Full dotted spellings worth trying for the unresolved target of ``node``."""
    target: str = node["reftarget"].removeprefix("~").removesuffix("()")
    if target.startswith(PACKAGE + "."):
        return [target]
    module: str = node.get("py:module") or ""
    owner: str = node.get("py:class") or ""
    if not module.startswith(PACKAGE):
        return []
    found = [f"{module}.{owner}.{target}"] if owner else []
    return [*found, f"{module}.{target}", f"{PACKAGE}.{target}"]


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
    candidates = _candidates(node)
    for candidate in candidates:
        public = public_spelling(candidate)
        if public is not None and public in domain.objects:
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], public, node, contnode
            )
    if node["reftype"] == "mod":
        return _internals_page_link(app, env, node, contnode)
    on_internals_page = node.get("refdoc", "").startswith(INTERNALS_PAGES)
    if on_internals_page and any(_resolve(name) is not None for name in candidates):
        return contnode  # an internal object with no page of its own: plain text
    return None


def setup(app: Sphinx) -> ExtensionMetadata:
    # Runs before intersphinx (priority 500), so the package never resolves elsewhere.
    app.connect("missing-reference", resolve_public_name, priority=400)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
