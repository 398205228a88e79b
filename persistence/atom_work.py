"""Everything `generate_atom` needs about one atom, read in as few round trips as we can.

An atom activity runs hundreds of times a minute on one worker, so this reads plain rows
(no ORM identity map, no plan document) in three queries: the atom with its task and plan
headers, the spec code of its file's other atoms (`atoms.spec_around`), and the code of the
atoms it uses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFoundError
from domain.status import AtomStatus
from persistence.models import AtomDependency, AtomicUnit, MasterPlan, Task


@dataclass(frozen=True)
class DependencyCode:
    file_path: str
    name: str | None
    ordinal: int
    code: str  # generated code when there is some, else the spec


@dataclass(frozen=True)
class AtomWork:
    id: uuid.UUID
    masterplan_id: uuid.UUID
    task_id: uuid.UUID
    status: AtomStatus
    attempts: int
    generation_round: int
    ordinal: int
    name: str | None
    file_path: str
    language: str
    spec_code: str
    reference_code: str | None
    context: dict[str, Any]
    task_name: str
    task_description: str | None
    plan_name: str
    plan_description: str | None
    plan_language: str
    plan_provider: str | None


_ATOM_COLUMNS = (
    AtomicUnit.id,
    AtomicUnit.masterplan_id,
    AtomicUnit.task_id,
    AtomicUnit.status,
    AtomicUnit.attempts,
    AtomicUnit.generation_round,
    AtomicUnit.ordinal,
    AtomicUnit.name,
    AtomicUnit.file_path,
    AtomicUnit.language,
    AtomicUnit.spec_code,
    AtomicUnit.reference_code,
    AtomicUnit.context,
    Task.name,
    Task.description,
    MasterPlan.name,
    MasterPlan.description,
    MasterPlan.language,
    MasterPlan.provider,
)


# Built once: constructing a statement costs more than running it on a warm connection.
_LOAD_ATOM = (
    select(*_ATOM_COLUMNS)
    .join(Task, Task.id == AtomicUnit.task_id)
    .join(MasterPlan, MasterPlan.id == AtomicUnit.masterplan_id)
    .where(AtomicUnit.id == bindparam("atom_key"))
)
_DEPENDENCY_CODE = (
    select(
        AtomicUnit.file_path,
        AtomicUnit.name,
        AtomicUnit.ordinal,
        AtomicUnit.generated_code,
        AtomicUnit.spec_code,
    )
    .join(AtomDependency, AtomDependency.target_atom_id == AtomicUnit.id)
    .where(
        AtomDependency.source_atom_id == bindparam("atom_key"),
        AtomDependency.removed.is_(False),
    )
    .distinct()
    .order_by(AtomicUnit.file_path, AtomicUnit.ordinal)
)


async def load_atom_work(session: AsyncSession, atom_id: uuid.UUID) -> AtomWork:
    row = (await session.execute(_LOAD_ATOM, {"atom_key": atom_id})).one_or_none()
    if row is None:
        raise NotFoundError(f"atom {atom_id} not found")
    values = list(row)
    values[12] = values[12] or {}  # context
    return AtomWork(*values)


async def dependency_code(session: AsyncSession, atom_id: uuid.UUID) -> list[DependencyCode]:
    """The atoms this atom uses (kept edges only), with whatever code they have so far."""
    rows = await session.execute(_DEPENDENCY_CODE, {"atom_key": atom_id})
    return [DependencyCode(f, n, o, generated or spec) for f, n, o, generated, spec in rows]
