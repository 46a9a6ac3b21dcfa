"""Write one internals page per module of ``service_monitoring``.

Each page documents one internal module with ``:no-index:``, so it registers no
link target: every reference on the site resolves to the public name. Pages of
modules that no longer exist are deleted. Run it after adding, renaming or
removing a module (``tests/docs`` fails until you do)::

    python scripts/make_internals_pages.py
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

PACKAGE = "service_monitoring"
ROOT = Path(__file__).resolve().parent.parent
INTERNALS = ROOT / "docs" / "reference" / "api" / "internals"

PAGE = """\
# `{module}`

:::{{admonition}} Implementation detail
:class: warning

`{module}` is internal. Nothing on this page carries a compatibility promise: it
may change or disappear in any release. Import from `{package}` instead; the
[public API](../public.md) documents the supported names.
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

These pages document the capstone's internal modules for readers who want to see
how the public API is built. They are implementation detail: no compatibility
promise covers them, and links on the site never point here. Code outside the
package imports only the names of the [public API](../public.md).

```{{toctree}}
:maxdepth: 1

{entries}
```
"""


def internal_modules() -> list[str]:
    """Every module of the package (``__main__`` excluded), found by pkgutil."""
    package = importlib.import_module(PACKAGE)
    return sorted(
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + ".")
        if info.name.rsplit(".", 1)[-1] != "__main__"
    )


def page_name(module: str) -> str:
    """``service_monitoring.model`` -> ``model`` (the page is ``internals/model.md``)."""
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
        path.write_text(PAGE.format(module=module, package=PACKAGE))
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
