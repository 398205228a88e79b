"""Orchestration bench (issue 5): whole runs on the real stack against a fake LLM of fixed latency.

Scenarios, on embedded PostgreSQL + a Temporal dev server + the product's worker + the fake
Anthropic server (its default rule echoes each atom's spec, so nothing is scripted):

    a  800 atoms in 10 waves, atom granularity
    b  10,000 atoms in 10 waves (waves over the fan-out cap are split into child workflows)
    c  the plan of (a) at task granularity (one unit per task file, at most 3 at once)

For each: wall time, the critical-path lower bound and their ratio, the same plan through a
bare asyncio runner (no Temporal, same provider), max requests in flight at the fake, events in
the parent history and in the largest child history, tokens and USD; then a table of targets.

    python bench/orchestration.py                       # a, b, c with the defaults
    python bench/orchestration.py --only a,c --latency 0.5
    python bench/orchestration.py --only b --atoms-large 2000 --latency-large 0.25

The bound: each wave needs ceil(units / parallelism) rounds of one LLM latency, plus the fixed
stages (every activity of the parent: start, atomize, graph, validate before the waves; review
scoring, output checks, assembly, finish after), timed scheduled → completed from the run's own
parent history. With every wave no wider than the parallelism (as in a) it is
``waves x L + fixed``. Wall time is reported, never asserted in tests.

Run time on a 2-core machine: a and c take about 2 minutes together; b is bound by the
worker's CPU per atom, not by the latency (a lower ``--latency-large`` barely shortens it), and
takes tens of minutes on the current product. ``CPU seconds`` says which part of the stack the
time went to, and how much other jobs on the machine took meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# After the sys.path fix above: the project, and `bench.*`/`tests.fakes` from the repo root.
from api import services  # noqa: E402
from bench.bare_runner import load_plan, run_bare  # noqa: E402
from bench.bench_stack import Stack, open_stack  # noqa: E402
from bench.cpu_usage import delta, snapshot  # noqa: E402
from bench.figures import RunFigures, print_run, print_targets  # noqa: E402
from bench.run_metrics import read_histories  # noqa: E402
from bench.synthetic_plans import PlanShape, build_plan, check_plan, tapered  # noqa: E402
from bench.temporal_floor import measure_floor  # noqa: E402
from domain.plan import MasterPlanSpec  # noqa: E402
from domain.status import AtomStatus  # noqa: E402
from persistence import atoms as atom_repo  # noqa: E402
from persistence.models import AtomicUnit  # noqa: E402
from tests.fakes.anthropic_server import FakeReply, approx_tokens  # noqa: E402

TASK_PARALLELISM = 3  # what start_run gives a task-granularity plan (the seed baseline)


async def _wave_units(stack: Stack, plan_id: uuid.UUID) -> tuple[int, ...]:
    async with stack.sessions() as session:
        rows = await session.execute(
            select(AtomicUnit.wave_number, func.count())
            .where(AtomicUnit.masterplan_id == plan_id)
            .group_by(AtomicUnit.wave_number)
            .order_by(AtomicUnit.wave_number)
        )
        return tuple(int(n) for _, n in rows.all())


async def _answer_times(
    stack: Stack, plan_id: uuid.UUID, latency_s: float, tokens_per_s: float
) -> tuple[tuple[float, ...], ...]:
    """How long the fake takes to answer each unit, per wave: it echoes the unit's reference
    code, fenced, and writes it at ``tokens_per_s`` after ``latency_s``."""
    async with stack.sessions() as session:
        rows = await session.execute(
            select(AtomicUnit.wave_number, AtomicUnit.reference_code, AtomicUnit.spec_code)
            .where(AtomicUnit.masterplan_id == plan_id)
            .order_by(AtomicUnit.wave_number)
        )
        waves: dict[int, list[float]] = {}
        for wave, reference, spec in rows.all():
            answer = FakeReply.code(reference or spec).text or ""
            waves.setdefault(wave, []).append(latency_s + approx_tokens(answer) / tokens_per_s)
    return tuple(tuple(waves[w]) for w in sorted(waves))


async def _report_progress(stack: Stack, plan_id: uuid.UUID, started: float) -> None:
    # Long runs (b) should show they are alive; one cheap grouped count every 30 s.
    while True:
        await asyncio.sleep(30)
        async with stack.sessions() as session:
            counts = await atom_repo.count_atoms(session, plan_id)
        done = counts.get(AtomStatus.COMPLETED, 0)
        print(
            f"    ... {time.perf_counter() - started:6.0f}s  {done}/{sum(counts.values())} atoms "
            f"completed, {stack.fake.stats()['max_in_flight']} max in flight",
            flush=True,
        )


async def run_scenario(
    stack: Stack,
    label: str,
    spec: MasterPlanSpec,
    granularity: str,
    latency_s: float,
    *,
    waves: int,
    bare: bool,
    output_tokens_per_s: float | None = None,
) -> RunFigures:
    check = check_plan(spec, granularity)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n[{label}] plan {spec.name!r} ({granularity}): {check.atoms} units in "
        f"{len(check.waves)} waves {list(check.waves)}; one unit per "
        f"{'function' if granularity == 'atom' else 'task file'}: {check.one_atom_per_function}"
        f"; machine load average {load}",
        flush=True,
    )
    if len(check.waves) != waves or not check.one_atom_per_function:
        # A plan of the wrong shape would measure something else: refuse rather than report.
        raise SystemExit(f"[{label}] the synthetic plan does not have {waves} clean waves")
    parallel = TASK_PARALLELISM if granularity == "task" else stack.settings.max_parallel_atoms
    stack.fake.set_latency(latency_s, output_tokens_per_s)
    figures = RunFigures(label, granularity, latency_s, parallel, check.waves)
    figures.output_tokens_per_s = output_tokens_per_s
    figures.workers = 1 + len(stack.extra_workers)

    started = time.perf_counter()
    plan_id = await services.import_plan(
        stack.sessions, spec, provider="anthropic", granularity=granularity
    )
    figures.import_s = time.perf_counter() - started

    stack.fake.reset()
    cpu_before = snapshot(stack.pgdata, stack.fake.pid, stack.extra_workers)
    started = time.perf_counter()
    progress = asyncio.create_task(_report_progress(stack, plan_id, started))
    try:
        handle = await services.start_run(
            stack.client, stack.sessions, plan_id, stack.settings.temporal.task_queue
        )
        result = await handle.result()
    finally:
        progress.cancel()
    figures.wall_s = time.perf_counter() - started
    figures.cpu_s = delta(cpu_before, snapshot(stack.pgdata, stack.fake.pid, stack.extra_workers))
    stats = stack.fake.stats()
    figures.max_in_flight, figures.requests = stats["max_in_flight"], stats["requests"]
    figures.status, figures.completed = result.status, result.completed_atoms
    figures.failed = result.failed_atoms

    # The waves the run really used (the activity's graph), not the pre-check's.
    figures.wave_units = await _wave_units(stack, plan_id)
    if output_tokens_per_s:
        figures.wave_answer_s = await _answer_times(stack, plan_id, latency_s, output_tokens_per_s)
    async with stack.sessions() as session:
        cost, tokens_in, tokens_out = await atom_repo.plan_cost(session, plan_id)
    figures.usd, figures.tokens_in, figures.tokens_out = float(cost), tokens_in, tokens_out
    figures.history = await read_histories(stack.client, str(plan_id))

    if bare:
        brief, waves = await load_plan(stack.sessions, plan_id)
        stack.fake.reset()
        figures.bare = await run_bare(brief, waves, stack.provider, parallel)
    print_run(figures)
    return figures


async def report_floor(stack: Stack, run: RunFigures, max_parallel: int) -> None:
    """What Temporal alone costs for the waves of `run` on this machine (bench/temporal_floor)."""
    waves = list(run.wave_units)
    floor_s = await measure_floor(stack.client, waves, run.latency_s, max_parallel)
    llm_s = run.llm_bound_s
    waves_s = run.history.wave_span_s if run.history else float("nan")
    print(
        f"    temporal floor          {floor_s:.2f}s for the same {len(waves)} waves with "
        f"activities that only sleep {run.latency_s:g}s (no DB, no LLM client, no checks)\n"
        f"                            over the {llm_s:.2f}s of LLM time: Temporal "
        f"{floor_s - llm_s:+.2f}s, MGE's work in the waves {waves_s - floor_s:+.2f}s; "
        f"floor/bound {(floor_s + run.fixed_s) / run.bound_s:.3f}",
        flush=True,
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="a,b,c", help="scenarios to run, e.g. a,c")
    parser.add_argument("--latency", type=float, default=1.0, help="fake LLM latency (s)")
    parser.add_argument(
        "--latency-large", type=float, default=None, help="latency for b (default: --latency)"
    )
    parser.add_argument(
        "--output-speed",
        type=float,
        default=None,
        metavar="TOKENS_PER_S",
        help="also make each answer take its length at this speed, as a real model does "
        "(default: fixed latency only)",
    )
    parser.add_argument("--atoms", type=int, default=800, help="atoms of plan a/c")
    parser.add_argument("--atoms-large", type=int, default=10_000, help="atoms of plan b")
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-file", type=int, default=5, help="functions per task file")
    parser.add_argument(
        "--max-parallel", type=int, default=200, help="MGE_MAX_PARALLEL_ATOMS of the worker"
    )
    parser.add_argument(
        "--wave-chunk", type=int, default=500, help="MGE_WAVE_CHUNK_SIZE: atoms per wave child"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes on the task queue (1: the in-process worker only)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare asyncio runs")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip Temporal's floor for the waves of (a)"
    )
    return parser.parse_args()


async def main() -> None:
    args = parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    latency_large = args.latency if args.latency_large is None else args.latency_large
    small = build_plan(PlanShape(tapered(args.atoms, args.waves), args.per_file), "bench-small")
    large = build_plan(
        PlanShape(tapered(args.atoms_large, args.waves), args.per_file), "bench-large"
    )
    print(
        f"orchestration bench: latency {args.latency}s (b: {latency_large}s), "
        f"max parallel atoms {args.max_parallel}, wave chunk {args.wave_chunk}, "
        f"{args.workers} worker process(es), "
        f"output speed {args.output_speed or 'not modelled'}"
        f"{' tokens/s' if args.output_speed else ''}, "
        f"scenarios {','.join(sorted(only))}",
        flush=True,
    )
    runs: dict[str, RunFigures] = {}
    bench_started = time.perf_counter()
    async with open_stack(args.latency, args.max_parallel, args.workers, args.wave_chunk) as stack:
        print(f"stack up in {time.perf_counter() - bench_started:.1f}s", flush=True)
        common = {
            "waves": args.waves,
            "bare": not args.no_bare,
            "output_tokens_per_s": args.output_speed,
        }
        if "a" in only:
            runs["a"] = await run_scenario(stack, "a", small, "atom", args.latency, **common)
            if not args.no_floor:
                await report_floor(stack, runs["a"], args.max_parallel)
        if "c" in only:
            runs["c"] = await run_scenario(stack, "c", small, "task", args.latency, **common)
        if "b" in only:
            runs["b"] = await run_scenario(stack, "b", large, "atom", latency_large, **common)
    print_targets(runs, time.perf_counter() - bench_started)


if __name__ == "__main__":
    asyncio.run(main())
