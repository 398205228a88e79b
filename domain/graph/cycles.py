"""Break dependency cycles so that a plan with mutual references still gets waves.

Strongly connected components are found with networkx; inside each one the Eades-Lin-Smyth
heuristic orders the atoms so that the edges pointing backwards (the feedback arc set) are few
and light. Edge weights encode the preference: TYPE and VARIABLE edges are cheap to cut (the
generator can be told a name and signature), FUNCTION_CALL and IMPORT edges are dear. A
final pass puts back any cut edge that does not close a cycle, so no edge is removed in vain.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from domain.graph.gc_pause import cyclic_gc_paused
from domain.graph.model import DependencyEdge, RemovedEdge

_MAX_WITNESS_ATOMS = 8
_POLICY = "Eades-Lin-Smyth feedback arc set; type/variable edges are cut before calls/imports"

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class CycleBreak:
    kept: tuple[DependencyEdge, ...]
    removed: tuple[RemovedEdge, ...]
    cycles_found: int  # strongly connected components with more than one atom


def break_cycles(
    atom_ids: Sequence[str],
    edges: Sequence[DependencyEdge],
    labels: Mapping[str, str] | None = None,
) -> CycleBreak:
    """Remove a small, light set of edges so that the remaining graph is acyclic."""
    with cyclic_gc_paused():
        return _break_cycles(atom_ids, edges, labels)


def _break_cycles(
    atom_ids: Sequence[str],
    edges: Sequence[DependencyEdge],
    labels: Mapping[str, str] | None,
) -> CycleBreak:
    rank = {atom_id: i for i, atom_id in enumerate(atom_ids)}
    # A pair of atoms weighs as much as its strongest edge: a call next to an annotation is
    # still a call, while summing would let two weak edges outweigh one strong one.
    weights: dict[Pair, float] = defaultdict(float)
    for edge in edges:
        if edge.source != edge.target:
            pair = (edge.source, edge.target)
            weights[pair] = max(weights[pair], edge.weight)
    graph = nx.DiGraph()
    graph.add_nodes_from(atom_ids)
    graph.add_edges_from(weights)  # components are sorted below: insertion order is irrelevant
    components = sorted(
        (
            sorted(component, key=rank.__getitem__)
            for component in nx.strongly_connected_components(graph)
            if len(component) > 1
        ),
        key=lambda component: rank[component[0]],
    )
    cut: dict[Pair, str] = {}
    for number, component in enumerate(components, start=1):
        cut.update(_break_component(graph, component, weights, rank, number, labels or {}))
    kept: list[DependencyEdge] = []
    removed: list[RemovedEdge] = []
    for edge in edges:
        reason = cut.get((edge.source, edge.target))
        if reason is None and edge.source != edge.target:
            kept.append(edge)
        elif reason is not None:
            removed.append(RemovedEdge(edge, f"{reason}; {edge.type.value} edge on {edge.symbol}"))
        else:
            removed.append(RemovedEdge(edge, "self-dependency: an atom cannot wait for itself"))
    return CycleBreak(tuple(kept), tuple(removed), len(components))


def _break_component(
    graph: nx.DiGraph,
    component: list[str],
    weights: Mapping[Pair, float],
    rank: Mapping[str, int],
    number: int,
    labels: Mapping[str, str],
) -> dict[Pair, str]:
    members = set(component)
    pairs = [
        (source, target)
        for source in component
        for target in sorted(graph.successors(source), key=rank.__getitem__)
        if target in members
    ]
    position = {atom: i for i, atom in enumerate(_eades_lin_smyth(component, pairs, weights))}
    backward = [pair for pair in pairs if position[pair[0]] > position[pair[1]]]
    forward = [pair for pair in pairs if position[pair[0]] < position[pair[1]]]
    kept = nx.DiGraph()
    kept.add_nodes_from(component)
    kept.add_edges_from(forward)
    # Put back the heaviest cut edges that no longer close a cycle (ELS can over-cut).
    removed: list[Pair] = []
    for source, target in sorted(backward, key=lambda p: (-weights[p], rank[p[0]], rank[p[1]])):
        if nx.has_path(kept, target, source):
            removed.append((source, target))
        else:
            kept.add_edge(source, target)
    original = graph.subgraph(component)
    reasons: dict[Pair, str] = {}
    for source, target in removed:
        path = nx.shortest_path(original, target, source)
        reasons[(source, target)] = (
            f"breaks cycle {_describe_cycle([source, *path], labels)} "
            f"(strongly connected component #{number} of {len(component)} atoms; "
            f"lightest dependency to drop, weight {weights[(source, target)]:.2f}; {_POLICY})"
        )
    return reasons


def _describe_cycle(cycle: list[str], labels: Mapping[str, str]) -> str:
    names = [labels.get(atom, atom) for atom in cycle]
    if len(names) > _MAX_WITNESS_ATOMS:
        names = [*names[: _MAX_WITNESS_ATOMS - 2], "...", names[-1]]
    return " -> ".join(names)


def _eades_lin_smyth(
    nodes: list[str], pairs: Iterable[Pair], weights: Mapping[Pair, float]
) -> list[str]:
    """Order nodes so that few and light edges go backwards (weighted Eades-Lin-Smyth).

    Sinks go to the end, sources to the front; otherwise the node whose outgoing weight most
    exceeds its incoming weight goes to the front, which leaves its light incoming edges as
    the backward ones. Heaps with lazy invalidation keep this O((V + E) log V).
    """
    order = {node: i for i, node in enumerate(nodes)}
    successors: dict[str, list[str]] = {node: [] for node in nodes}
    predecessors: dict[str, list[str]] = {node: [] for node in nodes}
    out_degree = dict.fromkeys(nodes, 0)
    in_degree = dict.fromkeys(nodes, 0)
    delta = dict.fromkeys(nodes, 0.0)
    for source, target in pairs:
        successors[source].append(target)
        predecessors[target].append(source)
        out_degree[source] += 1
        in_degree[target] += 1
        delta[source] += weights[(source, target)]
        delta[target] -= weights[(source, target)]
    alive = set(nodes)
    sinks = [order[n] for n in nodes if out_degree[n] == 0]
    sources = [order[n] for n in nodes if in_degree[n] == 0]
    best: list[tuple[float, int]] = [(-delta[n], order[n]) for n in nodes]
    heapq.heapify(sinks)
    heapq.heapify(sources)
    heapq.heapify(best)
    front: list[str] = []
    back: list[str] = []

    def remove(node: str) -> None:
        alive.discard(node)
        for target in successors[node]:
            if target in alive:
                in_degree[target] -= 1
                delta[target] += weights[(node, target)]
                heapq.heappush(best, (-delta[target], order[target]))
                if in_degree[target] == 0:
                    heapq.heappush(sources, order[target])
        for source in predecessors[node]:
            if source in alive:
                out_degree[source] -= 1
                delta[source] -= weights[(source, node)]
                heapq.heappush(best, (-delta[source], order[source]))
                if out_degree[source] == 0:
                    heapq.heappush(sinks, order[source])

    while alive:
        progressed = True
        while progressed:
            progressed = False
            while sinks:
                node = nodes[heapq.heappop(sinks)]
                if node in alive and out_degree[node] == 0:
                    back.append(node)
                    remove(node)
                    progressed = True
            while sources:
                node = nodes[heapq.heappop(sources)]
                if node in alive and in_degree[node] == 0:
                    front.append(node)
                    remove(node)
                    progressed = True
        while best:
            negative, index = heapq.heappop(best)
            node = nodes[index]
            if node in alive and -negative == delta[node]:
                front.append(node)
                remove(node)
                break
    return front + back[::-1]
