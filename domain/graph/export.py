"""Exports of a graph: JSON for the web page, DOT and Mermaid text, SVG through Graphviz.

Edges are drawn from the user to the atom it depends on (the direction of DependencyEdge);
cut edges appear dashed so that a reviewer sees what the cycle breaker gave up.
"""

from __future__ import annotations

import shutil
import subprocess

from domain.graph.model import DependencyGraph, EdgeType, GraphvizNotInstalledError

_COLORS = {
    EdgeType.IMPORT: "#6a51a3",
    EdgeType.FUNCTION_CALL: "#2171b5",
    EdgeType.VARIABLE: "#238b45",
    EdgeType.TYPE: "#969696",
    EdgeType.DATA_FLOW: "#d94801",
}
_SVG_TIMEOUT_SECONDS = 120


def to_json(graph: DependencyGraph) -> dict[str, object]:
    wave_of = graph.wave_of()
    critical = set(graph.critical_path)
    return {
        "nodes": [
            {
                "id": atom_id,
                "label": graph.label(atom_id),
                "wave": wave_of.get(atom_id),
                "critical": atom_id in critical,
            }
            for atom_id in graph.atom_ids
        ],
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "type": edge.type.value,
                "weight": edge.weight,
                "symbol": edge.symbol,
            }
            for edge in graph.edges
        ],
        "removed_edges": [
            {
                "source": removed.edge.source,
                "target": removed.edge.target,
                "type": removed.edge.type.value,
                "weight": removed.edge.weight,
                "symbol": removed.edge.symbol,
                "reason": removed.reason,
            }
            for removed in graph.removed_edges
        ],
        "waves": [list(wave) for wave in graph.waves],
        "critical_path": list(graph.critical_path),
        "stats": graph.stats.to_dict(),
    }


def _dot_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(graph: DependencyGraph) -> str:
    lines = [
        "digraph dependencies {",
        "  rankdir=RL;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f7f7f7", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    critical = set(graph.critical_path)
    for index, wave in enumerate(graph.waves):
        lines.append(f"  subgraph cluster_wave_{index} {{")
        lines.append(f'    label={_dot_quote(f"wave {index}")}; color="#d9d9d9";')
        for atom_id in wave:
            extra = ', penwidth=2, color="#cb181d"' if atom_id in critical else ""
            lines.append(
                f"    {_dot_quote(atom_id)} [label={_dot_quote(graph.label(atom_id))}{extra}];"
            )
        lines.append("  }")
    for edge in graph.edges:
        lines.append(
            f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} "
            f'[label="{edge.type.value}", color="{_COLORS[edge.type]}"];'
        )
    for removed in graph.removed_edges:
        edge = removed.edge
        lines.append(
            f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} "
            f'[label="cut: {edge.type.value}", style=dashed, color="#cb181d", constraint=false];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(value: str) -> str:
    # Mermaid labels are quoted strings; quotes and angle brackets need its entity codes.
    return (
        value.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\n", " ")
    )


def to_mermaid(graph: DependencyGraph) -> str:
    # Atom ids (UUIDs, paths) are not valid Mermaid identifiers; number them instead.
    node_id = {atom_id: f"a{index}" for index, atom_id in enumerate(graph.atom_ids)}
    lines = ["flowchart RL"]
    for index, wave in enumerate(graph.waves):
        lines.append(f'  subgraph wave_{index}["wave {index}"]')
        lines.extend(
            f'    {node_id[atom_id]}["{_mermaid_text(graph.label(atom_id))}"]' for atom_id in wave
        )
        lines.append("  end")
    for edge in graph.edges:
        lines.append(f"  {node_id[edge.source]} -->|{edge.type.value}| {node_id[edge.target]}")
    for removed in graph.removed_edges:
        edge = removed.edge
        lines.append(
            f"  {node_id[edge.source]} -.->|cut: {edge.type.value}| {node_id[edge.target]}"
        )
    critical = [node_id[atom_id] for atom_id in graph.critical_path]
    if critical:
        lines.append("  classDef critical stroke:#cb181d,stroke-width:2px")
        lines.append(f"  class {','.join(critical)} critical")
    return "\n".join(lines) + "\n"


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def to_svg(graph: DependencyGraph) -> bytes:
    """Render with Graphviz's `dot`; raises GraphvizNotInstalledError when it is not on PATH."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizNotInstalledError(
            "SVG export needs Graphviz: the `dot` program is not on PATH "
            "(install the graphviz package, e.g. `apt-get install graphviz`); "
            "JSON, DOT and Mermaid exports work without it"
        )
    completed = subprocess.run(
        [dot, "-Tsvg"],
        input=to_dot(graph).encode("utf-8"),
        capture_output=True,
        timeout=_SVG_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz dot failed with exit code {completed.returncode}: {message}")
    return completed.stdout
