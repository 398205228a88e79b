"""Analyze an existing code tree: atomize it, build its graph, and say what a wave schedule
would gain over generating one atom at a time. No LLM, no services: files in, report out.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domain.atomization import (
    AtomizationConfig,
    AtomizationError,
    atomize_source,
    detect_language,
)
from domain.graph.builder import build_dependency_graph
from domain.graph.model import DependencyGraph, GraphAtom

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".mge", ".venv", "venv", ".tox", ".nox", "node_modules",
        "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages",
        ".idea", ".vscode",
    }
)  # fmt: skip
# Type declarations describe code that lives elsewhere (compiled JS): not atoms to generate.
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class AnalysisReport:
    root: str
    files: int
    languages: Mapping[str, int]
    graph: DependencyGraph
    syntax_issues: int = 0
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)

    @property
    def atoms(self) -> int:
        return len(self.graph.atom_ids)

    @property
    def speedup(self) -> float:
        """One-at-a-time steps (one per atom) over wave steps, each atom costing one step."""
        waves = len(self.graph.waves)
        return round(self.atoms / waves, 2) if waves else 0.0

    def to_dict(self) -> dict[str, object]:
        graph = self.graph
        stats = graph.stats
        return {
            "root": self.root,
            "files": self.files,
            "languages": dict(self.languages),
            "atoms": self.atoms,
            "edges": stats.edges,
            "edges_by_type": dict(stats.edges_by_type),
            "waves": stats.waves,
            "wave_sizes": [len(wave) for wave in graph.waves],
            "max_wave_size": stats.max_wave_size,
            "critical_path": [graph.label(atom_id) for atom_id in graph.critical_path],
            "critical_path_length": stats.critical_path_length,
            "speedup": self.speedup,
            "parallelism": stats.parallelism,
            "cycles_found": stats.cycles_found,
            "removed_edges": [
                {
                    "source": graph.label(removed.edge.source),
                    "target": graph.label(removed.edge.target),
                    "type": removed.edge.type.value,
                    "symbol": removed.edge.symbol,
                    "reason": removed.reason,
                }
                for removed in graph.removed_edges
            ],
            "syntax_issues": self.syntax_issues,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


def analyze_tree(
    root: Path,
    *,
    max_wave_size: int | None = None,
    config: AtomizationConfig | None = None,
    excluded_dirs: frozenset[str] = DEFAULT_EXCLUDED_DIRS,
) -> AnalysisReport:
    """Atomize every supported file under `root` and build the dependency graph.

    Paths are taken relative to `root`, or to its parent when `root` is itself a Python package
    (has `__init__.py`), so that `import root_pkg.mod` inside it still resolves.
    """
    root = root.resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"not a directory: {root}")
    base = root.parent if (root / "__init__.py").is_file() else root
    atoms: list[GraphAtom] = []
    languages: Counter[str] = Counter()
    skipped: list[SkippedFile] = []
    issues = 0
    files = 0
    for file in _source_files(root, excluded_dirs):
        relative = file.relative_to(base).as_posix()
        try:
            result = atomize_source(file.read_bytes(), relative, config=config)
        except (AtomizationError, OSError) as error:
            skipped.append(SkippedFile(relative, str(error)))
            continue
        files += 1
        languages[result.language] += 1
        issues += len(result.syntax_issues)
        atoms.extend(
            GraphAtom(atom.id, atom.path, atom.language, atom.ordinal, atom.code, atom.name)
            for atom in result.atoms
        )
    graph = build_dependency_graph(
        atoms, max_wave_size=max_wave_size, path_aliases=tsconfig_aliases(root, base)
    )
    return AnalysisReport(
        root=str(root),
        files=files,
        languages=dict(sorted(languages.items())),
        graph=graph,
        syntax_issues=issues,
        skipped=tuple(skipped),
    )


def _source_files(root: Path, excluded_dirs: frozenset[str]) -> Iterator[Path]:
    for directory, subdirs, names in os.walk(root):
        # Sorted in place so that os.walk visits directories deterministically.
        subdirs[:] = sorted(d for d in subdirs if d not in excluded_dirs)
        for name in sorted(names):
            if name.endswith(_DECLARATION_SUFFIXES) or detect_language(name) is None:
                continue
            path = Path(directory) / name
            if path.is_file():
                yield path


_JSON_NOISE = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def tsconfig_aliases(root: Path, base: Path) -> dict[str, Sequence[str]]:
    """`compilerOptions.paths` of `root/tsconfig.json`, rewritten relative to `base`."""
    config_file = root / "tsconfig.json"
    if not config_file.is_file():
        return {}
    raw = config_file.read_text(encoding="utf-8", errors="replace")
    # tsconfig is JSON with comments and trailing commas.
    cleaned = _JSON_NOISE.sub(lambda m: m.group() if m.group().startswith('"') else "", raw)
    try:
        data = json.loads(_TRAILING_COMMA.sub(r"\1", cleaned))
    except json.JSONDecodeError:
        return {}
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    if not isinstance(options, dict) or not isinstance(options.get("paths"), dict):
        return {}
    base_url = root / str(options.get("baseUrl", "."))
    aliases: dict[str, Sequence[str]] = {}
    for pattern, targets in sorted(options["paths"].items()):
        if not isinstance(targets, list):
            continue
        rewritten = []
        for target in targets:
            full = os.path.normpath(base_url / str(target))
            rewritten.append(os.path.relpath(full, base).replace(os.sep, "/"))
        aliases[str(pattern)] = tuple(rewritten)
    return aliases
