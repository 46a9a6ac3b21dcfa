"""Every internal module has exactly one internals page, and no page outlives its module.

Modules are found with pkgutil, as ``scripts/make_internals_pages.py`` finds
them; run that script when this test fails.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import service_monitoring

INTERNALS = Path(__file__).resolve().parents[2] / "docs" / "reference" / "api" / "internals"
FIX = "run `python scripts/make_internals_pages.py`"


PUBLIC_NAMESPACES = {
    "service_monitoring",
    "service_monitoring.storage",
    "service_monitoring.testing",
}


def modules() -> set[str]:
    """Every internal module: all but ``__main__`` and the public namespaces."""
    return {
        info.name
        for info in pkgutil.walk_packages(service_monitoring.__path__, prefix="service_monitoring.")
        if not info.name.endswith(".__main__") and info.name not in PUBLIC_NAMESPACES
    }


def pages() -> dict[str, str]:
    """``{page file name: the module its automodule documents}``."""
    documented = {}
    for page in sorted(INTERNALS.glob("*.md")):
        if page.name == "index.md":
            continue
        match = re.search(r"^\.\. automodule:: (\S+)$", page.read_text(), re.MULTILINE)
        documented[page.name] = match[1] if match else ""
    return documented


def test_every_module_has_an_internals_page() -> None:
    missing = sorted(modules() - set(pages().values()))
    assert not missing, f"modules without an internals page: {missing}; {FIX}"


def test_every_internals_page_names_an_existing_module() -> None:
    stale = sorted(name for name, module in pages().items() if module not in modules())
    assert not stale, f"internals pages of modules that do not exist: {stale}; {FIX}"


def test_internals_pages_register_no_link_targets() -> None:
    for page in sorted(INTERNALS.glob("*.md")):
        text = page.read_text()
        if ".. automodule::" in text:
            assert re.search(r"^   :no-index:$", text, re.MULTILINE), f"{page.name}: {FIX}"
            assert "Implementation detail" in text, f"{page.name}: {FIX}"


def test_the_internals_index_lists_every_page() -> None:
    index = (INTERNALS / "index.md").read_text()
    listed = set(re.findall(r"^([\w/.-]+)$", index.split("```{toctree}", 1)[1], re.MULTILINE))
    assert listed == {name.removesuffix(".md") for name in pages()}, FIX
