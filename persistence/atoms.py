"""Atoms: bulk insert (idempotent), wave slices, generation results and retry history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFoundError
from domain.status import AtomStatus
from persistence.models import AtomicUnit, AtomRetryHistory

# Atoms whose code is settled: no later delivery of an activity may overwrite them.
SETTLED = (AtomStatus.COMPLETED, AtomStatus.APPROVED)

_UPDATE_UNSETTLED = (
    update(AtomicUnit)
    .where(AtomicUnit.id == bindparam("atom_key"), AtomicUnit.status.not_in(SETTLED))
    # Nothing in the session to synchronise: skips the ORM's per-statement evaluation pass.
    .execution_options(synchronize_session=False)
)

_BATCH = 500  # rows per INSERT: stays far under asyncpg's 32,767 bind parameters


async def insert_atoms(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert atoms; rows already present (same deterministic id) are left as they are."""
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        await session.execute(insert(AtomicUnit).values(batch).on_conflict_do_nothing())


async def plan_atoms(
    session: AsyncSession, masterplan_id: uuid.UUID, wave_number: int | None = None
) -> list[AtomicUnit]:
    """The plan's atoms (of one wave, if given) in file order."""
    query = select(AtomicUnit).where(AtomicUnit.masterplan_id == masterplan_id)
    if wave_number is not None:
        query = query.where(AtomicUnit.wave_number == wave_number)
    rows = await session.scalars(query.order_by(AtomicUnit.file_path, AtomicUnit.ordinal))
    return list(rows)


async def count_atoms(session: AsyncSession, masterplan_id: uuid.UUID) -> dict[str, int]:
    rows = await session.execute(
        select(AtomicUnit.status, func.count())
        .where(AtomicUnit.masterplan_id == masterplan_id)
        .group_by(AtomicUnit.status)
    )
    return {str(status): int(n) for status, n in rows.all()}


async def wave_slice(
    session: AsyncSession, masterplan_id: uuid.UUID, wave_number: int, offset: int, limit: int
) -> list[tuple[uuid.UUID, str, str | None, int]]:
    rows = await session.execute(
        select(AtomicUnit.id, AtomicUnit.file_path, AtomicUnit.name, AtomicUnit.ordinal)
        .where(AtomicUnit.masterplan_id == masterplan_id, AtomicUnit.wave_number == wave_number)
        .order_by(AtomicUnit.file_path, AtomicUnit.ordinal, AtomicUnit.id)
        .offset(offset)
        .limit(limit)
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows.all()]


async def wave_counts(
    session: AsyncSession, masterplan_id: uuid.UUID, wave_number: int
) -> dict[str, int]:
    rows = await session.execute(
        select(AtomicUnit.status, func.count())
        .where(AtomicUnit.masterplan_id == masterplan_id, AtomicUnit.wave_number == wave_number)
        .group_by(AtomicUnit.status)
    )
    return {str(status): int(n) for status, n in rows.all()}


async def get_atom(session: AsyncSession, atom_id: str | uuid.UUID) -> AtomicUnit:
    try:
        key = atom_id if isinstance(atom_id, uuid.UUID) else uuid.UUID(atom_id)
    except ValueError:
        raise NotFoundError(f"atom id '{atom_id}' is not a UUID") from None
    atom = await session.get(AtomicUnit, key)
    if atom is None:
        raise NotFoundError(f"atom {atom_id} not found")
    return atom


_FILE_SPEC = (
    select(AtomicUnit.ordinal, AtomicUnit.spec_code)
    .where(AtomicUnit.task_id == bindparam("task_key"))
    .order_by(AtomicUnit.ordinal)
)


async def spec_around(session: AsyncSession, task_id: uuid.UUID, ordinal: int) -> tuple[str, str]:
    """The spec code of a task file before and after its atom `ordinal`: the place that atom
    is spliced into."""
    rows = (await session.execute(_FILE_SPEC, {"task_key": task_id})).all()
    before = "".join(code for n, code in rows if n < ordinal)
    after = "".join(code for n, code in rows if n > ordinal)
    return before, after


async def update_unsettled(session: AsyncSession, atom_id: uuid.UUID, **values: Any) -> None:
    """Set columns of an atom unless its code is already settled (completed or approved): an
    activity delivered twice must not undo what its first delivery, or a reviewer, stored."""
    await session.execute(_UPDATE_UNSETTLED.values(**values), {"atom_key": atom_id})


async def retry_history(
    session: AsyncSession, atom_id: uuid.UUID, generation_round: int | None = None
) -> list[AtomRetryHistory]:
    """The atom's failed attempts, of one generation round if given."""
    query = select(AtomRetryHistory).where(AtomRetryHistory.atom_id == atom_id)
    if generation_round is not None:
        query = query.where(AtomRetryHistory.round == generation_round)
    rows = await session.scalars(query.order_by(AtomRetryHistory.round, AtomRetryHistory.attempt))
    return list(rows)


async def record_failed_attempt(session: AsyncSession, row: dict[str, Any]) -> None:
    """One row per (atom, round, attempt): a redelivered attempt overwrites nothing."""
    await session.execute(
        insert(AtomRetryHistory)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["atom_id", "round", "attempt"])
    )


async def set_atom_status(
    session: AsyncSession, atom_ids: Sequence[uuid.UUID], status: AtomStatus, **values: Any
) -> None:
    await session.execute(
        update(AtomicUnit).where(AtomicUnit.id.in_(atom_ids)).values(status=status, **values)
    )


async def atom_retry_cost(session: AsyncSession, atom_id: uuid.UUID) -> Decimal:
    total = await session.scalar(
        select(func.coalesce(func.sum(AtomRetryHistory.cost_usd), 0)).where(
            AtomRetryHistory.atom_id == atom_id
        )
    )
    return Decimal(total or 0)


async def settle_unfinished(
    session: AsyncSession, masterplan_id: uuid.UUID, status: AtomStatus, reason: str | None
) -> None:
    """Give every atom that has not finished a final status (cancelled, skipped)."""
    await session.execute(
        update(AtomicUnit)
        .where(
            AtomicUnit.masterplan_id == masterplan_id,
            AtomicUnit.status.in_([AtomStatus.PENDING, AtomStatus.RUNNING]),
        )
        .values(status=status, last_error=reason)
    )


async def plan_cost(session: AsyncSession, masterplan_id: uuid.UUID) -> tuple[Decimal, int, int]:
    """Spend so far: successful attempts (on the atom) plus failed ones (retry history)."""
    atom_row = (
        await session.execute(
            select(
                func.coalesce(func.sum(AtomicUnit.cost_usd), 0),
                func.coalesce(func.sum(AtomicUnit.input_tokens), 0),
                func.coalesce(func.sum(AtomicUnit.output_tokens), 0),
            ).where(AtomicUnit.masterplan_id == masterplan_id)
        )
    ).one()
    retry_row = (
        await session.execute(
            select(
                func.coalesce(func.sum(AtomRetryHistory.cost_usd), 0),
                func.coalesce(func.sum(AtomRetryHistory.input_tokens), 0),
                func.coalesce(func.sum(AtomRetryHistory.output_tokens), 0),
            ).where(AtomRetryHistory.masterplan_id == masterplan_id)
        )
    ).one()
    return (
        Decimal(atom_row[0]) + Decimal(retry_row[0]),
        int(atom_row[1]) + int(retry_row[1]),
        int(atom_row[2]) + int(retry_row[2]),
    )
