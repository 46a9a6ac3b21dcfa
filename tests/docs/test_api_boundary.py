"""The public API page documents exactly ``service_monitoring.__all__``, in order.

Read from the built site: ``objects.inv`` lists every object the site registers
as a link target, and the HTML of the public page gives their order.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.util.inventory import InventoryFile

import service_monitoring

PACKAGE = "service_monitoring"
PUBLIC_PAGE = "reference/api/public.html"
PUBLIC = list(service_monitoring.__all__)


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


def test_public_names_are_unique() -> None:
    duplicates = sorted({name for name in PUBLIC if PUBLIC.count(name) > 1})
    assert not duplicates, f"names listed twice in __all__: {duplicates}"


def test_public_page_documents_every_name_in_all(html_dir: Path) -> None:
    objects = python_objects(html_dir)
    missing = [name for name in PUBLIC if f"{PACKAGE}.{name}" not in objects]
    assert not missing, (
        f"in __all__ but not documented on the public API page: {missing} "
        "(does each have a docstring, and is it importable from the package root?)"
    )


def test_public_page_documents_nothing_outside_all(html_dir: Path) -> None:
    documented = {
        anchor.split(".")[1]
        for _role, uri in python_objects(html_dir).values()
        for page, anchor in [anchor_of(uri)]
        if page == PUBLIC_PAGE and anchor.startswith(PACKAGE + ".")
    }
    extra = sorted(documented - set(PUBLIC))
    assert not extra, f"documented as public but not in __all__: {extra}"


def test_every_link_target_is_a_public_name_or_its_member(html_dir: Path) -> None:
    """Internals pages are ``:no-index:``; only the public page registers objects.

    Besides ``service_monitoring.<Name>`` and its members, the inventory holds the
    canonical aliases autodoc adds (``service_monitoring.model.<Name>``), which
    must point at the public entry too.
    """
    offenders = []
    for name, (role, uri) in sorted(python_objects(html_dir).items()):
        page, anchor = anchor_of(uri)
        if role == "py:module":
            if name != PACKAGE or page != PUBLIC_PAGE:
                offenders.append(f"{name} ({role}) -> {uri}")
            continue
        parts = anchor.split(".")
        public_target = (
            page == PUBLIC_PAGE and len(parts) >= 2 and parts[0] == PACKAGE and parts[1] in PUBLIC
        )
        tail = ".".join(parts[1:])
        same_object = name == anchor or (name.startswith(PACKAGE + ".") and name.endswith(tail))
        if not (public_target and same_object):
            offenders.append(f"{name} ({role}) -> {uri}")
    assert not offenders, "link targets outside the public API:\n" + "\n".join(offenders)


def test_public_page_follows_all_order(html_dir: Path) -> None:
    html = (html_dir / PUBLIC_PAGE).read_text()
    top_level = re.compile(r'<dt[^>]*\bid="service_monitoring\.([A-Za-z_]\w*)"')
    order = list(dict.fromkeys(top_level.findall(html)))
    assert order == PUBLIC


def test_the_facade_the_home_page_links_is_a_public_class(html_dir: Path) -> None:
    role, uri = python_objects(html_dir)[f"{PACKAGE}.MonitoringRuntime"]
    assert (role, uri) == ("py:class", f"{PUBLIC_PAGE}#{PACKAGE}.MonitoringRuntime")
