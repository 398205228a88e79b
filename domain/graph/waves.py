"""Execution waves: atoms whose dependencies are all in earlier waves run together.

Wave 0 holds the atoms that depend on nothing; wave N only on waves < N. This is networkx's
topological generations of the definer → user graph, each generation sorted for determinism.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from domain.graph.gc_pause import cyclic_gc_paused
from domain.graph.model import EDGE_TYPE_ORDER, DependencyEdge, GraphStats


class CyclicGraphError(ValueError):
    """Waves need an acyclic graph: break cycles first."""


@dataclass(frozen=True, slots=True)
class Schedule:
    waves: tuple[tuple[str, ...], ...]
    critical_path: tuple[str, ...]


def schedule(
    atom_ids: Sequence[str],
    edges: Sequence[DependencyEdge],
    *,
    max_wave_size: int | None = None,
) -> Schedule:
    """Waves (definers first) and the longest dependency chain of an acyclic edge set."""
    if max_wave_size is not None and max_wave_size < 1:
        raise ValueError("max_wave_size must be at least 1")
    with cyclic_gc_paused():
        return _schedule(atom_ids, edges, max_wave_size)


def _schedule(
    atom_ids: Sequence[str], edges: Sequence[DependencyEdge], max_wave_size: int | None
) -> Schedule:
    rank = {atom_id: i for i, atom_id in enumerate(atom_ids)}
    graph = nx.DiGraph()
    graph.add_nodes_from(atom_ids)
    # Insertion order does not reach the result: generations are sorted below and the longest
    # path breaks ties by node id, so the edges need no sorting here.
    graph.add_edges_from((e.target, e.source) for e in edges)
    try:
        generations = [
            tuple(sorted(generation, key=rank.__getitem__))
            for generation in nx.topological_generations(graph)
        ]
    except nx.NetworkXUnfeasible as error:
        raise CyclicGraphError("dependency graph has a cycle; call break_cycles first") from error
    order = [atom for generation in generations for atom in generation]
    critical = tuple(nx.dag_longest_path(graph, topo_order=order)) if order else ()
    return Schedule(split_waves(generations, max_wave_size), critical)


def split_waves(
    waves: Sequence[tuple[str, ...]], max_wave_size: int | None
) -> tuple[tuple[str, ...], ...]:
    """Cut every wave larger than the cap into consecutive chunks; order across waves holds
    because each chunk stays before every chunk of the next wave."""
    if max_wave_size is None:
        return tuple(waves)
    return tuple(
        wave[start : start + max_wave_size]
        for wave in waves
        for start in range(0, len(wave), max_wave_size)
    )


def compute_stats(
    atom_count: int,
    edges: Sequence[DependencyEdge],
    waves: Sequence[Sequence[str]],
    critical_path: Sequence[str],
    *,
    cycles_found: int,
    edges_removed: int,
) -> GraphStats:
    counts: dict[str, int] = {edge_type.value: 0 for edge_type in EDGE_TYPE_ORDER}
    for edge in edges:
        counts[edge.type.value] += 1
    sizes = [len(wave) for wave in waves]
    by_type: Mapping[str, int] = counts
    return GraphStats(
        atoms=atom_count,
        edges=len(edges),
        waves=len(waves),
        max_wave_size=max(sizes, default=0),
        mean_wave_size=round(atom_count / len(waves), 3) if waves else 0.0,
        critical_path_length=len(critical_path),
        parallelism=round(atom_count / len(waves), 3) if waves else 0.0,
        edges_by_type=by_type,
        cycles_found=cycles_found,
        edges_removed=edges_removed,
    )
