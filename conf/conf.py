"""Sphinx configuration of the course site.

Used as ``sphinx-build -c conf docs <output>``: this folder holds the
configuration, ``docs/`` holds the pages. The capstone package is installed
into the build environment (tox), so autodoc imports it without path tricks.
"""

from __future__ import annotations

import doctest
import sys
from importlib.metadata import version as installed_version
from pathlib import Path

CONF_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(CONF_DIR / "_ext"))  # local extensions only

project = "Python Object-Oriented Programming"
author = "Python Object-Oriented Programming course team"
copyright = f"2026, {author}"
release = installed_version("service-monitoring")

extensions = [
    "myst_parser",  # pages are Markdown
    "sphinx.ext.autodoc",  # API pages from the capstone's docstrings
    "sphinx.ext.doctest",  # {doctest}/{testcode} blocks run by `-b doctest`
    "sphinx.ext.intersphinx",  # links to Python's docs, from a local inventory
    "sphinx.ext.viewcode",  # highlighted capstone source beside the API pages
    "sphinx_copybutton",
    "sphinx_design",  # dropdowns for exercise solutions
    "sphinxcontrib.mermaid",
    "mermaid_alt",  # conf/_ext: a diagram's :alt: reaches the SVG mermaid draws (upstream #102)
    "public_api",  # conf/_ext: links spelled with internal modules land on the public names
    # conf/_ext: furo's sidebar built once per build, not once per page (same HTML, O(pages))
    "fast_navigation",
]

# Every cross-reference must resolve: a broken link fails the build under -W.
nitpicky = True

# --- MyST -------------------------------------------------------------------
# Directives ({doctest}, {testcode}, {eval-rst} ...) and roles ({term}, {py:class})
# work in MyST without extra settings; these add the Markdown syntax lessons use.
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links
myst_fence_as_directive = ["mermaid"]  # a ```mermaid fence renders as a diagram

# --- autodoc ------------------------------------------------------------------
# On a module with __all__, "bysource" documents the members in __all__ order.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True  # show defaults as written, not as their repr()
autodoc_default_options = {"show-inheritance": True}
python_maximum_signature_line_length = 88  # longer signatures: one parameter a line

# --- doctest --------------------------------------------------------------------
# Run only the {doctest}/{testcode} directives of the pages. The `>>>` examples in
# the capstone's docstrings need their module's namespace: pytest --doctest-modules
# runs them there. Default flags (ELLIPSIS, IGNORE_EXCEPTION_DETAIL ...) are kept.
doctest_test_doctest_blocks = ""
# Compare exception messages too (Sphinx's default ignores them): a page that shows an
# error shows the real one.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1

# --- intersphinx: no network, so the inventories are generated locally ----------
# scripts/make_python_inventory.py writes both files.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", str(CONF_DIR / "python-objects.inv")),
    "opentelemetry": (
        "https://opentelemetry-python.readthedocs.io/en/latest",
        str(CONF_DIR / "opentelemetry-objects.inv"),
    ),
}

# --- mermaid: the vendored ESM build (scripts/refresh_mermaid.py), never a CDN ---
mermaid_use_local = "mermaid/mermaid.esm.min.mjs"  # relative to _static/
# Records the pinned version (mermaid_use_local wins over it, so no CDN URL is made).
mermaid_version = (CONF_DIR / "_static" / "mermaid" / "VERSION").read_text().strip()
mermaid_fullscreen_button = "⤢"  # a glyph common fonts have (the default often is not)

# --- copy button: copy the commands, not the prompts or the output -------------
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# --- HTML -------------------------------------------------------------------------
html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"  # also spares the browser a request for /favicon.ico
