"""`mge run`, `mge status`, `mge export`: the operator's commands."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from temporalio.client import WorkflowFailureError

from api import services
from api.runtime import open_runtime
from api.settings import Settings
from domain.plan import MasterPlanSpec
from persistence import graphs as graph_repo
from persistence import plans as plan_repo
from persistence.db import create_engine, session_factory
from persistence.models import AtomDependency, AtomicUnit

EXIT_OK, EXIT_FAILED, EXIT_NEEDS_REVIEW = 0, 1, 3
# Cut edges listed by `mge run` / `mge status`; `mge graph ID --format json` has them all.
CUT_EDGES_SHOWN = 10


async def run_plan(
    settings: Settings,
    spec: MasterPlanSpec,
    provider: str | None,
    granularity: str,
    out_dir: Path | None,
    detach: bool,
    console: Console,
) -> int:
    async with open_runtime(settings, run_worker=not detach) as rt:
        plan_id = await services.import_plan(
            rt.sessions, spec, provider=provider or settings.llm.provider, granularity=granularity
        )
        handle = await services.start_run(
            rt.client, rt.sessions, plan_id, settings.temporal.task_queue
        )
        console.print(f"masterplan [bold]{plan_id}[/] started as workflow [bold]{handle.id}[/]")
        if rt.ui_url:
            console.print(
                f"Temporal Web UI: {rt.ui_url}/namespaces/{settings.temporal.namespace}"
                f"/workflows/{handle.id}"
            )
        if detach:
            return EXIT_OK
        waiter = asyncio.create_task(handle.result())
        graph_shown = await _show_progress(rt.sessions, plan_id, waiter, console)
        if not graph_shown:  # the run ended before the progress loop saw its graph
            await _print_cycles(rt.sessions, plan_id, console)
        try:
            result = await waiter
        except WorkflowFailureError as exc:
            console.print(f"[bold red]run failed:[/] {exc.cause or exc}")
            return EXIT_FAILED
        view = await services.plan_progress(rt.sessions, plan_id)
        console.print(
            f"status [bold]{result.status}[/]: {result.completed_atoms}/{result.total_atoms} atoms "
            f"generated, {result.failed_atoms} failed, {result.waves} wave(s), "
            f"${view.cost_usd:.4f}" + (f" — {result.reason}" if result.reason else "")
        )
        if out_dir is not None:
            count = await services.export_files(rt.sessions, plan_id, out_dir)
            console.print(f"wrote {count} file(s) to {out_dir}")
        if result.status != "completed":
            return EXIT_FAILED
        return EXIT_NEEDS_REVIEW if result.failed_atoms else EXIT_OK


@dataclass(frozen=True)
class CutEdge:
    source: str  # atom labels: "shop/orders.py:Order"
    target: str
    type: str
    symbol: str
    reason: str


@dataclass(frozen=True)
class CycleReport:
    cycles_found: int
    removed: list[CutEdge]


async def cycle_report(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID
) -> CycleReport | None:
    """The cycles `build_graph` found and the edges it removed to break them, as stored; None
    before the graph is built."""
    user, definer = aliased(AtomicUnit), aliased(AtomicUnit)
    async with sessions() as session:
        graph = await graph_repo.get_graph(session, plan_id)
        if graph is None:
            return None
        rows = (
            await session.execute(
                select(
                    user.file_path,
                    user.ordinal,
                    user.name,
                    definer.file_path,
                    definer.ordinal,
                    definer.name,
                    AtomDependency.dependency_type,
                    AtomDependency.symbol,
                    AtomDependency.removed_reason,
                )
                .join(user, user.id == AtomDependency.source_atom_id)
                .join(definer, definer.id == AtomDependency.target_atom_id)
                .where(AtomDependency.graph_id == graph.id, AtomDependency.removed.is_(True))
                .order_by(user.file_path, user.ordinal, definer.file_path, definer.ordinal)
            )
        ).all()
    removed = [
        CutEdge(
            _atom_label(row[0], row[1], row[2]),
            _atom_label(row[3], row[4], row[5]),
            str(row[6].value),
            row[7],
            row[8] or "",
        )
        for row in rows
    ]
    return CycleReport(int(graph.stats.get("cycles_found", 0)), removed)


def _atom_label(path: str, ordinal: int, name: str | None) -> str:
    return f"{path}:{name}" if name else f"{path}#{ordinal}"  # as the graph's own labels


def cycle_lines(report: CycleReport, plan_id: str, limit: int = CUT_EDGES_SHOWN) -> list[str]:
    """What a person reads about the cycles of a plan's graph: the counts, then one line per
    cut dependency between two atoms (its edges, and why they went), capped at `limit`."""
    if not report.cycles_found and not report.removed:
        return ["dependency graph: no cycles"]
    lines = [
        f"dependency graph: {report.cycles_found} cycle(s) found, "
        f"{len(report.removed)} edge(s) removed to break them"
    ]
    groups = _cut_groups(report.removed)
    for (source, target, reason), edges in groups[:limit]:
        what = ", ".join(f"{e.type} on {e.symbol}" if e.symbol else e.type for e in edges)
        lines.append(f"  cut {source} -> {target} ({what}): {reason}")
    if len(groups) > limit:
        hidden = sum(len(edges) for _, edges in groups[limit:])
        lines.append(
            f"  ... and {hidden} more edge(s) (all of them: mge graph {plan_id} --format json)"
        )
    return lines


def _cut_groups(
    removed: list[CutEdge],
) -> list[tuple[tuple[str, str, str], list[CutEdge]]]:
    """Edges between the same two atoms cut for the same reason, together. The graph builder
    writes a reason per edge as `<why the pair was cut>; <type> edge on <symbol>`."""
    groups: dict[tuple[str, str, str], list[CutEdge]] = {}
    for edge in removed:
        reason = edge.reason.removesuffix(f"; {edge.type} edge on {edge.symbol}")
        groups.setdefault((edge.source, edge.target, reason), []).append(edge)
    return list(groups.items())


async def _print_cycles(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID, console: Console
) -> bool:
    report = await cycle_report(sessions, plan_id)
    if report is None:
        return False
    for line in cycle_lines(report, str(plan_id)):
        console.print(escape(line), soft_wrap=True)
    return True


async def _show_progress(
    sessions: async_sessionmaker[AsyncSession],
    plan_id: uuid.UUID,
    waiter: asyncio.Task[Any],
    console: Console,
) -> bool:
    """Live progress until the run ends; True once the graph's cycle report was printed."""
    columns = (
        TextColumn("[bold]{task.fields[stage]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "wave {task.fields[wave]}  running {task.fields[running]}  "
            "failed {task.fields[failed]}  ${task.fields[cost]:.4f}"
        ),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        bar = progress.add_task(
            "atoms", total=None, stage="queued", failed=0, cost=0.0, running=0, wave="-"
        )
        hinted = graph_shown = False
        while not waiter.done():
            view = await services.plan_progress(sessions, plan_id)
            if view.total_waves and not graph_shown:  # the graph is built (waves stored)
                graph_shown = await _print_cycles(sessions, plan_id, progress.console)
            if view.status == "reviewing" and not hinted:
                hinted = True
                progress.console.print(
                    f"{view.reason or 'atoms wait for review'}: decide with `mge review list` "
                    "and `mge review approve|edit|regenerate|reject` in this directory, "
                    "or at /review of `mge dev`"
                )
            progress.update(
                bar,
                total=view.total_atoms or None,
                completed=view.done,
                stage=view.status,
                failed=view.failed,
                running=view.running,
                wave=f"{view.waves_done}/{view.total_waves}" if view.total_waves else "-",
                cost=view.cost_usd,
            )
            await asyncio.wait({waiter}, timeout=0.5)
    return graph_shown


async def show_status(
    settings: Settings, masterplan_id: str, as_json: bool, console: Console
) -> None:
    from api.runtime import database_url

    url = await asyncio.to_thread(database_url, settings)
    engine = create_engine(url)
    try:
        plan_uuid = plan_repo.parse_id(masterplan_id)
        sessions = session_factory(engine)
        view = await services.plan_progress(sessions, plan_uuid)
        cycles = await cycle_report(sessions, plan_uuid)
    finally:
        await engine.dispose()
    data: dict[str, Any] = {
        "masterplan_id": view.masterplan_id,
        "name": view.name,
        "status": view.status,
        "reason": view.reason,
        "atoms": view.total_atoms,
        "waves": view.total_waves,
        "done": view.done,
        "failed": view.failed,
        "atoms_by_status": view.atoms_by_status,
        "cost_usd": view.cost_usd,
        # None until the graph is built.
        "cycles_found": cycles.cycles_found if cycles else None,
        "edges_removed": len(cycles.removed) if cycles else None,
        "removed_edges": [asdict(edge) for edge in cycles.removed] if cycles else [],
    }
    if as_json:
        console.print_json(json.dumps(data))
    else:
        from api.cli import status_table

        shown = {k: v for k, v in data.items() if k != "removed_edges"}
        if cycles is None:
            shown["cycles_found"] = shown["edges_removed"] = "graph not built yet"
        console.print(status_table(shown))
        if cycles is not None and cycles.removed:
            for line in cycle_lines(cycles, str(plan_uuid))[1:]:  # the counts are above
                console.print(escape(line), soft_wrap=True)


async def export_plan(
    settings: Settings, masterplan_id: str, out_dir: Path, console: Console
) -> None:
    from api.runtime import database_url

    url = await asyncio.to_thread(database_url, settings)
    engine = create_engine(url)
    try:
        count = await services.export_files(
            session_factory(engine), plan_repo.parse_id(masterplan_id), out_dir
        )
    finally:
        await engine.dispose()
    console.print(f"wrote {count} file(s) to {out_dir}")


async def cancel_plan(settings: Settings, masterplan_id: str, console: Console) -> None:
    async with open_runtime(settings, run_worker=False, ui=False) as rt:
        await services.cancel_run(rt.client, rt.sessions, plan_repo.parse_id(masterplan_id))
    console.print(f"cancellation requested for masterplan {masterplan_id}")
