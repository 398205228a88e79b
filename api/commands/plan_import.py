"""`mge plan import FILE`: store a plan without starting it, so a run can be started from
the `temporal` CLI (or the API) with the printed id."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import typer
from rich.console import Console

from api import services
from api.runtime import database_url
from api.settings import Settings
from api.stack import StackInfo
from domain.errors import InvalidInputError
from domain.plan import MasterPlanSpec
from persistence.db import create_engine, session_factory

out = Console(soft_wrap=True)


def import_plan_file(
    settings: Settings,
    file: Path,
    provider: str | None,
    granularity: str,
    as_json: bool,
) -> None:
    # Bad input exits 2 before any database is started or written.
    provider = provider or settings.llm.provider
    if provider not in services.PROVIDERS:
        raise InvalidInputError(f"--provider must be one of {', '.join(services.PROVIDERS)}")
    if granularity not in services.GRANULARITIES:
        raise InvalidInputError(f"--granularity must be one of {', '.join(services.GRANULARITIES)}")
    spec = services.read_plan_file(file)
    plan_id = asyncio.run(_store(_database(settings), spec, provider, granularity))
    workflow_id = f"masterplan-{plan_id}"
    if as_json:
        typer.echo(json.dumps({"masterplan_id": str(plan_id), "workflow_id": workflow_id}))
        return
    out.print(f"imported plan '{spec.name}' as masterplan [bold]{plan_id}[/]")
    out.print("start it with the temporal CLI:", highlight=False)
    out.print(
        f"  temporal workflow start --type MasterPlanWorkflow "
        f"--task-queue {settings.temporal.task_queue} --workflow-id {workflow_id} "
        f"--input '{json.dumps({'masterplan_id': str(plan_id)})}'",
        highlight=False,
        markup=False,
    )


def _database(settings: Settings) -> str:
    """The database of the stack `mge dev` runs here, else the configured or embedded one:
    the plan must land where the worker that will run it reads."""
    running = None if settings.database_url else StackInfo.running(settings.data_dir)
    return running.database_url if running is not None else database_url(settings)


async def _store(url: str, spec: MasterPlanSpec, provider: str, granularity: str) -> uuid.UUID:
    engine = create_engine(url)
    try:
        return await services.import_plan(
            session_factory(engine),
            spec,
            provider=provider,
            granularity=granularity,
        )
    finally:
        await engine.dispose()
