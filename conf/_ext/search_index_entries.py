"""The search index keeps its index entries when the site is rebuilt incrementally.

The problem (upstream: sphinx-doc/sphinx#12599, open)
    The html builder adds a page's index entries (what autodoc and the ``index``
    directive record: "activate_rule() (MonitoringPolicy method)" ...) to the search
    index only when it writes that page (``IndexBuilder.feed``). On a rebuild it
    loads the previous ``searchindex.js`` for the pages it does not write again,
    but ``IndexBuilder.load`` restores their words and titles, not their index
    entries, and the entries kept in the environment were pickled before any page
    was written, so they are empty. The rebuilt ``searchindex.js`` then holds the
    index entries of the rewritten pages only: none at all after a no-op rebuild,
    so the search box no longer finds an API object by its index entry.

The fix
    Every page's index entries are also in the environment, where Sphinx's index
    domain keeps them for the general index (``genindex``): collected when the page
    is read, and kept with the pickled environment between builds. Just before
    the search index is written (``html-collect-pages`` runs in the builder's
    ``finish``, before ``dump_search_index``), each page in the index whose entries
    were not fed in this build gets them from there, turned into search entries
    exactly as ``IndexBuilder.feed`` turns them (same splitting, same sort). Pages
    are then put in name order, the order of a full build, so the file comes out
    byte for byte as a full build writes it (tests/docs/test_search_index.py).

    It costs a loop over the index entries, nothing is read from disk, so the
    no-op and one-edit rebuilds stay as fast as they were. If Sphinx restores the
    entries itself one day, every page already has them and this does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sphinx.util import logging
from sphinx.util.index_entries import split_index_msg

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

# An index entry as the index domain stores it:
# (entry_type, value, target_id, main, category_key)
IndexEntry = tuple[str, str, str, str, "str | None"]


def search_entries(entries: Iterable[IndexEntry]) -> list[tuple[str, str, str]]:
    """A page's index entries as ``IndexBuilder.feed`` records them for the search index."""
    found: set[tuple[str, str, str]] = set()
    for entry_type, value, target_id, main, _category_key in entries:
        try:
            parts = split_index_msg(entry_type, value)
        except ValueError:
            continue
        target = target_id or ""
        if entry_type in {"see", "seealso"}:
            found.add((parts[0], target, main))
        found |= {(part, target, main) for part in parts}
    return sorted(found)


def restore_index_entries(app: Sphinx) -> list[Any]:
    """Give every page of the search index its index entries before the index is dumped."""
    indexer = getattr(app.builder, "indexer", None)
    entries: dict[str, list[tuple[str, str, str]]] | None = getattr(indexer, "_index_entries", None)
    titles: dict[str, str | None] | None = getattr(indexer, "_titles", None)
    if entries is None or titles is None:
        return []  # no search index in this build, or a Sphinx whose indexer differs
    recorded = app.env.domains.index_domain.entries
    restored = 0
    for docname in titles:
        if docname in entries:
            continue  # written in this build: fed by Sphinx itself
        metadata = app.env.metadata.get(docname, {})
        if "no-search" in metadata or "nosearch" in metadata:
            entries[docname] = []  # as feed() records a page kept out of search
        else:
            entries[docname] = search_entries(recorded.get(docname, ()))
            restored += 1
    ordered = sorted(entries.items())
    entries.clear()
    entries.update(ordered)
    if restored:
        logger.info(
            "search_index_entries: index entries of %d pages not written again restored", restored
        )
    return []  # no pages to add


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-collect-pages", restore_index_entries)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
