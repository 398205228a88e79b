"""The figures of one bench run, and how they and the targets of issue 5 are printed."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.bare_runner import BareResult
from bench.run_metrics import HistoryFigures, describe

HISTORY_LIMIT = 10_000  # events, for the parent and every child (the target)
BOUND_FACTOR = 1.25
MIN_IN_FLIGHT = 100
MIN_TASK_SLOWDOWN = 5.0


@dataclass
class RunFigures:
    label: str
    granularity: str
    latency_s: float
    parallel: int
    wave_units: tuple[int, ...]
    status: str = ""
    completed: int = 0
    failed: int = 0
    import_s: float = 0.0
    wall_s: float = 0.0
    max_in_flight: int = 0
    requests: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    usd: float = 0.0
    history: HistoryFigures | None = None
    bare: BareResult | None = None
    cpu_s: dict[str, float] = field(default_factory=dict)
    # With an output speed: how long the fake takes to answer each unit, per wave.
    output_tokens_per_s: float | None = None
    workers: int = 1  # worker processes on the task queue
    wave_answer_s: tuple[tuple[float, ...], ...] = ()

    @property
    def units(self) -> int:
        return sum(self.wave_units)

    @property
    def rounds(self) -> int:
        """LLM round trips on the critical path: each wave needs ceil(units / parallelism)."""
        return sum(-(-n // self.parallel) for n in self.wave_units)

    @property
    def fixed_s(self) -> float:
        return self.history.fixed_s if self.history else 0.0

    @property
    def llm_bound_s(self) -> float:
        """Time on the LLM no schedule can beat: per wave, the longest answer or the wave's
        answers spread over the parallelism, whichever is more (equal answers: the rounds)."""
        if not self.wave_answer_s:
            return self.rounds * self.latency_s
        return sum(max(max(w), sum(w) / self.parallel) for w in self.wave_answer_s if w)

    @property
    def bound_s(self) -> float:
        return self.llm_bound_s + self.fixed_s

    @property
    def max_events(self) -> int:
        if self.history is None:
            return 0
        return max(self.history.parent_events, self.history.max_child_events)


def print_run(f: RunFigures) -> None:
    h = f.history
    assert h is not None
    line = "    {:<24}{}".format
    print(
        f"[{f.label}] {f.status}: {f.completed}/{f.units} units completed, {f.failed} failed "
        f"({f.granularity} granularity, parallelism {f.parallel}, latency {f.latency_s:g}s"
        + (
            f" + answer length at {f.output_tokens_per_s:g} tokens/s"
            if f.output_tokens_per_s
            else ""
        )
        + f"; import took {f.import_s:.1f}s, not counted)"
    )
    print(line("wall time", f"{f.wall_s:.2f}s  (start_run → result)"))
    print(
        line(
            "critical-path bound",
            (
                f"{f.bound_s:.2f}s  = {f.rounds} rounds x {f.latency_s:g}s"
                if not f.wave_answer_s
                else f"{f.bound_s:.2f}s  = LLM {f.llm_bound_s:.2f}s (per wave: longest answer "
                "or all answers / parallelism)"
            )
            + f" + fixed {f.fixed_s:.2f}s",
        )
    )
    print(line("ratio wall/bound", f"{f.wall_s / f.bound_s:.3f}"))
    stages = ", ".join(f"{n} {s:.2f}s" for n, s in h.fixed_stage_s.items())
    print(line("fixed stages", f"{stages}  (parent history: scheduled → completed)"))
    print(
        line(
            "spans (parent history)",
            f"before waves {h.pre_wave_span_s:.2f}s, waves {h.wave_span_s:.2f}s, "
            f"after waves {h.post_wave_span_s:.2f}s",
        )
    )
    if f.bare is not None:
        b = f.bare
        print(
            line(
                "bare asyncio runner",
                f"{b.wall_s:.2f}s for {b.atoms} units ({b.failed} failed level 1), "
                f"{b.cpu_s:.1f} CPU s in this process; "
                f"Temporal/bare = {f.wall_s / b.wall_s:.2f}; bare tokens in {b.input_tokens:,} "
                f"out {b.output_tokens:,}, ${b.cost_usd:.4f}",
            )
        )
    print(line("max atoms in flight", f"{f.max_in_flight}  (fake server; {f.requests} requests)"))
    largest = max(h.child_events, key=h.child_events.__getitem__, default="-")
    print(
        line(
            "history events",
            f"parent {h.parent_events}; {len(h.child_events)} children, max "
            f"{h.max_child_events} ({largest})",
        )
    )
    print(
        line(
            "tokens and cost",
            f"in {f.tokens_in:,}  out {f.tokens_out:,}  ${f.usd:.4f}  (DB: plan_cost)",
        )
    )
    for name in ("generate_atom", "begin_wave", "finish_wave"):
        if name in h.atoms.runs:
            print(line(f"{name} wait", describe(h.atoms.waits[name]) + "  (scheduled → started)"))
            print(line(f"{name} run", describe(h.atoms.runs[name]) + "  (started → completed)"))
    if h.waves:
        cells = [
            f"{w.atoms}: {w.setup_s:.2f}+{w.atoms_s:.2f}+{w.close_s:.2f} "
            f"(wait<={w.wait_max_s:.2f} run<={w.run_max_s:.2f})"
            for w in h.waves[:12]
        ]
        more = f" ... ({len(h.waves)} children)" if len(h.waves) > 12 else ""
        print(line("wave children", "; ".join(cells) + more))
        print(
            line(
                "",
                "(atoms: setup + first atom scheduled → last atom closed + close, s; "
                "worst atom wait and run)",
            )
        )
    retried = h.atoms.retried.get("generate_atom", 0)
    print(line("atoms retried", f"{retried}  (generate_atom completed on attempt > 1)"))
    if f.cpu_s:
        cpu = ", ".join(f"{n} {s:.1f}s" for n, s in f.cpu_s.items())
        print(line("CPU seconds", f"{cpu}  (over {f.wall_s:.1f}s wall)"))
    print(flush=True)


def _row(target: str, measured: str, ok: bool | None) -> str:
    verdict = "not run" if ok is None else "ok" if ok else "MISSED"
    return f"{target:<58}{measured:<46}{verdict}"


def print_targets(runs: dict[str, RunFigures], total_s: float) -> None:
    a, b, c = runs.get("a"), runs.get("b"), runs.get("c")
    rows = [
        _row(
            f"a  wall <= {BOUND_FACTOR} x critical-path bound",
            f"{a.wall_s:.2f}s / {a.bound_s:.2f}s = {a.wall_s / a.bound_s:.3f}" if a else "-",
            a.wall_s <= BOUND_FACTOR * a.bound_s if a else None,
        ),
        _row(
            f"a  >= {MIN_IN_FLIGHT} atoms in flight on one worker",
            # The fake counts requests from every worker: only a one-worker run says this.
            str(a.max_in_flight) if a and a.workers == 1 else "- (more than one worker)",
            a.max_in_flight >= MIN_IN_FLIGHT if a and a.workers == 1 else None,
        ),
        _row(
            f"b  {b.units if b else 'all'} atoms complete",
            f"{b.completed}/{b.units} completed, {b.failed} failed ({b.status})" if b else "-",
            b.status == "completed" and b.completed == b.units if b else None,
        ),
        _row(
            f"b  no history over {HISTORY_LIMIT:,} events (parent + every child)",
            f"max {b.max_events:,} (parent {b.history.parent_events})" if b and b.history else "-",
            b.max_events <= HISTORY_LIMIT if b else None,
        ),
        _row(
            f"c  task granularity >= {MIN_TASK_SLOWDOWN:g}x slower than atom waves",
            f"{c.wall_s:.2f}s / {a.wall_s:.2f}s = {c.wall_s / a.wall_s:.2f}x" if a and c else "-",
            c.wall_s >= MIN_TASK_SLOWDOWN * a.wall_s if a and c else None,
        ),
    ]
    if a and c:
        # What (c) could be with no overhead at all: each run exactly its bound.
        print(
            f"c  ceiling with zero overhead (each run at its critical-path bound): "
            f"{c.bound_s:.2f}s / {a.bound_s:.2f}s = {c.bound_s / a.bound_s:.2f}x"
        )
    print("targets")
    print(_row("target", "measured", None).replace("not run", "verdict"))
    print("-" * 110)
    for row in rows:
        print(row)
    others = {k: f.max_events for k, f in runs.items()}
    print(f"\nmax events in any history, per run: {others}")
    print(f"bench total {total_s:.0f}s", flush=True)
