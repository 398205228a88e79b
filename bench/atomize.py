"""Atomization bench: atomize a real corpus and print the figures the issue asks for.

Corpus: the `.py` files of installed Python packages (default: networkx, sqlalchemy, fastapi,
pydantic) and the `.ts`/`.tsx`/`.js`/`.mjs`/`.cjs` files of npm packages installed into a
temporary directory (default: zod, rxjs, lodash-es).

Prints: files, lines, lossless rate, exceptions, % atoms within 5-15 lines of code, % with
complexity < 3, % oversized, throughput in lines/s, and the ratio of atomize time to bare
tree-sitter parse time on the same files in the same run.

    python bench/atomize.py                      # full default corpus
    python bench/atomize.py --no-npm --python networkx
    python bench/atomize.py --npm-prefix /tmp/mge-npm   # reuse an install between runs

Wall time is reported, never asserted (tests do not depend on machine speed).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from domain.atomization import (  # noqa: E402 - after the sys.path fix above
    AtomizationConfig,
    MultiLanguageParser,
    RecursiveDecomposer,
    _native,
    atom_contexts,
    atomize_parsed,
    atomize_source,
    detect_language,
)

DEFAULT_PYTHON = ["networkx", "sqlalchemy", "fastapi", "pydantic"]
DEFAULT_NPM = ["zod", "rxjs", "lodash-es"]
NPM_SUFFIXES = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"}


@dataclass
class Tally:
    files: int = 0
    lines: int = 0
    bytes: int = 0
    lossless: int = 0
    exceptions: int = 0
    atoms: int = 0
    in_range: int = 0
    below: int = 0
    above: int = 0
    simple: int = 0
    oversized: int = 0
    parse_s: float = 0.0
    atomize_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for f in fields(self):
            mine = getattr(self, f.name)
            if isinstance(mine, list):
                mine.extend(getattr(other, f.name))
            else:
                setattr(self, f.name, mine + getattr(other, f.name))


def python_files(packages: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            print(f"  (python package {name!r} not installed: skipped)", file=sys.stderr)
            continue
        for location in spec.submodule_search_locations:
            files.extend(sorted(Path(location).rglob("*.py")))
    return files


def npm_files(packages: list[str], prefix: Path) -> list[Path]:
    modules = prefix / "node_modules"
    missing = [p for p in packages if not (modules / p).exists()]
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            print("  (npm not found: npm corpus skipped)", file=sys.stderr)
            return []
        print(f"  npm install --prefix {prefix} {' '.join(missing)}", file=sys.stderr)
        subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", *missing],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    files: list[Path] = []
    for name in packages:
        root = modules / name
        files.extend(
            sorted(
                p
                for p in root.rglob("*")
                if p.suffix in NPM_SUFFIXES
                and p.is_file()
                and "node_modules" not in p.relative_to(root).parts  # not nested packages
            )
        )
    return files


def run(files: list[Path], config: AtomizationConfig, label: str, repeat: int = 1) -> Tally:
    parser = MultiLanguageParser()
    tally = Tally()
    lo, hi = config.min_loc, config.max_loc
    for path in files:
        language = detect_language(str(path))
        if language is None:
            continue
        data = path.read_bytes()
        tally.files += 1
        tally.lines += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        tally.bytes += len(data)
        # Best of `repeat` for each side, the two interleaved: a load spike on a shared machine
        # then lands on neither. Both sides do their full work every time.
        parse_s = atomize_s = float("inf")
        try:
            for _ in range(repeat):
                t0 = time.perf_counter()
                parser.parse_tree(data, language)
                t1 = time.perf_counter()
                result = atomize_source(data, str(path), config=config)
                t2 = time.perf_counter()
                parse_s = min(parse_s, t1 - t0)
                atomize_s = min(atomize_s, t2 - t1)
        except Exception:  # the bench counts every failure, whatever it is
            tally.exceptions += 1
            tally.failures.append(f"{path}: {traceback.format_exc(limit=3)}")
            continue
        tally.parse_s += parse_s
        tally.atomize_s += atomize_s
        if b"".join(a.code_bytes for a in result.atoms) == data:
            tally.lossless += 1
        else:
            tally.failures.append(f"{path}: not lossless")
        for atom in result.atoms:
            tally.atoms += 1
            if atom.loc < lo:
                tally.below += 1
            elif atom.loc > hi:
                tally.above += 1
            else:
                tally.in_range += 1
            tally.simple += atom.complexity < config.max_complexity
            tally.oversized += atom.oversized
    report(label, tally, config)
    return tally


def breakdown(files: list[Path], config: AtomizationConfig, repeat: int = 1) -> None:
    """Where atomize time goes, each phase as a multiple of the bare parse time."""
    parser = MultiLanguageParser()
    totals = dict.fromkeys(["bare parse", "parse+query", "decompose", "context", "all"], 0.0)
    for path in files:
        language = detect_language(str(path))
        if language is None:
            continue
        data = path.read_bytes()
        best = dict.fromkeys(totals, float("inf"))
        for _ in range(repeat):
            t0 = time.perf_counter()
            parser.parse_tree(data, language)
            t1 = time.perf_counter()
            parsed = parser.parse(data, str(path), language)
            t2 = time.perf_counter()
            decomposition = RecursiveDecomposer(config).decompose(parsed)
            t3 = time.perf_counter()
            atom_contexts(parsed, decomposition)
            t4 = time.perf_counter()
            atomize_parsed(parsed, config)
            t5 = time.perf_counter()
            for key, value in zip(best, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                best[key] = min(best[key], value)
        for key, value in best.items():
            totals[key] += value
        gc.collect()
    base = totals["bare parse"] or float("nan")
    rest = totals["all"] - totals["decompose"] - totals["context"]
    print("\n== where the time goes (multiples of the bare parse)")
    print(f"bare tree-sitter parse     {1.0:6.2f} x")
    print(f"parse + facts + line index {totals['parse+query'] / base:6.2f} x")
    print(f"decompose                  {totals['decompose'] / base:6.2f} x")
    print(f"context                    {totals['context'] / base:6.2f} x")
    print(f"atomicity, ids, atoms      {rest / base:6.2f} x")


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:6.2f}%" if whole else "   n/a"


def report(label: str, t: Tally, config: AtomizationConfig) -> None:
    lo, hi = config.min_loc, config.max_loc
    ratio = t.atomize_s / t.parse_s if t.parse_s else float("nan")
    speed = t.lines / t.atomize_s if t.atomize_s else float("nan")
    print(f"\n== {label}")
    print(f"files                      {t.files:>10,}")
    print(f"lines                      {t.lines:>10,}   ({t.bytes / 1e6:.1f} MB)")
    print(f"atoms                      {t.atoms:>10,}")
    print(f"lossless                   {pct(t.lossless, t.files)}   ({t.lossless}/{t.files})")
    print(f"exceptions                 {t.exceptions:>10}")
    print(f"atoms within {lo}-{hi} LOC     {pct(t.in_range, t.atoms)}")
    print(f"  below {lo} / above {hi}       {pct(t.below, t.atoms)} / {pct(t.above, t.atoms)}")
    print(f"complexity < {config.max_complexity}             {pct(t.simple, t.atoms)}")
    print(f"oversized                  {pct(t.oversized, t.atoms)}")
    print(f"bare parse time            {t.parse_s:10.2f} s")
    print(f"atomize time               {t.atomize_s:10.2f} s   (parse + decompose + context)")
    print(f"throughput                 {speed:10,.0f} lines/s")
    print(f"atomize / bare parse       {ratio:10.2f} x")
    for failure in t.failures[:10]:
        print(f"  FAIL {failure}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--python", nargs="*", default=DEFAULT_PYTHON, help="python packages")
    ap.add_argument("--npm", nargs="*", default=DEFAULT_NPM, help="npm packages")
    ap.add_argument("--no-npm", action="store_true", help="skip the npm corpus")
    ap.add_argument("--npm-prefix", type=Path, help="install/reuse npm packages here")
    ap.add_argument("--target-loc", type=int, default=10)
    ap.add_argument("--max-loc", type=int, default=15)
    ap.add_argument("--max-complexity", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="at most this many files per corpus")
    ap.add_argument(
        "--breakdown", action="store_true", help="also time each phase on the python corpus"
    )
    ap.add_argument(
        "--pure-python",
        action="store_true",
        help="atomize with the pure-Python stages, not the native core (to compare the two)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time each file this many times, both sides, and keep the best of each",
    )
    args = ap.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.pure_python:
            stack.enter_context(_native.pure_python())
        if _native.enabled():
            print("native core: on")
        else:
            reason = "--pure-python" if args.pure_python else _native.UNAVAILABLE_REASON
            print(f"native core: off ({reason})")
        return bench(args)


def bench(args: argparse.Namespace) -> int:
    config = AtomizationConfig(args.target_loc, args.max_loc, args.max_complexity)
    gc.disable()  # collector pauses would land on whichever phase happens to trigger them
    total = Tally()
    py = python_files(args.python)
    if args.limit:
        py = py[: args.limit]
    if py:
        total.add(run(py, config, f"python: {', '.join(args.python)}", args.repeat))
        gc.collect()
        if args.breakdown:
            breakdown(py, config, args.repeat)
            gc.collect()
    if not args.no_npm and args.npm:
        if args.npm_prefix is not None:
            args.npm_prefix.mkdir(parents=True, exist_ok=True)
            js = npm_files(args.npm, args.npm_prefix)
        else:
            with tempfile.TemporaryDirectory(prefix="mge-bench-npm-") as tmp:
                js = npm_files(args.npm, Path(tmp))
                if args.limit:
                    js = js[: args.limit]
                total.add(run(js, config, f"npm: {', '.join(args.npm)}", args.repeat))
                js = []
        if args.limit:
            js = js[: args.limit]
        if js:
            total.add(run(js, config, f"npm: {', '.join(args.npm)}", args.repeat))
    total.failures = total.failures[:0]
    report("whole corpus", total, config)
    return 0 if total.exceptions == 0 and total.lossless == total.files else 1


if __name__ == "__main__":
    sys.exit(main())
