"""`mge review`: work the review queue from the terminal."""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table

from domain.errors import InvalidInputError

review_app = typer.Typer(
    help="Work the review queue (needs a running stack).", no_args_is_help=True
)
console = Console(soft_wrap=True)
T = TypeVar("T")


def _handles_errors(fn: Callable[..., None]) -> Callable[..., None]:
    """The exit codes of every `mge` command (2 for bad input or an unknown id, 1 for a
    refused decision), looked up at call time: api.cli imports this module."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from api.cli import handles_errors

        handles_errors(fn)(*args, **kwargs)

    return wrapper


def _run(job: Callable[[Any], Awaitable[T]]) -> T:
    from api.cli import load_settings
    from api.runtime import open_running_stack

    async def main() -> T:
        async with open_running_stack(load_settings()) as rt:
            return await job(SimpleNamespace(sessions=rt.sessions, client=rt.client))

    return asyncio.run(main())


@review_app.command("list")
@_handles_errors
def review_list(
    masterplan_id: str | None = typer.Option(None, "--plan", help="Only this plan."),
    status: str = typer.Option("pending", help="pending|approved|edited|regenerating|…"),
    sort: str = typer.Option("priority", help="priority|confidence|date"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List reviews, most urgent first."""
    from api.review_service import STATUSES
    from persistence import plans as plan_repo
    from persistence import reviews as review_repo

    if sort not in ("priority", "confidence", "date"):
        raise InvalidInputError("--sort must be priority, confidence or date")
    if status and status not in STATUSES:
        raise InvalidInputError(f"--status must be one of {', '.join(STATUSES)}")

    async def job(state: Any) -> list[dict[str, Any]]:
        async with state.sessions() as session:
            plan = plan_repo.parse_id(masterplan_id) if masterplan_id else None
            rows = await review_repo.queue(
                session, masterplan_id=plan, status=status or None, sort=sort
            )
        return [
            {
                "id": str(r.id),
                "atom": f"{a.file_path}:{a.name or 'part'}#{a.ordinal}",
                "priority": r.priority,
                "confidence": r.confidence,
                "level": r.level,
                "status": str(r.status),
            }
            for r, a in rows
        ]

    items = _run(job)
    if as_json:
        sys.stdout.write(json.dumps(items, indent=2) + "\n")
        return
    table = Table("review", "atom", "priority", "confidence", "level", "status")
    for item in items:
        confidence = "-" if item["confidence"] is None else f"{item['confidence']:.2f}"
        table.add_row(
            item["id"],
            item["atom"],
            str(item["priority"]),
            confidence,
            str(item["level"]),
            item["status"],
        )
    console.print(table)


@review_app.command("show")
@_handles_errors
def review_show(review_id: str) -> None:
    """Show one review: the atom's code, why it is here, and suggestions."""
    from persistence import reviews as review_repo
    from persistence.atoms import get_atom

    async def job(state: Any) -> tuple[Any, Any]:
        async with state.sessions() as session:
            review = await review_repo.get_review(session, review_id)
            return review, await get_atom(session, review.atom_id)

    review, atom = _run(job)
    console.print(
        f"[bold]{atom.file_path}:{atom.name or 'part'}#{atom.ordinal}[/] — {review.status}, "
        f"priority {review.priority}, confidence {review.confidence}"
    )
    for reason in review.reasons or []:
        console.print(f"  • {reason}")
    code = atom.generated_code if atom.generated_code is not None else atom.spec_code
    lexer = "python" if atom.language == "python" else "typescript"
    console.print(Syntax(code, lexer, line_numbers=True))
    for suggestion in review.suggestions or []:
        console.print(f"  suggestion: {suggestion}")
    if review.message:
        console.print(f"  last decision: {review.message}")


def _decide(review_id: str, action: str, reviewer: str, **extra: Any) -> None:
    from api import review_service

    async def job(state: Any) -> None:
        await review_service.decide(state, review_id, action, reviewer, **extra)

    _run(job)
    console.print(f"{action} sent for review {review_id}")


@review_app.command("approve")
@_handles_errors
def review_approve(review_id: str, reviewer: str = typer.Option("cli", help="Your name.")) -> None:
    """Accept the atom's code as it is."""
    _decide(review_id, "approve", reviewer)


@review_app.command("edit")
@_handles_errors
def review_edit(
    review_id: str,
    code_file: Path = typer.Option(..., "--code", help="File with the new code of the atom."),
    reviewer: str = typer.Option("cli", help="Your name."),
) -> None:
    """Replace the atom's code (it is validated before it is accepted)."""
    try:
        code = code_file.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"--code {code_file}: {exc}") from None
    _decide(review_id, "edit", reviewer, code=code)


@review_app.command("regenerate")
@_handles_errors
def review_regenerate(
    review_id: str,
    feedback: str = typer.Option(..., help="What the model should do differently."),
    reviewer: str = typer.Option("cli", help="Your name."),
) -> None:
    """Generate the atom again with your feedback (the temperature schedule restarts)."""
    _decide(review_id, "regenerate", reviewer, feedback=feedback)


@review_app.command("reject")
@_handles_errors
def review_reject(
    review_id: str,
    feedback: str = typer.Option("", help="Why."),
    reviewer: str = typer.Option("cli", help="Your name."),
) -> None:
    """Reject the atom: it is marked rejected and keeps no generated code in the output."""
    _decide(review_id, "reject", reviewer, feedback=feedback or None)
