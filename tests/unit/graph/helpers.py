"""Fixture plumbing: files cut into atoms at `# @atom NAME` / `// @atom NAME` marker lines.

Markers make the hand labels independent of the atomizer's choices: a label names an atom as
`path:NAME`, and the concatenated atoms are byte for byte the fixture file.
"""

from __future__ import annotations

import re
from pathlib import Path

from domain.graph import DependencyEdge, DependencyGraph, GraphAtom

FIXTURES = Path(__file__).parent / "fixtures"
_MARKER = re.compile(r"^\s*(?:#|//) @atom (\S+)\s*$")
_LANGUAGES = {".py": "python", ".ts": "typescript", ".tsx": "tsx", ".js": "javascript"}


def split_atoms(path: str, source: str) -> list[GraphAtom]:
    """Cut `source` before each marker line; the atom id is `path:NAME`."""
    lines = source.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _MARKER.match(line)]
    if not starts or starts[0] != 0:
        raise ValueError(f"{path}: the first line must be an `@atom` marker")
    language = _LANGUAGES.get(Path(path).suffix, "text")
    atoms = []
    for ordinal, (start, end) in enumerate(zip(starts, [*starts[1:], len(lines)], strict=True)):
        marker = _MARKER.match(lines[start])
        assert marker is not None
        name = marker.group(1)
        atoms.append(
            GraphAtom(
                atom_id=f"{path}:{name}",
                path=path,
                language=language,
                ordinal=ordinal,
                code="".join(lines[start:end]),
                name=name,
            )
        )
    return atoms


def load_tree(root: Path) -> list[GraphAtom]:
    atoms: list[GraphAtom] = []
    for file in sorted(root.rglob("*")):
        if file.is_file() and file.suffix in _LANGUAGES:
            atoms.extend(split_atoms(file.relative_to(root).as_posix(), file.read_text()))
    return atoms


def atoms_from(files: dict[str, str]) -> list[GraphAtom]:
    """Atoms of in-test sources given as {path: source-with-markers}."""
    return [atom for path, source in files.items() for atom in split_atoms(path, source)]


def triples(edges: list[DependencyEdge] | tuple[DependencyEdge, ...]) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.type.value) for edge in edges}


def all_triples(graph: DependencyGraph) -> set[tuple[str, str, str]]:
    return triples(graph.edges) | triples(tuple(r.edge for r in graph.removed_edges))


CYCLIC_PLAN = {
    # Order.confirm calls notify, notify annotates its parameter with Order: a cycle whose
    # cheapest edge is the annotation.
    "shop/orders.py": (
        "# @atom imports\n"
        "from shop.customers import notify\n"
        "# @atom Order\n"
        "class Order:\n"
        "    def __init__(self, customer: str) -> None:\n"
        "        self.customer = customer\n"
        "    def confirm(self) -> None:\n"
        "        notify(self)\n"
        "# @atom place\n"
        "def place(customer: str) -> Order:\n"
        "    order = Order(customer)\n"
        "    notify(order)\n"
        "    return order\n"
    ),
    "shop/customers.py": (
        "# @atom imports\n"
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from shop.orders import Order\n"
        "# @atom notify\n"
        "def notify(order: Order) -> None:\n"
        "    print('placed', order.customer)\n"
    ),
}
