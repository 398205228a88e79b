"""Validation results with their atoms, tasks and milestones: whole levels replaced at once,
one atom's attempt recorded, and the failures that become an atom's retry feedback."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import ValidationOutcome
from domain.validation.model import VALIDATOR_VERSION, CheckResult
from persistence.models import ValidationResult

_MAX_ITEMS = 200  # violations kept per row: a broken file must not make a huge row


def row_of(
    result: CheckResult,
    *,
    atom_id: uuid.UUID | None = None,
    task_id: uuid.UUID | None = None,
    milestone_id: uuid.UUID | None = None,
    attempt: int | None = None,
) -> dict[str, Any]:
    return {
        "atom_id": atom_id,
        "task_id": task_id,
        "milestone_id": milestone_id,
        "level": result.level,
        "check_name": result.check_name[:100],
        "outcome": ValidationOutcome(result.outcome),
        "score": result.score,
        "violations": [v.to_dict() for v in result.violations[:_MAX_ITEMS]],
        "warnings": [v.to_dict() for v in result.warnings[:_MAX_ITEMS]],
        "reason": result.reason,
        "attempt": attempt,
        "duration_ms": round(result.duration_ms, 3),
    }


async def replace_level(
    session: AsyncSession,
    masterplan_id: uuid.UUID,
    level: int,
    rows: Sequence[dict[str, Any]],
    *,
    keep_attempts: bool = False,
) -> None:
    """Replace every result of one level of a plan (plan-, task-, milestone- and atom-level
    rows alike): a rerun leaves exactly its own results (idempotent under redelivery).
    `keep_attempts` spares the rows generation wrote per attempt (level 1)."""
    condition = [ValidationResult.masterplan_id == masterplan_id, ValidationResult.level == level]
    if keep_attempts:
        condition.append(ValidationResult.attempt.is_(None))
    await session.execute(delete(ValidationResult).where(*condition))
    _add(session, masterplan_id, rows)


async def record_atom_attempt(
    session: AsyncSession,
    masterplan_id: uuid.UUID,
    atom_id: uuid.UUID,
    attempt: int,
    rows: Sequence[dict[str, Any]],
    *,
    level: int = 1,
) -> None:
    """The results of one generation attempt of one atom (a redelivered attempt replaces
    its own rows, never another attempt's)."""
    await session.execute(
        delete(ValidationResult).where(
            ValidationResult.atom_id == atom_id,
            ValidationResult.level == level,
            ValidationResult.attempt == attempt,
        )
    )
    _add(session, masterplan_id, [{**row, "atom_id": atom_id, "attempt": attempt} for row in rows])


def _add(session: AsyncSession, masterplan_id: uuid.UUID, rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        session.add(
            ValidationResult(
                masterplan_id=masterplan_id, validator_version=VALIDATOR_VERSION, **row
            )
        )


async def failed_atom_results(
    session: AsyncSession, atom_id: uuid.UUID, levels: Sequence[int] = (4,)
) -> list[ValidationResult]:
    rows = await session.scalars(
        select(ValidationResult)
        .where(
            ValidationResult.atom_id == atom_id,
            ValidationResult.level.in_(list(levels)),
            ValidationResult.outcome == ValidationOutcome.FAILED,
        )
        .order_by(ValidationResult.level, ValidationResult.created_at)
    )
    return list(rows)


async def level4_failures_for_atom(
    session: AsyncSession, atom_id: uuid.UUID, limit: int = 10
) -> list[str]:
    """Level-4 failures that point at this atom, one line each, for its next prompt."""
    lines: list[str] = []
    for row in await failed_atom_results(session, atom_id, levels=(4,)):
        for violation in row.violations or []:
            message = (
                str(violation.get("message", "")) if isinstance(violation, dict) else str(violation)
            )
            if message and message not in lines:
                lines.append(message)
    return lines[:limit]


async def level_results(
    session: AsyncSession, masterplan_id: uuid.UUID, level: int
) -> list[ValidationResult]:
    rows = await session.scalars(
        select(ValidationResult)
        .where(ValidationResult.masterplan_id == masterplan_id, ValidationResult.level == level)
        .order_by(ValidationResult.check_name, ValidationResult.created_at)
    )
    return list(rows)
