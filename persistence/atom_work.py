"""Everything `generate_atom` needs about its atoms, read and written in batches.

A worker runs a hundred or more atom activities at once. Each needs its atom with the task and
plan headers, the spec code of the rest of its file, and the code of the atoms it uses; then
it marks the atom running, and at the end stores the result. Here those are batch functions
over many atoms (one transaction, four statements for the start, one for the results), which
`persistence.batching.Coalescer` feeds with the activities that arrive together. Rows are read
as plain tuples: no ORM identity map, and never the plan document.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from domain.status import AtomStatus
from persistence.atoms import SETTLED
from persistence.models import AtomDependency, AtomicUnit, MasterPlan, Task
from persistence.output import shipped_code


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


@dataclass(frozen=True)
class AtomStart:
    """An atom as its generation starts: the row, its place in its file, what it uses."""

    work: AtomWork
    before: str  # spec code of the file before the atom
    after: str  # and after it
    dependencies: tuple[DependencyCode, ...]


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


_IDS = ARRAY(UUID(as_uuid=True))

# Built once: constructing a statement costs more than running it on a warm connection. Keys
# go in as one array parameter, so one cached statement serves every batch size.
_LOAD_ATOMS = (
    select(*_ATOM_COLUMNS)
    .join(Task, Task.id == AtomicUnit.task_id)
    .join(MasterPlan, MasterPlan.id == AtomicUnit.masterplan_id)
    .where(AtomicUnit.id == any_(bindparam("atom_keys", type_=_IDS)))
)
_FILE_SPECS = (
    select(AtomicUnit.task_id, AtomicUnit.ordinal, AtomicUnit.spec_code)
    .where(AtomicUnit.task_id == any_(bindparam("task_keys", type_=_IDS)))
    .order_by(AtomicUnit.task_id, AtomicUnit.ordinal)
)
_DEPENDENCY_CODE = (
    select(
        AtomDependency.source_atom_id,
        AtomicUnit.file_path,
        AtomicUnit.name,
        AtomicUnit.ordinal,
        AtomicUnit.status,
        AtomicUnit.generated_code,
        AtomicUnit.spec_code,
    )
    .join(AtomDependency, AtomDependency.target_atom_id == AtomicUnit.id)
    .where(
        AtomDependency.source_atom_id == any_(bindparam("atom_keys", type_=_IDS)),
        AtomDependency.removed.is_(False),
    )
    .distinct()
    .order_by(AtomDependency.source_atom_id, AtomicUnit.file_path, AtomicUnit.ordinal)
)
_MARK_RUNNING = (
    update(AtomicUnit)
    .where(
        AtomicUnit.id == any_(bindparam("atom_keys", type_=_IDS)),
        AtomicUnit.status.not_in(SETTLED),
    )
    .values(status=AtomStatus.RUNNING)
    .execution_options(synchronize_session=False)
)

# What a successful generation stores. Bind names differ from the columns they set: a bind
# named like a column of the statement is reserved for SQLAlchemy's own use.
COMPLETION_COLUMNS = (
    "generated_code",
    "status",
    "attempts",
    "generated_attempt",
    "temperature",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_usd",
    "last_error",
)
# What every paid attempt adds to: a regenerated atom (a reviewer's "regenerate") keeps what
# its earlier rounds' successful attempts cost. Failed attempts are in the retry history.
ACCUMULATED_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_usd",
)
_COMPLETE = (
    update(AtomicUnit)
    .where(
        AtomicUnit.id == bindparam("atom_key"),
        # Spelled out: executemany takes no expanding NOT IN list. This guard is also what
        # makes adding up safe: a completion delivered twice finds its atom settled by the
        # first one and changes nothing.
        *(AtomicUnit.status != status for status in SETTLED),
    )
    .values(
        {
            column: (
                getattr(AtomicUnit, column) + bindparam(f"new_{column}")
                if column in ACCUMULATED_COLUMNS
                else bindparam(f"new_{column}")
            )
            for column in COMPLETION_COLUMNS
        }
    )
)


async def start_atoms(
    session: AsyncSession, atom_ids: Sequence[uuid.UUID]
) -> list[AtomStart | None]:
    """Load each atom for generation and mark the unsettled ones running; None for an id
    that names no atom. One result per id, in order (an id may repeat)."""
    keys = sorted(set(atom_ids))
    works: dict[uuid.UUID, AtomWork] = {}
    for row in await session.execute(_LOAD_ATOMS, {"atom_keys": keys}):
        work = AtomWork(*row)
        # A NULL context reads as an empty one.
        works[work.id] = work if work.context else replace(work, context={})
    task_keys = sorted({w.task_id for w in works.values()})
    files: dict[uuid.UUID, list[tuple[int, str]]] = defaultdict(list)
    for task_id, ordinal, spec in await session.execute(_FILE_SPECS, {"task_keys": task_keys}):
        files[task_id].append((ordinal, spec))
    uses: dict[uuid.UUID, list[DependencyCode]] = defaultdict(list)
    for source, path, name, ordinal, status, generated, spec in await session.execute(
        _DEPENDENCY_CODE, {"atom_keys": keys}
    ):
        # What the project will hold: a rejected dependency is its spec, not the refused code.
        uses[source].append(
            DependencyCode(path, name, ordinal, shipped_code(status, generated, spec))
        )
    await session.execute(_MARK_RUNNING, {"atom_keys": keys})

    def start(atom_id: uuid.UUID) -> AtomStart | None:
        work = works.get(atom_id)
        if work is None:
            return None
        pieces = files[work.task_id]
        return AtomStart(
            work,
            "".join(code for n, code in pieces if n < work.ordinal),
            "".join(code for n, code in pieces if n > work.ordinal),
            tuple(uses[atom_id]),
        )

    return [start(atom_id) for atom_id in atom_ids]


async def complete_atoms(
    session: AsyncSession, results: Sequence[tuple[uuid.UUID, Mapping[str, Any]]]
) -> list[None]:
    """Store generation results (atom id, COMPLETION_COLUMNS values) in one statement,
    leaving atoms already settled by an earlier delivery or a reviewer as they are. Tokens
    and cost (ACCUMULATED_COLUMNS) are added to what earlier rounds stored."""
    rows = [
        {"atom_key": atom_id, **{f"new_{c}": values[c] for c in COMPLETION_COLUMNS}}
        # In id order: two result batches touching the same rows (redelivered activities)
        # lock them in the same order. (Any deadlock PostgreSQL still finds fails one batch,
        # whose activities Temporal retries; a retry finds its atom settled.)
        for atom_id, values in sorted(results, key=lambda result: result[0])
    ]
    connection = await session.connection()  # Core executemany: one round trip, no ORM pass
    await connection.execute(_COMPLETE, rows)
    return [None] * len(results)
