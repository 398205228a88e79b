"""`mge validate MASTERPLAN_ID [--level N]`: rerun validation of a generated plan."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from domain.errors import InvalidInputError

console = Console(soft_wrap=True)


async def _validate(masterplan_id: str, levels: list[int]) -> list[object]:
    # The activities run in-process: validation needs the database and the sandbox, not
    # Temporal. ActivityEnvironment gives them the activity context they heartbeat into.
    from temporalio.testing import ActivityEnvironment

    from activities.contracts import PlanRef
    from activities.validation import ValidationActivities, ValidationConfig
    from api.cli import load_settings
    from api.runtime import database_url
    from persistence import plans as plan_repo
    from persistence.db import create_engine, session_factory

    settings = load_settings()
    url = await asyncio.to_thread(database_url, settings)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            plan = await plan_repo.get_plan(session, masterplan_id)
        activities = ValidationActivities(
            sessions, ValidationConfig.discover(data_dir=settings.data_dir.resolve())
        )
        by_level = {
            1: activities.validate_atoms,
            2: activities.validate_tasks,
            3: activities.validate_milestones,
            4: activities.validate_masterplan,
        }
        env = ActivityEnvironment()
        return [await env.run(by_level[n], PlanRef(str(plan.id))) for n in levels]
    finally:
        await engine.dispose()


def validate(
    masterplan_id: str = typer.Argument(..., help="The plan's id."),
    level: int | None = typer.Option(None, "--level", help="Only this level (1-4)."),
) -> None:
    """Rerun validation levels 1-4 (or one) and record the results."""
    if level is not None and level not in (1, 2, 3, 4):
        raise InvalidInputError("--level must be 1, 2, 3 or 4")
    levels = [level] if level is not None else [1, 2, 3, 4]
    summaries = asyncio.run(_validate(masterplan_id, levels))
    table = Table("level", "checks", "passed", "failed", "not run", "notes")
    failed = False
    for s in summaries:
        failed = failed or bool(getattr(s, "failed", 0))
        table.add_row(
            str(s.level),  # type: ignore[attr-defined]
            str(s.checks),  # type: ignore[attr-defined]
            str(s.passed),  # type: ignore[attr-defined]
            str(s.failed),  # type: ignore[attr-defined]
            str(s.not_run),  # type: ignore[attr-defined]
            "; ".join(s.notes)[:200],  # type: ignore[attr-defined]
        )
    console.print(table)
    raise typer.Exit(1 if failed else 0)
