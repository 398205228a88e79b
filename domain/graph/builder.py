"""`build_dependency_graph`: atoms in, typed edges, cycle report and waves out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from domain.graph.cycles import break_cycles
from domain.graph.ecma_symbols import extract_ecmascript
from domain.graph.edges import collect_edges
from domain.graph.gc_pause import cyclic_gc_paused
from domain.graph.model import DependencyEdge, DependencyGraph, DuplicateAtomError, GraphAtom
from domain.graph.modules import ModuleIndex
from domain.graph.python_symbols import extract_python
from domain.graph.resolve import Resolver
from domain.graph.sources import FileSource, assemble_files, atom_sort_key
from domain.graph.symbols import ModuleSymbols
from domain.graph.waves import compute_stats, schedule


def extract_symbols(source: FileSource) -> ModuleSymbols | None:
    """The symbol table of one file, or None for a language without an extractor."""
    if source.grammar is None:
        return None
    if source.grammar == "python":
        return extract_python(source)
    return extract_ecmascript(source)


def find_edges(
    atoms: Sequence[GraphAtom],
    *,
    path_aliases: Mapping[str, Sequence[str]] | None = None,
) -> list[DependencyEdge]:
    """All dependency edges between `atoms` (cycles included), in deterministic order."""
    with cyclic_gc_paused():
        return _find_edges(_sorted_unique(atoms), path_aliases)


def _find_edges(
    ordered: list[GraphAtom], path_aliases: Mapping[str, Sequence[str]] | None
) -> list[DependencyEdge]:
    files = assemble_files(ordered)
    modules = [symbols for source in files if (symbols := extract_symbols(source)) is not None]
    resolver = Resolver(
        {module.path: module for module in modules},
        ModuleIndex((source.path for source in files), path_aliases),
    )
    rank = {atom.atom_id: i for i, atom in enumerate(ordered)}
    return collect_edges(files, modules, resolver, rank)


def build_dependency_graph(
    atoms: Sequence[GraphAtom],
    *,
    max_wave_size: int | None = None,
    path_aliases: Mapping[str, Sequence[str]] | None = None,
) -> DependencyGraph:
    """Symbols → typed edges → cycles broken → waves (definers first) with statistics.

    `path_aliases` maps TypeScript path patterns to plan directories, as in tsconfig
    `paths` (`{"@app/*": ["src/app/*"]}`); `@/*` and `~/*` → `src/*` are always tried.
    """
    with cyclic_gc_paused():
        return _build(_sorted_unique(atoms), max_wave_size, path_aliases)


def _build(
    ordered: list[GraphAtom],
    max_wave_size: int | None,
    path_aliases: Mapping[str, Sequence[str]] | None,
) -> DependencyGraph:
    atom_ids = tuple(atom.atom_id for atom in ordered)
    labels = atom_labels(ordered)
    edges = _find_edges(ordered, path_aliases)
    broken = break_cycles(atom_ids, edges, labels)
    plan = schedule(atom_ids, broken.kept, max_wave_size=max_wave_size)
    stats = compute_stats(
        len(atom_ids),
        broken.kept,
        plan.waves,
        plan.critical_path,
        cycles_found=broken.cycles_found,
        edges_removed=len(broken.removed),
    )
    return DependencyGraph(
        atom_ids=atom_ids,
        edges=broken.kept,
        removed_edges=broken.removed,
        waves=plan.waves,
        critical_path=plan.critical_path,
        stats=stats,
        labels=labels,
    )


def atom_labels(atoms: Sequence[GraphAtom]) -> dict[str, str]:
    """`path:name` per atom; a function cut into several atoms gets `path#ordinal:name`."""
    counts = Counter(atom.label for atom in atoms)
    return {
        atom.atom_id: atom.label
        if counts[atom.label] == 1
        else f"{atom.path}#{atom.ordinal}:{atom.name}"
        for atom in atoms
    }


def _sorted_unique(atoms: Sequence[GraphAtom]) -> list[GraphAtom]:
    ordered = sorted(atoms, key=atom_sort_key)
    seen: set[str] = set()
    for atom in ordered:
        if atom.atom_id in seen:
            raise DuplicateAtomError(f"atom id {atom.atom_id!r} appears more than once")
        seen.add(atom.atom_id)
    return ordered
