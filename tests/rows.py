"""What a run leaves in the database, read back for a test's assertions."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence.models import AtomicUnit, AtomRetryHistory, ExecutionWave

T = TypeVar("T")


async def rows_of(sessions: async_sessionmaker[AsyncSession], query: Select[T]) -> list[T]:
    """Every row `query` selects, in a session of its own."""
    async with sessions() as session:
        return list(await session.scalars(query))


async def atom_named(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID, name: str
) -> AtomicUnit:
    async with sessions() as session:
        atom = await session.scalar(
            select(AtomicUnit).where(AtomicUnit.masterplan_id == plan_id, AtomicUnit.name == name)
        )
    assert atom is not None
    return atom


async def history_of(
    sessions: async_sessionmaker[AsyncSession], atom_id: uuid.UUID
) -> list[AtomRetryHistory]:
    return await rows_of(
        sessions,
        select(AtomRetryHistory)
        .where(AtomRetryHistory.atom_id == atom_id)
        .order_by(AtomRetryHistory.attempt),
    )


async def waves_of(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID
) -> list[ExecutionWave]:
    return await rows_of(
        sessions,
        select(ExecutionWave)
        .where(ExecutionWave.masterplan_id == plan_id)
        .order_by(ExecutionWave.wave_number),
    )
