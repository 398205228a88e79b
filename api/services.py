"""Use cases shared by the CLI and the HTTP API."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from activities.contracts import MasterPlanInput, MasterPlanResult
from domain.errors import ConflictError, InvalidInputError
from domain.plan import MasterPlanSpec, parse_plan_text
from domain.status import TERMINAL_PLAN_STATUSES, AtomStatus, PlanStatus, WaveStatus
from persistence import atoms as atom_repo
from persistence import graphs as graph_repo
from persistence import plans as plan_repo
from persistence.output import project_files
from workflows import search_attributes as sa
from workflows.ids import masterplan_workflow_id
from workflows.masterplan import MasterPlanWorkflow

PROVIDERS = ("reference", "anthropic")
GRANULARITIES = ("atom", "task")


def read_plan_file(path: Path) -> MasterPlanSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        raise InvalidInputError(f"{path}: not UTF-8 text ({err.reason})") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: is a directory, not a plan file") from None
    return parse_plan_text(text, source_name=str(path))


async def import_plan(
    sessions: async_sessionmaker[AsyncSession],
    spec: MasterPlanSpec,
    *,
    provider: str | None = None,
    granularity: str = "atom",
) -> uuid.UUID:
    if provider is not None and provider not in PROVIDERS:
        raise InvalidInputError(f"provider must be one of {', '.join(PROVIDERS)}")
    if granularity not in GRANULARITIES:
        raise InvalidInputError(f"granularity must be one of {', '.join(GRANULARITIES)}")
    async with sessions.begin() as session:
        plan = await plan_repo.import_plan(session, spec)
        plan.provider = provider
        plan.granularity = granularity
        return plan.id


async def start_run(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    masterplan_id: uuid.UUID,
    task_queue: str,
) -> WorkflowHandle[MasterPlanWorkflow, MasterPlanResult]:
    async with sessions.begin() as session:
        plan = await plan_repo.get_plan(session, masterplan_id)
        if plan.status not in (PlanStatus.IMPORTED, *TERMINAL_PLAN_STATUSES):
            raise ConflictError(f"masterplan {masterplan_id} is already running ({plan.status})")
        plan.status = PlanStatus.QUEUED
    workflow_id = masterplan_workflow_id(str(masterplan_id))
    return await client.start_workflow(
        MasterPlanWorkflow.run,
        MasterPlanInput(str(masterplan_id)),
        id=workflow_id,
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.MASTERPLAN_ID, str(masterplan_id)),
                SearchAttributePair(sa.PLAN_STATUS, PlanStatus.QUEUED.value),
            ]
        ),
        static_summary=f"masterplan {masterplan_id}",
    )


async def cancel_run(
    client: Client, sessions: async_sessionmaker[AsyncSession], masterplan_id: uuid.UUID
) -> None:
    """Ask the run to stop; the workflow cancels its waves and marks unfinished atoms."""
    async with sessions() as session:
        plan = await plan_repo.get_plan(session, masterplan_id)
        if plan.status in TERMINAL_PLAN_STATUSES or plan.status == PlanStatus.IMPORTED:
            raise ConflictError(f"masterplan {masterplan_id} is not running ({plan.status})")
    await client.get_workflow_handle(masterplan_workflow_id(str(masterplan_id))).cancel()


@dataclass(frozen=True)
class PlanProgressView:
    masterplan_id: str
    name: str
    status: str
    reason: str | None
    total_atoms: int
    total_waves: int
    atoms_by_status: dict[str, int]
    cost_usd: float
    waves_done: int = 0

    @property
    def done(self) -> int:
        return sum(
            self.atoms_by_status.get(s, 0) for s in (AtomStatus.COMPLETED, AtomStatus.APPROVED)
        )

    @property
    def failed(self) -> int:
        return self.atoms_by_status.get(AtomStatus.FAILED, 0)

    @property
    def running(self) -> int:
        return self.atoms_by_status.get(AtomStatus.RUNNING, 0)


async def plan_progress(
    sessions: async_sessionmaker[AsyncSession], masterplan_id: uuid.UUID
) -> PlanProgressView:
    async with sessions() as session:
        plan = await plan_repo.get_plan(session, masterplan_id)
        counts = await atom_repo.count_atoms(session, plan.id)
        cost, _, _ = await atom_repo.plan_cost(session, plan.id)
        waves = await graph_repo.plan_waves(session, plan.id)
        return PlanProgressView(
            masterplan_id=str(plan.id),
            name=plan.name,
            status=str(plan.status),
            reason=plan.status_reason,
            total_atoms=plan.total_atoms,
            total_waves=plan.total_waves,
            atoms_by_status=counts,
            cost_usd=float(cost),
            waves_done=sum(1 for w in waves if w.status == WaveStatus.COMPLETED),
        )


async def export_files(
    sessions: async_sessionmaker[AsyncSession], masterplan_id: uuid.UUID, out_dir: Path
) -> int:
    from activities.output import write_files

    async with sessions() as session:
        await plan_repo.get_plan(session, masterplan_id)
        files = await project_files(session, masterplan_id)
    await asyncio.to_thread(write_files, files, out_dir)
    return len(files)
