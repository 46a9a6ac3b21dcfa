"""The import diagram of the Capstone Architecture Guide is the package's real import graph.

The guide's checked mermaid block (the one with a ``%% checked:`` comment) draws every module of
``src/service_monitoring`` inside a ``subgraph`` per layer, top layer first, and one arrow per
relative import: ``a --> b & c`` reads "module a imports from b and from c". The package root
(``__init__``, which only re-exports) and ``__main__`` are not drawn.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "service_monitoring"
GUIDE = ROOT / "docs" / "capstone" / "architecture.md"
NOT_DRAWN = {"__init__", "__main__"}
# What the domain must never import: storage, logging, clocks, threads, the network, telemetry.
INFRASTRUCTURE = {
    "sqlite3",
    "logging",
    "threading",
    "time",
    "json",
    "pickle",
    "socket",
    "http",
    "urllib",
    "opentelemetry",
}

MERMAID = re.compile(r"^```\{mermaid\}\s*$(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
EDGE = re.compile(r"^\s*(\w+)\s*-->\s*(\w+(?:\s*&\s*\w+)*)\s*$")
SUBGRAPH = re.compile(r"^\s*subgraph\s+(\w+)")
MEMBER = re.compile(r"^\s*(\w+)\s*$")


def modules() -> set[str]:
    return {path.stem for path in PACKAGE.glob("*.py")} - NOT_DRAWN


def imports() -> dict[str, set[str]]:
    """Module -> the package modules it imports with ``from .x import`` or ``from . import x``."""
    graph: dict[str, set[str]] = {}
    for name in sorted(modules()):
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    targets.add(node.module.split(".")[0])
                else:
                    targets.update(alias.name for alias in node.names)
        graph[name] = targets
    return graph


def imported_edges() -> set[tuple[str, str]]:
    return {(source, target) for source, targets in imports().items() for target in targets}


def checked_diagram() -> str:
    blocks = MERMAID.findall(GUIDE.read_text(encoding="utf-8"))
    checked = [block for block in blocks if "%% checked:" in block]
    assert len(checked) == 1, "the guide needs exactly one mermaid block marked '%% checked:'"
    return checked[0]


def drawn_edges() -> set[tuple[str, str]]:
    edges: set[tuple[str, str]] = set()
    for line in checked_diagram().splitlines():
        match = EDGE.match(line)
        if match:
            for target in match.group(2).split("&"):
                edges.add((match.group(1), target.strip()))
    return edges


def drawn_layers() -> list[set[str]]:
    """The members of each subgraph, top layer first."""
    layers: list[set[str]] = []
    current: set[str] | None = None
    for line in checked_diagram().splitlines():
        if SUBGRAPH.match(line):
            current = set()
            layers.append(current)
        elif line.strip() == "end":
            current = None
        elif current is not None and (member := MEMBER.match(line)):
            current.add(member.group(1))
    return layers


def test_the_diagram_shows_exactly_the_imports() -> None:
    drawn, real = drawn_edges(), imported_edges()
    assert drawn, "no arrows found in the checked diagram"
    missing, invented = sorted(real - drawn), sorted(drawn - real)
    assert not missing, f"imports the diagram does not draw: {missing}"
    assert not invented, f"arrows no import makes: {invented}"


def test_every_module_sits_in_exactly_one_layer() -> None:
    placed = [name for layer in drawn_layers() for name in layer]
    assert sorted(name for name in set(placed) if placed.count(name) > 1) == []
    assert sorted(modules() - set(placed)) == [], "modules in no layer of the diagram"
    assert sorted(set(placed) - modules()) == [], "layer members that are not modules"


def test_no_import_points_to_a_higher_layer() -> None:
    rank = {name: depth for depth, layer in enumerate(drawn_layers()) for name in layer}
    upward = sorted(
        (a, b) for a, b in imported_edges() if a in rank and b in rank and rank[b] < rank[a]
    )
    assert upward == []


def test_the_domain_imports_no_infrastructure() -> None:
    domain = drawn_layers()[-1]
    assert {"aggregate", "model", "errors"} <= domain
    for name in sorted(domain):
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        absolute: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                absolute.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                absolute.add(node.module.split(".")[0])
        assert absolute.isdisjoint(INFRASTRUCTURE), f"{name}.py imports {absolute & INFRASTRUCTURE}"
        assert imports()[name] <= domain, f"{name}.py imports from outside the domain"
