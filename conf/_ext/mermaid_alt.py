"""Give every diagram's ``:alt:`` text to the browser, where mermaid draws it.

sphinxcontrib-mermaid accepts ``:alt:`` but, in its default ``raw`` output (the
diagram is drawn in the browser from its source), writes only the source into a
``<pre class="mermaid">`` and drops the alt text, so a screen reader gets nothing
(upstream: mgaitan/sphinxcontrib-mermaid#102; PR #131 fixes only the build-time
image formats). Mermaid itself supports an accessible description: an
``accDescr:`` line after the diagram type becomes the ``<desc>`` of the SVG it
draws, which the SVG's ``aria-describedby`` points at. This extension adds that
line, built from ``:alt:``, to every diagram that has an alt text and no
description of its own. The page source stays readable; only the rendered
diagram gains the description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinxcontrib.mermaid import mermaid

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def with_description(code: str, alt: str) -> str:
    """*code* with an ``accDescr:`` line holding *alt* right after its diagram type.

    Comments (``%%``) and a front-matter block (between ``---`` lines) before the
    diagram type are skipped; a diagram that describes itself is left alone.

    >>> print(with_description("flowchart LR\\n  A --> B", "A points to B."))
    flowchart LR
      accDescr: A points to B.
      A --> B
    >>> mine = "%% note\\nsequenceDiagram\\n  accDescr: mine"
    >>> with_description(mine, "other") == mine
    True
    """
    if "accDescr" in code:
        return code
    lines = code.splitlines()
    in_front_matter = False
    for index, line in enumerate(lines):
        text = line.strip()
        if text == "---":
            in_front_matter = not in_front_matter
            continue
        if in_front_matter or not text or text.startswith("%%"):
            continue
        description = f"  accDescr: {' '.join(alt.split())}"
        return "\n".join([*lines[: index + 1], description, *lines[index + 1 :]])
    return code


def describe_diagrams(app: Sphinx, doctree: nodes.document) -> None:
    for node in doctree.findall(mermaid):
        alt = node.get("alt")
        if alt:
            node["code"] = with_description(node["code"], alt)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", describe_diagrams)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
