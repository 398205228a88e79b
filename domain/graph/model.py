"""Value types of the dependency graph: what goes in (atoms) and what comes out (edges, waves).

Everything here is frozen and built from sorted data, because atom ids and wave lists flow into
Temporal workflows, whose replays need byte-identical inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class GraphError(Exception):
    """Base of the errors this package raises on bad input."""


class DuplicateAtomError(GraphError, ValueError):
    """Two atoms share one id: edges between them would be ambiguous."""


class GraphvizNotInstalledError(GraphError, RuntimeError):
    """SVG export needs Graphviz's `dot` binary, which is not on PATH."""


class EdgeType(StrEnum):
    IMPORT = "import"
    FUNCTION_CALL = "function_call"
    VARIABLE = "variable"
    TYPE = "type"
    DATA_FLOW = "data_flow"


# How much an edge of each type matters when a cycle must lose an edge: a type annotation or a
# read of a constant is the cheapest promise to drop (the generator can be told the name), a call
# or an import the dearest. Bands are 0.2 apart so that the count bonus (< 0.1) never reorders
# types.
BASE_WEIGHT: Mapping[EdgeType, float] = MappingProxyType(
    {
        EdgeType.IMPORT: 1.0,
        EdgeType.FUNCTION_CALL: 0.8,
        EdgeType.DATA_FLOW: 0.6,
        EdgeType.VARIABLE: 0.4,
        EdgeType.TYPE: 0.2,
    }
)

EDGE_TYPE_ORDER: tuple[EdgeType, ...] = tuple(EdgeType)


@dataclass(frozen=True, slots=True)
class GraphAtom:
    """The part of an atom the graph needs; the lead builds these from database rows."""

    atom_id: str
    path: str
    language: str
    ordinal: int
    code: str
    name: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}:{self.name}" if self.name else f"{self.path}#{self.ordinal}"


@dataclass(frozen=True, slots=True)
class DependencyEdge:
    """`source` (the user) needs `target` (the definer) to exist first."""

    source: str
    target: str
    type: EdgeType
    weight: float
    symbol: str


@dataclass(frozen=True, slots=True)
class RemovedEdge:
    edge: DependencyEdge
    reason: str


@dataclass(frozen=True, slots=True)
class GraphStats:
    atoms: int
    edges: int
    waves: int
    max_wave_size: int
    mean_wave_size: float
    critical_path_length: int
    parallelism: float
    edges_by_type: Mapping[str, int]
    cycles_found: int
    edges_removed: int

    def to_dict(self) -> dict[str, object]:
        return {
            "atoms": self.atoms,
            "edges": self.edges,
            "waves": self.waves,
            "max_wave_size": self.max_wave_size,
            "mean_wave_size": self.mean_wave_size,
            "critical_path_length": self.critical_path_length,
            "parallelism": self.parallelism,
            "edges_by_type": dict(self.edges_by_type),
            "cycles_found": self.cycles_found,
            "edges_removed": self.edges_removed,
        }


@dataclass(frozen=True, slots=True)
class DependencyGraph:
    atom_ids: tuple[str, ...]
    edges: tuple[DependencyEdge, ...]
    removed_edges: tuple[RemovedEdge, ...]
    waves: tuple[tuple[str, ...], ...]
    critical_path: tuple[str, ...]
    stats: GraphStats
    # Human-readable names (path:symbol) for exports and reports; optional because a graph
    # rebuilt from database rows may only know ids. Plain dicts (here and in the stats) keep
    # the graph picklable and `dataclasses.asdict`-able; nobody mutates them.
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, atom_id: str) -> str:
        return self.labels.get(atom_id, atom_id)

    def wave_of(self) -> dict[str, int]:
        return {atom_id: index for index, wave in enumerate(self.waves) for atom_id in wave}
