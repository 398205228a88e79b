"""Same atoms, same graph (whatever their order), and exports that parse."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from domain.graph import (
    DependencyGraph,
    DuplicateAtomError,
    GraphAtom,
    GraphvizNotInstalledError,
    build_dependency_graph,
    to_dot,
    to_json,
    to_mermaid,
    to_svg,
)
from tests.unit.graph.helpers import CYCLIC_PLAN, FIXTURES, atoms_from, load_tree

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def graph() -> DependencyGraph:
    return build_dependency_graph(load_tree(FIXTURES / "labelled"), max_wave_size=7)


def test_same_input_in_any_order_gives_the_same_graph() -> None:
    atoms = load_tree(FIXTURES / "labelled")
    first = build_dependency_graph(atoms, max_wave_size=5)
    for seed in range(3):
        shuffled = list(atoms)
        random.Random(seed).shuffle(shuffled)
        again = build_dependency_graph(shuffled, max_wave_size=5)
        assert again == first
        assert to_json(again) == to_json(first)


_DUMP = """
import json, sys
from pathlib import Path
from domain.graph import analyze_tree, build_dependency_graph, to_json
from tests.unit.graph.helpers import FIXTURES, load_tree
graph = build_dependency_graph(load_tree(FIXTURES / "labelled"), max_wave_size=4)
# Trees nobody else edits while the test runs: the fixtures and this package.
reports = [analyze_tree(FIXTURES).to_dict(), analyze_tree(Path("domain/graph")).to_dict()]
print(json.dumps([to_json(graph), *reports], sort_keys=True))
"""


def test_results_do_not_depend_on_hash_seeds() -> None:
    # Query captures and sets come in hash-dependent orders; none of that may reach the graph
    # (atom ids and waves flow into Temporal workflows, whose replays need identical inputs).
    outputs = [
        subprocess.run(
            [sys.executable, "-c", _DUMP],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    ]
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0])[2]["atoms"] > 100


def test_duplicate_atom_ids_are_refused() -> None:
    atom = GraphAtom("same", "a.py", "python", 0, "x = 1\n")
    with pytest.raises(DuplicateAtomError):
        build_dependency_graph([atom, GraphAtom("same", "b.py", "python", 0, "y = 2\n")])


def test_empty_plan() -> None:
    graph = build_dependency_graph([])
    assert graph.waves == () and graph.critical_path == () and graph.stats.parallelism == 0.0
    assert to_json(graph)["nodes"] == []


def test_json_export_round_trips(graph: DependencyGraph) -> None:
    data = json.loads(json.dumps(to_json(graph)))
    assert [node["id"] for node in data["nodes"]] == list(graph.atom_ids)
    assert len(data["edges"]) == len(graph.edges)
    assert data["waves"] == [list(wave) for wave in graph.waves]
    assert data["stats"]["atoms"] == len(graph.atom_ids)
    assert {node["wave"] for node in data["nodes"]} == set(range(len(graph.waves)))
    assert all(
        set(edge) == {"source", "target", "type", "weight", "symbol"} for edge in data["edges"]
    )


def test_dot_export_names_every_atom_and_edge(graph: DependencyGraph) -> None:
    dot = to_dot(graph)
    assert dot.startswith("digraph dependencies {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    for atom_id in graph.atom_ids:
        assert f'"{atom_id}"' in dot
    assert dot.count(" -> ") == len(graph.edges) + len(graph.removed_edges)


def test_dot_and_mermaid_show_removed_edges_and_escape_labels() -> None:
    graph = build_dependency_graph(atoms_with_quotes() + cyclic_atoms())
    dot = to_dot(graph)
    assert "style=dashed" in dot
    assert '\\"' in dot  # the quote in the label is escaped
    mermaid = to_mermaid(graph)
    assert "-.->|cut: type|" in mermaid
    assert "#quot;" in mermaid


def test_mermaid_export_declares_every_atom(graph: DependencyGraph) -> None:
    mermaid = to_mermaid(graph)
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart RL"
    declared = [line.strip() for line in lines if line.strip().startswith("a") and '["' in line]
    assert len(declared) == len(graph.atom_ids)
    for atom_id in graph.atom_ids:
        assert graph.label(atom_id) in mermaid
    assert sum(" -->|" in line for line in lines) == len(graph.edges)


def test_svg_export_says_clearly_when_graphviz_is_missing(
    graph: DependencyGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotInstalledError, match="Graphviz"):
        to_svg(graph)


def test_svg_export_pipes_dot_through_graphviz(
    graph: DependencyGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in `dot` on PATH (Graphviz itself is not a test dependency): it must receive our
    # DOT text on stdin and its stdout is the SVG.
    fake = tmp_path / "dot"
    fake.write_text(
        "#!/bin/sh\n"
        'test "$1" = "-Tsvg" || exit 3\n'
        "head -c 22 > /dev/null\n"
        "echo '<svg xmlns=\"http://www.w3.org/2000/svg\"/>'\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    assert to_svg(graph).startswith(b"<svg")


def atoms_with_quotes() -> list[GraphAtom]:
    return [GraphAtom("q", "odd.py", "python", 0, "X = 1\n", name='say "hi" <b>')]


def cyclic_atoms() -> list[GraphAtom]:
    return atoms_from(CYCLIC_PLAN)


def test_graph_pickles_and_converts_to_plain_data(graph: DependencyGraph) -> None:
    # The lead stores graphs in the database and may hand them between processes.
    assert pickle.loads(pickle.dumps(graph)) == graph
    plain = dataclasses.asdict(graph)
    assert plain["stats"]["atoms"] == len(graph.atom_ids)
    assert len(plain["removed_edges"]) == len(graph.removed_edges)
