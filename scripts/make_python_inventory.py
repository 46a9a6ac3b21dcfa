"""Generate ``conf/python-objects.inv``: a local intersphinx inventory for Python's docs.

The site must build with no network, so intersphinx cannot download
``https://docs.python.org/3/objects.inv``. This script builds an equivalent
inventory by introspecting the standard-library modules the course uses and
mapping every public object to its anchor on docs.python.org. It writes
``conf/opentelemetry-objects.inv`` for OpenTelemetry's API and SDK the same way.

Run it with the interpreter the project targets (Python 3.11), in an
environment with the docs dependency group installed, and commit the result::

    python scripts/make_python_inventory.py            # both inventories
    python scripts/make_python_inventory.py python     # one of them

The output is the Sphinx inventory format version 2: four header lines, then
zlib-compressed lines of ``name domain:role priority uri display-name``.
"""

from __future__ import annotations

import argparse
import builtins
import enum
import importlib
import inspect
import sys
import types
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Modules whose public names are indexed, with the page of the Python docs that
# documents each one (the page name is the module name unless stated here).
PYTHON_MODULES = _words(
    """
    abc argparse array asyncio base64 bisect collections collections.abc concurrent.futures
    contextlib contextvars copy cProfile csv dataclasses datetime decimal doctest enum
    email.utils fractions functools gc graphlib hashlib heapq hmac http http.client http.server
    importlib importlib.metadata
    importlib.resources inspect io ipaddress itertools json logging logging.config
    logging.handlers math numbers operator os os.path pathlib pickle pprint pstats queue
    random re reprlib sched secrets shlex shutil signal socket sqlite3 statistics string struct
    ssl subprocess sys tempfile textwrap threading time timeit tomllib traceback tracemalloc
    types typing unittest unittest.mock urllib urllib.error urllib.parse urllib.request uuid
    warnings weakref zlib zoneinfo
    """
)
PAGE_OF_MODULE: dict[str, str] = {"cProfile": "profile", "pstats": "profile"}

# OpenTelemetry's API and SDK modules; the capstone's observability names them.
OPENTELEMETRY_MODULES = _words(
    """
    opentelemetry.context opentelemetry.metrics opentelemetry.propagate opentelemetry.trace
    opentelemetry.sdk.metrics opentelemetry.sdk.metrics.export opentelemetry.sdk.resources
    opentelemetry.sdk.trace opentelemetry.sdk.trace.export
    """
)

# Built-in types documented on stdtypes.html rather than functions.html.
STDTYPES = frozenset(_words("bytearray bytes dict frozenset list memoryview range set str tuple"))

# Special methods the course names, documented in the language reference's data model.
DATAMODEL_METHODS = _words(
    """
    __init__ __new__ __del__ __repr__ __str__ __bytes__ __format__ __lt__ __le__ __eq__
    __ne__ __gt__ __ge__ __hash__ __bool__ __getattr__ __getattribute__ __setattr__
    __delattr__ __dir__ __get__ __set__ __delete__ __set_name__ __init_subclass__
    __class_getitem__ __call__ __len__ __length_hint__ __getitem__ __setitem__ __delitem__
    __missing__ __iter__ __reversed__ __contains__ __enter__ __exit__ __aenter__ __aexit__
    __index__ __round__ __reduce__ __reduce_ex__ __getstate__ __copy__ __deepcopy__ __add__
    __sub__ __mul__
    """
)
DATAMODEL_ATTRIBUTES = _words("__slots__ __dict__ __weakref__ __class__ __module__")

# Terms of Python's glossary that lessons may link with {term}`python:...`.
GLOSSARY_TERMS = (
    "abstract base class",
    "annotation",
    "attribute",
    "bytecode",
    "callable",
    "class",
    "context manager",
    "decorator",
    "descriptor",
    "dictionary",
    "duck-typing",
    "EAFP",
    "f-string",
    "file object",
    "function",
    "garbage collection",
    "generator",
    "generic type",
    "global interpreter lock",
    "hashable",
    "immutable",
    "importing",
    "iterable",
    "iterator",
    "LBYL",
    "method",
    "method resolution order",
    "module",
    "mutable",
    "named tuple",
    "namespace",
    "new-style class",
    "object",
    "parameter",
    "path-like object",
    "reference count",
    "sequence",
    "slots",
    "special method",
    "statement",
    "static type checker",
    "type",
    "type alias",
    "type hint",
    "variable annotation",
)

Entry = tuple[str, str, str]  # (name, "domain:role", uri relative to docs.python.org/3/)


def _role_of(obj: object) -> str:
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if inspect.isroutine(obj):
        return "py:function"
    return "py:data"


def _defined_by(value: object, module: types.ModuleType) -> bool:
    """Whether ``module`` (or a private module behind it) defines ``value``."""
    owner = getattr(value, "__module__", None)
    if not isinstance(owner, str):
        return True  # a constant: it has no __module__
    package = module.__name__.split(".")[0]
    private = (owner.startswith("_") and not owner.startswith("__")) or (
        owner.startswith(package + ".") and "._" in owner
    )
    return owner == module.__name__ or private


def _public_names(module: types.ModuleType) -> list[str]:
    """``__all__`` plus the public names the module defines itself (``__all__`` can be partial)."""
    names = [name for name in getattr(module, "__all__", ()) if hasattr(module, name)]
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType) or name in names:
            continue
        if _defined_by(value, module):
            names.append(name)
    return names


