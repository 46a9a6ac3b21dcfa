"""Write one internals page per internal module of ``service_monitoring``.

Each page documents one internal module with ``:no-index:``, so it registers no
link target: every reference on the site resolves to the public name. The
public namespaces (the package root, ``service_monitoring.storage`` and
``service_monitoring.testing``) have pages of their own and are skipped. Pages
of modules that no longer exist are deleted. Run it after adding, renaming or
removing a module (``tests/docs`` fails until you do)::

    python scripts/make_internals_pages.py
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

PACKAGE = "service_monitoring"
PUBLIC_NAMESPACES = frozenset({PACKAGE, f"{PACKAGE}.storage", f"{PACKAGE}.testing"})
ROOT = Path(__file__).resolve().parent.parent
INTERNALS = ROOT / "docs" / "reference" / "api" / "internals"

PAGE = """\
# `{module}`

:::{{admonition}} Implementation detail
:class: warning

The module `{module}` is internal: its path may change or disappear in any
release. A name it defines that a public namespace re-exports is public under
that name, and the promise goes with the public name: import it from
{homes}, never from this module.
:::

```{{eval-rst}}
.. automodule:: {module}
   :members:
   :undoc-members:
   :no-index:
```
"""

INDEX = """\
# Internals

These pages document the capstone's internal modules, one page per module, for
readers who want to see how the public API is built. Module paths here carry no
compatibility promise. A name defined here that `service_monitoring`,
`service_monitoring.storage` or `service_monitoring.testing` re-exports is public
there, under that name: a cross-reference to it lands on the [public API](../public.md),
the [storage API](../storage.md) or the [test kit API](../testing.md), where its
promise is. Only a link to a module as a whole (``service_monitoring.runtime``)
lands on one of these pages. Code outside the package imports only public names.

The page names follow the layers: `domain.*` imports nothing outside the domain;
`storage.*`, `intake.*` and `telemetry.*` build on it; `delivery.*` on those;
`runtime` and `plugins` on all of them, neither on the other; `cli.*` sits on top,
with `testing.*`, the test kit, beside it (it builds on `delivery.*`, `storage.*`
and `domain.*`).

```{{toctree}}
:maxdepth: 1

{entries}
```
"""


def internal_modules() -> list[str]:
    """Every internal module of the package, found by pkgutil.

    ``__main__`` and the public namespaces are left out.
    """
    package = importlib.import_module(PACKAGE)
    return sorted(
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + ".")
        if info.name.rsplit(".", 1)[-1] != "__main__" and info.name not in PUBLIC_NAMESPACES
    )


#: Where the public names of a module's part are imported from, as its page says it.
HOMES = {
    f"{PACKAGE}.testing.": "`service_monitoring.testing` ([test kit API](../testing.md))",
}
DEFAULT_HOMES = (
    "`service_monitoring` ([public API](../public.md)) or `service_monitoring.storage`\n"
    "([storage API](../storage.md))"
)


def homes(module: str) -> str:
    """The public namespace(s) that re-export names of *module*, for its page's warning."""
    return next(
        (text for prefix, text in HOMES.items() if module.startswith(prefix)), DEFAULT_HOMES
    )


def page_name(module: str) -> str:
    """``service_monitoring.domain.policy`` -> ``domain.policy``, its page's name."""
    return module.removeprefix(PACKAGE + ".")


def write_pages(directory: Path) -> list[Path]:
    """Write the index and one page per module; delete pages of vanished modules."""
    directory.mkdir(parents=True, exist_ok=True)
    modules = internal_modules()
    wanted = {directory / f"{page_name(module)}.md": module for module in modules}
    for stale in directory.glob("*.md"):
        if stale.name != "index.md" and stale not in wanted:
            stale.unlink()
    for path, module in wanted.items():
        path.write_text(PAGE.format(module=module, package=PACKAGE, homes=homes(module)))
    entries = "\n".join(page_name(module) for module in modules)
    index = directory / "index.md"
    index.write_text(INDEX.format(entries=entries))
    return [index, *wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", type=Path, default=INTERNALS)
    args = parser.parse_args(argv)
    for path in write_pages(args.directory):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
