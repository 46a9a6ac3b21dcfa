"""The layer diagram of the Capstone Architecture Guide is the package's real import graph.

The guide's checked mermaid block (the one with a ``%% checked:`` comment) draws every part of
``src/service_monitoring`` -- each layer folder (``domain``, ``storage`` ...) and each top-level
module (``runtime``) -- inside a ``subgraph`` per layer, top layer first, and one arrow per pair
of parts where a module of the first imports from the second: ``a --> b & c``. The package root
(``__init__``, which only re-exports) and ``__main__`` are not drawn. import-linter enforces
the same layers in ``tox -e lint``; this test keeps the picture honest.
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


def part_of(path: Path) -> str:
    """The drawn part a source file belongs to: its layer folder, or its own name."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def sources() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in {"__init__.py", "__main__.py"}
    ]


def modules() -> set[str]:
    """The drawn parts: layer folders and top-level modules."""
    return {part_of(path) for path in sources()}


def imported_parts(path: Path) -> set[str]:
    """The parts that the relative imports of *path* reach."""
    package = path.parent.relative_to(PACKAGE).parts  # () for a top-level module
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package[: len(package) - (node.level - 1)]
        names = node.module.split(".") if node.module else [node.names[0].name]
        targets.add([*base, *names][0])
    return targets


def imports() -> dict[str, set[str]]:
    """Part -> the other parts its modules import from."""
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for path in sources():
        source = part_of(path)
        graph[source] |= imported_parts(path) - {source}
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


def test_every_part_sits_in_exactly_one_layer() -> None:
    placed = [name for layer in drawn_layers() for name in layer]
    assert sorted(name for name in set(placed) if placed.count(name) > 1) == []
    assert sorted(modules() - set(placed)) == [], "parts in no layer of the diagram"
    assert sorted(set(placed) - modules()) == [], "layer members that are not parts"


def test_no_import_points_to_a_higher_layer() -> None:
    rank = {name: depth for depth, layer in enumerate(drawn_layers()) for name in layer}
    upward = sorted(
        (a, b) for a, b in imported_edges() if a in rank and b in rank and rank[b] < rank[a]
    )
    assert upward == []


def test_the_domain_is_the_bottom_layer_and_imports_no_infrastructure() -> None:
    assert drawn_layers()[-1] == {"domain"}
    assert imports()["domain"] == set()
    for path in sources():
        if part_of(path) != "domain":
            continue
        absolute: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                absolute.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                absolute.add(node.module.split(".")[0])
        assert absolute.isdisjoint(INFRASTRUCTURE), (
            f"{path.name} imports {absolute & INFRASTRUCTURE}"
        )
