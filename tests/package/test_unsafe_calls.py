"""No pickle, eval, exec or yaml.load in the package: stored and received bytes are data."""

from __future__ import annotations

import ast
from pathlib import Path

import service_monitoring

PACKAGE = Path(service_monitoring.__file__).parent
BANNED_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "yaml"}
BANNED_CALLS = {"eval", "exec", "compile", "__import__"}


def offences(path: Path) -> list[str]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [(line, f"import {a.name}") for a in node.names if a.name in BANNED_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in BANNED_MODULES:
            found.append((line, f"from {node.module} import ..."))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in BANNED_CALLS
        ):
            found.append((line, f"{node.func.id}()"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in {"load", "loads", "unsafe_load"}
            and isinstance(node.value, ast.Name)
            and node.value.id in BANNED_MODULES
        ):
            found.append((line, f"{node.value.id}.{node.attr}"))
    return [f"{path.name}:{line} {what}" for line, what in sorted(found)]


def test_the_package_never_deserialises_code() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 10
    assert [offence for path in sources for offence in offences(path)] == []


def test_the_check_catches_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import pickle\nimport yaml\nyaml.load(x)\neval('1')\n", encoding="utf-8")
    assert offences(sample) == [
        "bad.py:1 import pickle",
        "bad.py:2 import yaml",
        "bad.py:3 yaml.load",
        "bad.py:4 eval()",
    ]
