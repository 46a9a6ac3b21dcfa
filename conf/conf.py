"""Sphinx configuration of the course site.

Used as ``sphinx-build -c conf docs <output>``: this folder holds the
configuration, ``docs/`` holds the pages. The capstone package is installed
into the build environment (tox), so autodoc imports it without path tricks.
"""

from __future__ import annotations

import doctest
import os
import sys
from importlib.metadata import version as installed_version
from pathlib import Path
from urllib.parse import urlsplit

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
    # conf/_ext: a rebuild keeps the index entries in searchindex.js (upstream sphinx#12599)
    "search_index_entries",
    # conf/_ext: viewcode's [docs] links reach the documented object (upstream sphinx#6651)
    "viewcode_backlinks",
    # 404.html with root-absolute links, for any missing address (after fast_navigation,
    # so the 404 page's sidebar comes from this extension's root-absolute toctree)
    "notfound.extension",
    # conf/_ext: aria-level on toctree captions (upstream sphinx#14030), no definition-list
    # roles on multi-line signatures; adds _static/accessibility.{css,js} (axe, both schemes)
    "accessibility",
]

# Every cross-reference must resolve: a broken link fails the build under -W.
nitpicky = True
# The one exception: the test kit's strategies return Hypothesis's SearchStrategy, and the
# build has no Hypothesis inventory (it reads none from the network).
nitpick_ignore = [("py:class", "hypothesis.strategies.SearchStrategy")]

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
# What it copies pastes into the Python REPL: a bare "..." line is a prompt too and is
# copied as the empty line that ends a compound statement before the next ">>>"
# (tests/browser/test_copy_paste.py). The group is non-capturing: copybutton reads
# the text after the prompt from the regexp's second group.
copybutton_prompt_text = r">>> |\.\.\.(?: |$)|\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# --- HTML -------------------------------------------------------------------------
html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"  # also spares the browser a request for /favicon.ico
# _templates/page.html: furo's footer credit as text, not links off the site (test_links.py)
# and named landmarks; _templates/search.html: an <h1> (both: test_accessibility.py)
templates_path = ["_templates"]
# Search ranks a page titled by the query, a glossary term and an API name first
# (the file says how); Sphinx copies it into _static/language_data.js.
html_search_scorer = str(CONF_DIR / "_static" / "search_scorer.js")

# --- 404 page (sphinx-notfound-page) ------------------------------------------------
# The server shows 404.html for every missing address, at any depth (/nope as well as
# /module-05-x/deep/nope), so its links, stylesheets and scripts cannot be relative to
# where the file was built: the extension makes each of them root-absolute, starting
# with notfound_urls_prefix. The site is served at the root of its host, by
# `python -m http.server -d _build/html` and by Read the Docs (.readthedocs.yaml builds
# into $READTHEDOCS_OUTPUT/html, served at the project's root), so the prefix is "/",
# not the extension's fallback "/en/latest/". Should Read the Docs ever serve the site
# under a path (versions, translations), the path of the canonical URL it passes to
# the build says where, as the extension's own default reads it.
notfound_urls_prefix = urlsplit(os.environ.get("READTHEDOCS_CANONICAL_URL", "/")).path or "/"
# Our own words, in furo's page.html (the default notfound_template). The links are
# root-absolute like the rest of the page; the extension passes the body through as is.
notfound_context = {
    "title": "Page not found",
    "body": f"""
<h1>Page not found</h1>
<p>You are still on the course site, <em>{project}</em>, but no page lives at this
address: the link that brought you here has a typo, or the page has moved since.</p>
<p>Three ways back into the course:</p>
<ul>
<li><a href="{notfound_urls_prefix}index.html">The home page</a>: what the course
covers and how its modules fit together.</li>
<li><a href="{notfound_urls_prefix}module-00-orientation/first-contact-map.html">Start
here</a>: whether the course fits you, how to study it, and what to do in your first
hour.</li>
<li><a href="{notfound_urls_prefix}search.html">Search</a>: every lesson, glossary
term and API name.</li>
</ul>
""",
}
