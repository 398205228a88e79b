"""Cycle breaking and waves: a plan with cycles still runs, removed edges are reported, and the
wave schedule respects every kept dependency (property tests on random graphs)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.graph import (
    BASE_WEIGHT,
    CyclicGraphError,
    DependencyEdge,
    EdgeType,
    break_cycles,
    build_dependency_graph,
    schedule,
    split_waves,
)
from tests.unit.graph.helpers import CYCLIC_PLAN, atoms_from


def test_a_plan_with_a_deliberate_cycle_runs_and_reports_the_removed_edges() -> None:
    graph = build_dependency_graph(atoms_from(CYCLIC_PLAN))
    assert graph.stats.cycles_found == 1
    assert graph.stats.edges_removed == len(graph.removed_edges) >= 1
    removed = {(r.edge.source, r.edge.target, r.edge.type) for r in graph.removed_edges}
    # notify's annotation and attribute read go (the pair notify -> Order), not the call.
    assert removed == {
        ("shop/customers.py:notify", "shop/orders.py:Order", EdgeType.TYPE),
        ("shop/customers.py:notify", "shop/orders.py:Order", EdgeType.DATA_FLOW),
    }
    for item in graph.removed_edges:
        assert item.reason.startswith("breaks cycle ")
        assert "strongly connected component #1" in item.reason
        assert item.edge.symbol in item.reason
    # Every atom is scheduled exactly once, definers before users.
    assert sorted(a for wave in graph.waves for a in wave) == sorted(graph.atom_ids)
    wave_of = graph.wave_of()
    assert all(wave_of[e.source] > wave_of[e.target] for e in graph.edges)
    print(
        "\nremoved:",
        *(f"{r.edge.source} -> {r.edge.target}: {r.reason}" for r in graph.removed_edges),
        sep="\n  ",
    )


def _edge(source: str, target: str, edge_type: EdgeType = EdgeType.FUNCTION_CALL) -> DependencyEdge:
    return DependencyEdge(source, target, edge_type, BASE_WEIGHT[edge_type], f"{target}_symbol")


def test_the_weakest_edge_of_a_cycle_is_cut() -> None:
    edges = [
        _edge("a", "b", EdgeType.IMPORT),
        _edge("b", "c", EdgeType.FUNCTION_CALL),
        _edge("c", "a", EdgeType.TYPE),
        _edge("c", "d", EdgeType.VARIABLE),
    ]
    result = break_cycles(["a", "b", "c", "d"], edges)
    assert [(r.edge.source, r.edge.target) for r in result.removed] == [("c", "a")]
    assert "breaks cycle c -> a -> b -> c" in result.removed[0].reason
    assert result.cycles_found == 1


def test_self_dependencies_are_dropped_with_a_reason() -> None:
    result = break_cycles(["a"], [_edge("a", "a")])
    assert result.kept == ()
    assert result.removed[0].reason.startswith("self-dependency")


def test_two_cycles_sharing_an_atom_need_two_cuts_and_no_more() -> None:
    edges = [
        _edge("a", "b"),
        _edge("b", "a", EdgeType.TYPE),
        _edge("b", "c"),
        _edge("c", "b", EdgeType.VARIABLE),
    ]
    result = break_cycles(["a", "b", "c"], edges)
    assert {(r.edge.source, r.edge.target) for r in result.removed} == {("b", "a"), ("c", "b")}


def test_schedule_refuses_a_cyclic_graph() -> None:
    with pytest.raises(CyclicGraphError):
        schedule(["a", "b"], [_edge("a", "b"), _edge("b", "a")])


def test_schedule_rejects_a_cap_below_one() -> None:
    with pytest.raises(ValueError):
        schedule(["a"], [], max_wave_size=0)


def test_waves_stats_and_critical_path_of_a_small_graph() -> None:
    # d uses c uses b uses a; e uses a; f is alone.
    edges = [_edge("d", "c"), _edge("c", "b"), _edge("b", "a"), _edge("e", "a", EdgeType.TYPE)]
    plan = schedule(["a", "b", "c", "d", "e", "f"], edges)
    assert plan.waves == (("a", "f"), ("b", "e"), ("c",), ("d",))
    assert plan.critical_path == ("a", "b", "c", "d")
    capped = schedule(["a", "b", "c", "d", "e", "f"], edges, max_wave_size=1)
    assert capped.waves == (("a",), ("f",), ("b",), ("e",), ("c",), ("d",))


def test_stats_of_a_built_graph() -> None:
    graph = build_dependency_graph(atoms_from(CYCLIC_PLAN), max_wave_size=2)
    stats = graph.stats
    assert stats.atoms == 5
    assert stats.waves == len(graph.waves)
    assert stats.max_wave_size <= 2
    assert stats.mean_wave_size == pytest.approx(5 / stats.waves, abs=1e-3)
    assert stats.parallelism == pytest.approx(5 / stats.waves, abs=1e-3)
    assert stats.critical_path_length == len(graph.critical_path)
    assert sum(stats.edges_by_type.values()) == stats.edges == len(graph.edges)
    assert list(stats.edges_by_type) == [t.value for t in EdgeType]


# --- property tests on random graphs --------------------------------------------------------

_TYPES = list(EdgeType)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[list[str], list[DependencyEdge]]:
    size = draw(st.integers(min_value=1, max_value=30))
    atoms = [f"n{i:02d}" for i in range(size)]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(atoms), st.sampled_from(atoms), st.sampled_from(_TYPES)),
            max_size=size * 3,
            unique_by=lambda t: (t[0], t[1], t[2]),
        )
    )
    return atoms, [_edge(source, target, edge_type) for source, target, edge_type in pairs]


@settings(max_examples=200, deadline=None)
@given(random_graphs(), st.one_of(st.none(), st.integers(min_value=1, max_value=5)))
def test_waves_respect_every_kept_edge(
    graph: tuple[list[str], list[DependencyEdge]], cap: int | None
) -> None:
    atoms, edges = graph
    result = break_cycles(atoms, edges)
    kept = nx.DiGraph([(e.source, e.target) for e in result.kept])
    assert nx.is_directed_acyclic_graph(kept)
    # Only edges inside a cycle of the original graph are ever removed.
    original = nx.DiGraph([(e.source, e.target) for e in edges])
    component = {n: i for i, c in enumerate(nx.strongly_connected_components(original)) for n in c}
    for removed in result.removed:
        assert component[removed.edge.source] == component[removed.edge.target]
    plan = schedule(atoms, result.kept, max_wave_size=cap)
    wave_of = {atom: index for index, wave in enumerate(plan.waves) for atom in wave}
    assert sorted(wave_of) == sorted(atoms)
    assert sum(len(wave) for wave in plan.waves) == len(atoms)
    for edge in result.kept:  # the user runs in a later wave than what it depends on
        assert wave_of[edge.source] > wave_of[edge.target]
    if cap is not None:
        assert all(1 <= len(wave) <= cap for wave in plan.waves)
    else:
        assert len(plan.critical_path) == len(plan.waves)
        # wave 0 is exactly the atoms with no dependency
        users = {e.source for e in result.kept}
        assert set(plan.waves[0]) == set(atoms) - users
    for user, definer in zip(plan.critical_path[1:], plan.critical_path, strict=False):
        assert kept.has_edge(user, definer)


@settings(max_examples=100, deadline=None)
@given(random_graphs())
def test_no_removed_edge_could_have_been_kept(
    graph: tuple[list[str], list[DependencyEdge]],
) -> None:
    atoms, edges = graph
    result = break_cycles(atoms, edges)
    kept = nx.DiGraph([(e.source, e.target) for e in result.kept])
    kept.add_nodes_from(atoms)
    for removed in result.removed:
        source, target = removed.edge.source, removed.edge.target
        assert source == target or nx.has_path(kept, target, source)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=8), max_size=6),
    st.integers(min_value=1, max_value=4),
)
def test_split_waves_keeps_order_and_cap(waves: list[list[str]], cap: int) -> None:
    split = split_waves([tuple(w) for w in waves], cap)
    assert [a for wave in split for a in wave] == [a for wave in waves for a in wave]
    assert all(1 <= len(wave) <= cap for wave in split)
    assert len(split) == sum(-(-len(w) // cap) for w in waves)