def _class_members(cls: type, qualname: str, page: str) -> Iterator[Entry]:
    """Methods and attributes of ``cls``, including those of its private base classes.

    Members inherited from a public class are indexed once, under that class.
    """
    namespace: dict[str, object] = {}
    for owner in reversed(cls.__mro__):
        if owner is cls or owner.__name__.startswith("_"):
            namespace.update(vars(owner))
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if isinstance(cls, enum.EnumMeta) and isinstance(value, cls):
            role = "py:attribute"
        elif isinstance(value, (classmethod, staticmethod)) or inspect.isroutine(value):
            role = "py:method"
        elif isinstance(value, type):
            continue
        else:
            role = "py:attribute"
        yield f"{qualname}.{name}", role, f"{page}#{qualname}.{name}"


def _alias_entries(name: str, qualname: str, role: str, uri: str) -> Iterator[Entry]:
    """The second role under which the docs may know an object.

    A factory documented as a class (``threading.Lock``) is named as a class by
    annotations; a lowercase class documented as a function (``itertools.chain``,
    ``enumerate``) is linked with ``:func:``.
    """
    if role == "py:function" and name[:1].isupper():
        yield qualname, "py:class", uri
    elif role == "py:class" and name[:1].islower():
        yield qualname, "py:function", uri


def module_entries(module_name: str, page: str) -> Iterator[Entry]:
    """The module and its public names, all documented on ``page`` (e.g. ``library/os.html``)."""
    module = importlib.import_module(module_name)
    yield module_name, "py:module", f"{page}#module-{module_name}"
    for name in _public_names(module):
        value = getattr(module, name)
        if isinstance(value, types.ModuleType):
            continue
        qualname = f"{module_name}.{name}"
        role = _role_of(value)
        yield qualname, role, f"{page}#{qualname}"
        yield from _alias_entries(name, qualname, role, f"{page}#{qualname}")
        if inspect.isclass(value):
            yield from _class_members(value, qualname, page)


def builtin_entries() -> Iterator[Entry]:
    yield "builtins", "py:module", "library/builtins.html#module-builtins"
    for name, value in vars(builtins).items():
        if name.startswith("_"):
            continue
        if inspect.isclass(value) and issubclass(value, BaseException):
            yield name, "py:exception", f"library/exceptions.html#{name}"
        elif inspect.isclass(value):
            page = f"library/{'stdtypes' if name in STDTYPES else 'functions'}.html"
            yield name, "py:class", f"{page}#{name}"
            yield from _alias_entries(name, name, "py:class", f"{page}#{name}")
            for member, entry_role, _uri in _class_members(value, name, page):
                yield member, entry_role, f"library/stdtypes.html#{member}"
        elif inspect.isroutine(value):
            yield name, "py:function", f"library/functions.html#{name}"
    for constant in ("None", "True", "False", "NotImplemented", "Ellipsis", "__debug__"):
        yield constant, "py:data", f"library/constants.html#{constant}"


def reference_entries() -> Iterator[Entry]:
    for name in DATAMODEL_METHODS:
        yield f"object.{name}", "py:method", f"reference/datamodel.html#object.{name}"
    for name in DATAMODEL_ATTRIBUTES:
        yield f"object.{name}", "py:attribute", f"reference/datamodel.html#object.{name}"
    for term in GLOSSARY_TERMS:
        anchor = "term-" + term.lower().replace(" ", "-")
        yield term, "std:term", f"glossary.html#{anchor}"


def python_entries() -> Iterator[Entry]:
    yield from builtin_entries()
    yield from reference_entries()
    for module in PYTHON_MODULES:
        yield from module_entries(module, f"library/{PAGE_OF_MODULE.get(module, module)}.html")


def opentelemetry_entries() -> Iterator[Entry]:
    for module in OPENTELEMETRY_MODULES:
        section, _, rest = module.removeprefix("opentelemetry.").partition(".")
        name = module.removeprefix("opentelemetry.")
        page = f"sdk/{rest}.html" if section == "sdk" else f"api/{name}.html"
        yield from module_entries(module, page)


@dataclass(frozen=True)
class Project:
    title: str
    version: str
    entries: Callable[[], Iterator[Entry]]
    output: Path


PROJECTS = {
    "python": Project(
        "Python",
        f"{sys.version_info.major}.{sys.version_info.minor}",
        python_entries,
        ROOT / "conf" / "python-objects.inv",
    ),
    "opentelemetry": Project(
        "OpenTelemetry Python",
        metadata.version("opentelemetry-api"),
        opentelemetry_entries,
        ROOT / "conf" / "opentelemetry-objects.inv",
    ),
}


def unique(entries: Iterable[Entry]) -> list[Entry]:
    found: dict[tuple[str, str], str] = {}
    for entry_name, role, uri in entries:
        # The first page that documents a name wins (e.g. a re-exported class).
        found.setdefault((entry_name, role), uri)
    return sorted((name, role, uri) for (name, role), uri in found.items())


def render(project: Project, entries: list[Entry]) -> bytes:
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project.title}\n"
        f"# Version: {project.version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = []
    for name, role, uri in entries:
        # "$" stands for the name at the end of the uri; "-" for "display as name".
        short_uri = uri[: -len(name)] + "$" if uri.endswith("#" + name) else uri
        lines.append(f"{name} {role} 1 {short_uri} -\n")
    return header.encode() + zlib.compress("".join(lines).encode(), 9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="*", metavar="PROJECT", help=", ".join(PROJECTS))
    args = parser.parse_args(argv)
    unknown = set(args.projects) - set(PROJECTS)
    if unknown:
        parser.error(f"unknown project(s): {', '.join(sorted(unknown))}")
    for name in args.projects or PROJECTS:
        project = PROJECTS[name]
        entries = unique(project.entries())
        data = render(project, entries)
        project.output.write_bytes(data)
        print(f"{name}: {len(entries)} entries, {len(data)} bytes -> {project.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
