"""`mge run`, `mge status`, `mge export`: the operator's commands."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from temporalio.client import WorkflowFailureError

from api import services
from api.runtime import open_runtime
from api.settings import Settings
from domain.plan import MasterPlanSpec
from persistence import plans as plan_repo
from persistence.db import create_engine, session_factory

EXIT_OK, EXIT_FAILED, EXIT_NEEDS_REVIEW = 0, 1, 3


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
        await _show_progress(rt.sessions, plan_id, waiter, console)
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


async def _show_progress(
    sessions, plan_id: uuid.UUID, waiter: asyncio.Task, console: Console
) -> None:  # type: ignore[no-untyped-def, type-arg]
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
        hinted = False
        while not waiter.done():
            view = await services.plan_progress(sessions, plan_id)
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


async def show_status(
    settings: Settings, masterplan_id: str, as_json: bool, console: Console
) -> None:
    from api.runtime import database_url

    url = await asyncio.to_thread(database_url, settings)
    engine = create_engine(url)
    try:
        plan_uuid = plan_repo.parse_id(masterplan_id)
        view = await services.plan_progress(session_factory(engine), plan_uuid)
    finally:
        await engine.dispose()
    data = {
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
    }
    if as_json:
        console.print_json(json.dumps(data))
    else:
        from api.cli import status_table

        console.print(status_table(data))


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
