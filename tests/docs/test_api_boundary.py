"""Each public API page documents exactly its namespace's ``__all__``, in order.

Three namespaces are public: the package root (``reference/api/public``),
``service_monitoring.storage`` (``reference/api/storage``) and the test kit,
``service_monitoring.testing`` (``reference/api/testing``). Read from the built site:
``objects.inv`` lists every object the site registers as a link target, and the HTML of
each page gives their order.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from sphinx.util.inventory import InventoryFile

import service_monitoring
import service_monitoring.storage
import service_monitoring.testing

PACKAGE = "service_monitoring"
#: namespace -> (its page, its __all__)
PAGES = {
    PACKAGE: ("reference/api/public.html", list(service_monitoring.__all__)),
    f"{PACKAGE}.storage": ("reference/api/storage.html", list(service_monitoring.storage.__all__)),
    f"{PACKAGE}.testing": ("reference/api/testing.html", list(service_monitoring.testing.__all__)),
}


def python_objects(html_dir: Path) -> dict[str, tuple[str, str]]:
    """``{name: (role, uri)}`` of every ``py:`` object in the built ``objects.inv``."""
    inventory = InventoryFile.loads((html_dir / "objects.inv").read_bytes(), uri="")
    return {
        name: (role, item.uri)
        for role, items in inventory.data.items()
        if role.startswith("py:")
        for name, item in items.items()
    }


def anchor_of(uri: str) -> tuple[str, str]:
    page, _, anchor = uri.partition("#")
    return page, anchor


def public_owner(anchor: str) -> str | None:
    """The public ``namespace.Name`` an anchor documents (or a member of), if any."""
    for namespace, (_page, names) in PAGES.items():
        rest = anchor.removeprefix(namespace + ".")
        if rest != anchor and rest.split(".")[0] in names:
            return f"{namespace}.{rest.split('.')[0]}"
    return None


@pytest.mark.parametrize("namespace", PAGES)
def test_each_page_documents_exactly_its_all(html_dir: Path, namespace: str) -> None:
    page, names = PAGES[namespace]
    objects = python_objects(html_dir)
    missing = [name for name in names if f"{namespace}.{name}" not in objects]
    assert not missing, f"in {namespace}.__all__ but not documented on {page}: {missing}"
    top_level = {
        anchor.removeprefix(namespace + ".").split(".")[0]
        for _role, uri in objects.values()
        for where, anchor in [anchor_of(uri)]
        if where == page and anchor.startswith(namespace + ".")
    }
    extra = sorted(top_level - set(names) - {"storage"})
    assert not extra, f"documented on {page} but not in {namespace}.__all__: {extra}"


@pytest.mark.parametrize("namespace", PAGES)
def test_each_page_follows_all_order(html_dir: Path, namespace: str) -> None:
    page, names = PAGES[namespace]
    html = (html_dir / page).read_text()
    top_level = re.compile(rf'<dt[^>]*\bid="{re.escape(namespace)}\.([A-Za-z_]\w*)"')
    assert list(dict.fromkeys(top_level.findall(html))) == names


def test_the_two_namespaces_share_no_name() -> None:
    root, storage = (set(PAGES[name][1]) for name in (PACKAGE, f"{PACKAGE}.storage"))
    assert root.isdisjoint(storage)


def test_no_two_namespaces_share_a_name() -> None:
    for (first, (_, one)), (second, (_, other)) in itertools.combinations(PAGES.items(), 2):
        assert set(one).isdisjoint(other), (first, second)


def test_every_link_target_is_a_public_name_or_its_member(html_dir: Path) -> None:
    """Internals pages are ``:no-index:``; only the API pages register objects.

    Besides ``<namespace>.<Name>`` and its members, the inventory holds the canonical
    aliases autodoc adds (``service_monitoring.domain.values.<Name>``), which must point
    at the public entry too.
    """
    pages = {page for page, _names in PAGES.values()}
    offenders = []
    for name, (role, uri) in sorted(python_objects(html_dir).items()):
        page, anchor = anchor_of(uri)
        if role == "py:module":
            if name not in PAGES or page != PAGES[name][0]:
                offenders.append(f"{name} ({role}) -> {uri}")
            continue
        owner = public_owner(anchor)
        tail = anchor.rsplit(".", 1)[-1]
        same_object = name == anchor or (name.startswith(PACKAGE + ".") and name.endswith(tail))
        if not (page in pages and owner is not None and same_object):
            offenders.append(f"{name} ({role}) -> {uri}")
    assert not offenders, "link targets outside the public API:\n" + "\n".join(offenders)


def test_the_facade_the_home_page_links_is_a_public_class(html_dir: Path) -> None:
    role, uri = python_objects(html_dir)[f"{PACKAGE}.MonitoringRuntime"]
    assert (role, uri) == ("py:class", f"reference/api/public.html#{PACKAGE}.MonitoringRuntime")
