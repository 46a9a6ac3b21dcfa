"""Accessibility fixes for markup that Sphinx's HTML writer gets wrong.

tests/browser/test_accessibility.py runs axe-core on every page of the built site
in both colour schemes. Two of the faults it reported are made by Sphinx's HTML5
writer itself, so they are fixed here, where the markup is written, by wrapping
the writer's own methods: the output is Sphinx's, with one attribute added.

* A toctree caption is written as ``<p class="caption" role="heading">`` with no
  ``aria-level``, which ARIA 1.2 requires of a heading (axe: ``aria-required-attr``,
  critical; on every page, in furo's sidebar). ``aria-level="2"`` is added: the
  level ARIA 1.1 gave a heading without one, which is what browsers expose today.
  Upstream: sphinx-doc/sphinx#14030 (open; PR #14437 adds the same level).
* A signature longer than ``python_maximum_signature_line_length`` is written with
  one parameter a line, as ``<dl><dd>param,</dd>...</dl>`` inside the ``<dt>``: a
  definition list with no terms (axe: ``definition-list``, serious; every API
  page). ``role="presentation"`` is added to that ``<dl>``: it lays the
  parameters out, it is not a list of definitions, and the signature reads as the
  one line of code it is. (The markup came with sphinx-doc/sphinx#11011; no
  upstream issue reports it yet.)

This extension also adds the site's ``accessibility.css`` and ``accessibility.js``
(in ``conf/_static``): a visible focus ring, and a tab stop on every code block
or table that scrolls sideways, so a keyboard can scroll it (axe:
``scrollable-region-focusable``); each file says why in its own comments.
The fixes that belong to furo's templates are in ``conf/_templates``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata
    from sphinx.writers.html5 import HTML5Translator

CAPTION_ROLE = ' role="heading"'
CAPTION_LEVEL = ' role="heading" aria-level="2"'
LAYOUT_ONLY = '<dl role="presentation"'


def _add_to_recent(translator: HTML5Translator, old: str, new: str) -> None:
    """Replace *old* by *new* in the last start tag that *translator* wrote with it."""
    for index in range(len(translator.body) - 1, max(len(translator.body) - 4, -1), -1):
        if old in translator.body[index]:
            translator.body[index] = translator.body[index].replace(old, new, 1)
            return


def visit_title(translator: HTML5Translator, node: nodes.title) -> None:
    type(translator).visit_title(translator, node)
    parent = node.parent
    if isinstance(parent, addnodes.compact_paragraph) and parent.get("toctree"):
        _add_to_recent(translator, CAPTION_ROLE, CAPTION_LEVEL)


def depart_title(translator: HTML5Translator, node: nodes.title) -> None:
    type(translator).depart_title(translator, node)


def visit_parameter_list(translator: HTML5Translator, node: nodes.Element) -> None:
    method = f"visit_{type(node).__name__}"
    getattr(type(translator), method)(translator, node)
    if node.get("multi_line_parameter_list"):
        _add_to_recent(translator, "<dl", LAYOUT_ONLY)


def depart_parameter_list(translator: HTML5Translator, node: nodes.Element) -> None:
    getattr(type(translator), f"depart_{type(node).__name__}")(translator, node)


def setup(app: Sphinx) -> ExtensionMetadata:
    # override=True: these node types are docutils' and Sphinx's own; the handlers
    # call the translator's methods and then add the attribute.
    app.add_node(nodes.title, override=True, html=(visit_title, depart_title))
    for node in (addnodes.desc_parameterlist, addnodes.desc_type_parameter_list):
        app.add_node(node, override=True, html=(visit_parameter_list, depart_parameter_list))
    app.add_css_file("accessibility.css")
    app.add_js_file("accessibility.js", loading_method="defer")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
