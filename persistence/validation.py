"""Validation results: one set per (plan, level), replaced as a whole when rerun."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import ValidationResult

VALIDATOR_VERSION = "mge-validation/0.1"


async def replace_results(
    session: AsyncSession,
    masterplan_id: uuid.UUID,
    *,
    level: int,
    results: Sequence[dict[str, Any]],
) -> None:
    """Replace the plan-wide results of one level (idempotent under redelivery)."""
    await session.execute(
        delete(ValidationResult).where(
            ValidationResult.masterplan_id == masterplan_id,
            ValidationResult.level == level,
            ValidationResult.atom_id.is_(None),
        )
    )
    for result in results:
        session.add(
            ValidationResult(
                masterplan_id=masterplan_id,
                level=level,
                validator_version=VALIDATOR_VERSION,
                **result,
            )
        )


async def plan_results(
    session: AsyncSession, masterplan_id: uuid.UUID, level: int | None = None
) -> list[ValidationResult]:
    query = select(ValidationResult).where(ValidationResult.masterplan_id == masterplan_id)
    if level is not None:
        query = query.where(ValidationResult.level == level)
    rows = await session.scalars(
        query.order_by(ValidationResult.level, ValidationResult.created_at)
    )
    return list(rows)
