"""Benchmark of the dependency graph: build time and waves time for 1k, 10k and 50k atoms.

Two inputs per size:
- synthetic: a generated plan (Python and TypeScript modules in packages, ~10-line atoms that
  import, call, annotate and mutate across modules, with a few deliberate import cycles);
- corpus: real code atomized by `domain.atomization` (the files `mge analyze` would read)
  from installed Python packages and, when npm is available, the TypeScript/JavaScript
  sources of npm packages (installed as bench/atomize.py does: a temp dir, or
  `--npm-prefix`), taken whole-file, from the packages in turn, until the size is reached.

"build" is symbols + edges (`find_edges`); "waves" is cycle breaking + waves + critical path.
Targets: 10k atoms graph + waves <= 2 s on one core; 50k <= 6x the 10k time.

    python bench/graph.py [--sizes 1000,10000,50000] [--corpus DIR ...] [--repeat 3]
    python bench/graph.py --npm-prefix /tmp/mge-npm     # reuse an npm install between runs
    python bench/graph.py --no-npm                      # Python corpus only
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.atomize import DEFAULT_NPM, npm_files
from domain.atomization import atomize_source
from domain.graph import GraphAtom, break_cycles, find_edges, schedule
from domain.graph.analyze import DEFAULT_EXCLUDED_DIRS, _source_files

ATOMS_PER_MODULE = 10
MODULES_PER_PACKAGE = 20
TS_SHARE = 0.3  # one module in about three is TypeScript
CYCLE_EVERY = 97  # every 97th module imports a later one: small import cycles


# --- synthetic plans --------------------------------------------------------------------------


def _py_module(index: int, rng: random.Random) -> list[str]:
    package = index // MODULES_PER_PACKAGE
    deps = _deps(index, rng, python=True)
    imports = ["from __future__ import annotations\n", "\n", "import logging\n"]
    for dep in deps:
        imports.append(
            f"from pkg{dep // MODULES_PER_PACKAGE}.mod{dep} import Model{dep}, compute{dep}_1\n"
        )
    imports.append("\nlog = logging.getLogger(__name__)\n\n")
    atoms = ["".join(imports)]
    atoms.append(f"LIMIT{index} = {rng.randrange(5, 50)}\nCACHE{index}: dict[str, int] = {{}}\n\n")
    atoms.append(
        f"class Model{index}:\n"
        f'    """Entity {index} of package {package}."""\n\n'
        f"    def __init__(self, name: str, size: int = 0) -> None:\n"
        f"        self.name = name\n"
        f"        self.size = size\n"
        f"        self.tags: list[str] = []\n\n"
    )
    atoms.append(
        f"    def grow(self, amount: int) -> int:\n"
        f"        if amount > LIMIT{index}:\n"
        f"            amount = LIMIT{index}\n"
        f"        self.size += amount\n"
        f"        self.tags.append(str(amount))\n"
        f"        return self.size\n\n"
    )
    for n in range(1, ATOMS_PER_MODULE - 3):
        callee = (
            f"compute{rng.choice(deps)}_1"
            if deps and rng.random() < 0.5
            else f"compute{index}_{rng.randrange(1, n)}"
            if n > 1
            else "len"
        )
        atoms.append(
            f"def compute{index}_{n}(model: Model{index}, items: list[str]) -> int:\n"
            f'    """Step {n}: fold the items into the model."""\n'
            f"    total = model.grow(len(items))\n"
            f"    for item in items:\n"
            f"        total += {callee}(item) if isinstance(item, str) else 0\n"
            f"    if total > LIMIT{index}:\n"
            f"        CACHE{index}[model.name] = total\n"
            f'        log.debug("cached %s", model.name)\n'
            f"    return total\n\n\n"
        )
    return atoms


def _ts_module(index: int, rng: random.Random) -> list[str]:
    ts_deps = _deps(index, rng, python=False)
    imports = [f'import {{ Item{d}, make{d}_1 }} from "../p{d // MODULES_PER_PACKAGE}/m{d}";\n'
               for d in ts_deps]  # fmt: skip
    atoms = ["".join(imports) + 'import { EventEmitter } from "node:events";\n\n']
    atoms.append(
        f"export interface Item{index} {{\n"
        f"  id: string;\n  size: number;\n  tags: string[];\n}}\n\n"
        f"export const LIMIT{index} = {rng.randrange(5, 50)};\n\n"
    )
    atoms.append(
        f"export class Store{index} extends EventEmitter {{\n"
        f"  private items: Item{index}[] = [];\n\n"
        f"  add(item: Item{index}): number {{\n"
        f"    this.items.push(item);\n"
        f'    this.emit("added", item.id);\n'
        f"    return this.items.length;\n"
        f"  }}\n\n"
    )
    atoms.append(
        f"  largest(): Item{index} | undefined {{\n"
        f"    return this.items.reduce<Item{index} | undefined>(\n"
        f"      (best, item) => (!best || item.size > best.size ? item : best),\n"
        f"      undefined,\n"
        f"    );\n"
        f"  }}\n}}\n\n"
    )
    for n in range(1, ATOMS_PER_MODULE - 3):
        callee = (
            f"make{rng.choice(ts_deps)}_1"
            if ts_deps and rng.random() < 0.5
            else f"make{index}_{rng.randrange(1, n)}"
            if n > 1
            else "String"
        )
        atoms.append(
            f"export function make{index}_{n}(id: string, size = 0): Item{index} {{\n"
            f"  const tags: string[] = [];\n"
            f'  for (const part of id.split("-")) {{\n'
            f"    tags.push(String({callee}(part)));\n"
            f"  }}\n"
            f"  const capped = Math.min(size, LIMIT{index});\n"
            f"  return {{ id, size: capped, tags }};\n"
            f"}}\n\n"
        )
    return atoms


def _deps(index: int, rng: random.Random, *, python: bool) -> list[int]:
    """Up to three earlier modules of the same language; now and then a later one, which
    closes an import cycle."""
    picks = {rng.randrange(index) for _ in range(3)} if index else set()
    if index % CYCLE_EVERY == 5:
        picks.add(index + 1 if _is_ts(index + 1) != python else index + 2)
    if index % CYCLE_EVERY in (6, 7):
        picks.add(index - 1 if _is_ts(index - 1) != python else index - 2)
    return sorted(d for d in picks if _is_ts(d) != python)


def _is_ts(index: int) -> bool:
    return (index * 7919) % 100 < TS_SHARE * 100


def synthetic_plan(size: int, seed: int = 7) -> list[GraphAtom]:
    rng = random.Random(seed)
    atoms: list[GraphAtom] = []
    index = 0
    while len(atoms) < size:
        if _is_ts(index):
            path = f"p{index // MODULES_PER_PACKAGE}/m{index}.ts"
            codes, language = _ts_module(index, rng), "typescript"
        else:
            path = f"pkg{index // MODULES_PER_PACKAGE}/mod{index}.py"
            codes, language = _py_module(index, rng), "python"
        for ordinal, code in enumerate(codes[: size - len(atoms)]):
            atoms.append(GraphAtom(f"{path}#{ordinal}", path, language, ordinal, code))
        index += 1
    return atoms


# --- real corpus ------------------------------------------------------------------------------

_CORPUS_PACKAGES = (
    "networkx",
    "sqlalchemy",
    "hypothesis",
    "pydantic",
    "rich",
    "anthropic",
    "mypy",
    "_pytest",
    "temporalio",
)


def default_corpus() -> list[Path]:
    roots = []
    for name in _CORPUS_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            roots.append(Path(next(iter(spec.submodule_search_locations))))
    return roots


@contextmanager
def npm_corpus(packages: Sequence[str], prefix: Path | None) -> Iterator[list[Path]]:
    """Roots of npm packages' sources, installed by bench/atomize.py's `npm_files` into
    `prefix` (kept) or a temporary directory (removed afterwards); none without npm.

    A package that ships its TypeScript sources (`src/`, as rxjs and zod do) contributes
    those: its `dist/` holds compiled copies of the same code, several times over.
    """
    with tempfile.TemporaryDirectory(prefix="mge-bench-npm-") as tmp:
        where = prefix if prefix is not None else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        npm_files(list(packages), where)  # installs what is missing; prints why if it cannot
        roots = []
        for name in packages:
            package = where / "node_modules" / name
            if package.is_dir():
                roots.append(package / "src" if (package / "src").is_dir() else package)
        yield roots


def corpus_atoms(roots: Sequence[Path], size: int) -> tuple[list[GraphAtom], float]:
    """Whole files of real code, atomized, until `size` atoms; and the atomization time.

    Files are taken from the packages in turn, so every size draws on the same mix of code:
    taking the packages one after the other made the 10k sample all networkx and sqlalchemy
    and the 50k one seven packages, and the 50k/10k ratio then measured the mix, not scaling.
    """
    per_root = [
        [(root, file) for file in _source_files(root, DEFAULT_EXCLUDED_DIRS)] for root in roots
    ]
    in_turn = [pair for group in zip_longest(*per_root) for pair in group if pair is not None]
    atoms: list[GraphAtom] = []
    started = time.perf_counter()
    for root, file in in_turn:
        name = root.parent.name if root.name == "src" else root.name  # rxjs/..., not src/...
        relative = f"{name}/{file.relative_to(root).as_posix()}"
        try:
            result = atomize_source(file.read_bytes(), relative)
        except (ValueError, OSError):
            continue
        atoms.extend(
            GraphAtom(a.id, a.path, a.language, a.ordinal, a.code, a.name) for a in result.atoms
        )
        if len(atoms) >= size:
            return atoms[:size], time.perf_counter() - started
    return atoms, time.perf_counter() - started


# --- measuring --------------------------------------------------------------------------------


def measure(atoms: list[GraphAtom], repeat: int) -> dict[str, float | int]:
    best_build = best_waves = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        edges = find_edges(atoms)
        built = time.perf_counter()
        ids = sorted((a for a in atoms), key=lambda a: (a.path, a.ordinal, a.atom_id))
        atom_ids = [a.atom_id for a in ids]
        broken = break_cycles(atom_ids, edges)
        plan = schedule(atom_ids, broken.kept)
        done = time.perf_counter()
        best_build = min(best_build, built - started)
        best_waves = min(best_waves, done - built)
    return {
        "atoms": len(atoms),
        "edges": len(broken.kept),
        "removed": len(broken.removed),
        "cycles": broken.cycles_found,
        "waves": len(plan.waves),
        "critical": len(plan.critical_path),
        "build": best_build,
        "waves_time": best_waves,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--corpus", action="append", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per measurement")
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--npm", nargs="*", default=DEFAULT_NPM, help="npm packages")
    parser.add_argument("--no-npm", action="store_true", help="Python corpus only")
    parser.add_argument("--npm-prefix", type=Path, help="install/reuse npm packages here")
    args = parser.parse_args()
    packages = [] if args.no_npm or args.no_corpus else args.npm
    with npm_corpus(packages, args.npm_prefix) as npm_roots:
        return run(args, [*(args.corpus or default_corpus()), *npm_roots])


def run(args: argparse.Namespace, roots: list[Path]) -> int:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    header = (
        f"{'input':<10}{'atoms':>8}{'edges':>9}{'cut':>6}{'cycles':>8}{'waves':>7}"
        f"{'crit':>6}{'build s':>10}{'waves s':>10}{'total s':>10}"
    )
    print(header)
    print("-" * len(header))
    totals: dict[tuple[str, int], float] = {}
    for size in sizes:
        inputs: list[tuple[str, list[GraphAtom], str]] = [("synthetic", synthetic_plan(size), "")]
        if not args.no_corpus and roots:
            atoms, atomize_seconds = corpus_atoms(roots, size)
            mix = Counter(atom.language for atom in atoms).most_common()
            languages = ", ".join(f"{language} {count}" for language, count in mix)
            inputs.append(
                ("corpus", atoms, f"  (atomized in {atomize_seconds:.2f} s; {languages})")
            )
        for name, atoms, note in inputs:
            m = measure(atoms, args.repeat)
            total = float(m["build"]) + float(m["waves_time"])
            totals[(name, size)] = total
            print(
                f"{name:<10}{m['atoms']:>8}{m['edges']:>9}{m['removed']:>6}{m['cycles']:>8}"
                f"{m['waves']:>7}{m['critical']:>6}{m['build']:>10.3f}{m['waves_time']:>10.3f}"
                f"{total:>10.3f}{note}",
                flush=True,
            )
    for name in ("synthetic", "corpus"):
        small, large = totals.get((name, 10000)), totals.get((name, 50000))
        if small:
            verdict = "ok" if small <= 2.0 else "OVER"
            print(f"{name}: 10k graph + waves {small:.2f} s (target <= 2 s: {verdict})")
        if small and large:
            ratio = large / small
            verdict = "ok" if ratio <= 6.0 else "OVER"
            per_atom = (large / 50000) / (small / 10000)
            print(
                f"{name}: 50k / 10k = {ratio:.2f}x (target <= 6x: {verdict}; "
                f"time per atom x{per_atom:.2f})"
            )
    if roots and not args.no_corpus:
        print("corpus: " + ", ".join(str(root) for root in roots))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
