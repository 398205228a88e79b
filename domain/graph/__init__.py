"""Dependency graph of a plan's atoms and its execution waves (pure functions).

`build_dependency_graph(atoms)` reads symbols with tree-sitter, links every use to the atom that
defines it with a typed, weighted edge, breaks cycles (reporting each removed edge and why),
and groups atoms into waves that can be generated in parallel.
"""

from domain.graph.analyze import AnalysisReport, SkippedFile, analyze_tree
from domain.graph.builder import build_dependency_graph, extract_symbols, find_edges
from domain.graph.cycles import CycleBreak, break_cycles
from domain.graph.export import to_dot, to_json, to_mermaid, to_svg
from domain.graph.model import (
    BASE_WEIGHT,
    DependencyEdge,
    DependencyGraph,
    DuplicateAtomError,
    EdgeType,
    GraphAtom,
    GraphError,
    GraphStats,
    GraphvizNotInstalledError,
    RemovedEdge,
)
from domain.graph.waves import CyclicGraphError, Schedule, compute_stats, schedule, split_waves

__all__ = [
    "BASE_WEIGHT",
    "AnalysisReport",
    "CycleBreak",
    "CyclicGraphError",
    "DependencyEdge",
    "DependencyGraph",
    "DuplicateAtomError",
    "EdgeType",
    "GraphAtom",
    "GraphError",
    "GraphStats",
    "GraphvizNotInstalledError",
    "RemovedEdge",
    "Schedule",
    "SkippedFile",
    "analyze_tree",
    "break_cycles",
    "build_dependency_graph",
    "compute_stats",
    "extract_symbols",
    "find_edges",
    "schedule",
    "split_waves",
    "to_dot",
    "to_json",
    "to_mermaid",
    "to_svg",
]
