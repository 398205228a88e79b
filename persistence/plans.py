"""Storing and reading plans (the input side)."""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFoundError
from domain.plan import MasterPlanSpec
from domain.status import TERMINAL_PLAN_STATUSES, PlanStatus
from persistence.models import MasterPlan, Milestone, Phase, Task


def document_sha256(spec: MasterPlanSpec) -> str:
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def import_plan(session: AsyncSession, spec: MasterPlanSpec) -> MasterPlan:
    """Store a validated plan with its phases, milestones and tasks (caller commits)."""
    plan = MasterPlan(
        id=uuid.uuid4(),
        name=spec.name,
        description=spec.description,
        language=spec.language,
        document=spec.model_dump(mode="json"),
        source_sha256=document_sha256(spec),
        atomization_config=spec.atomization.model_dump(),
        budget_usd=Decimal(str(spec.budget_usd)) if spec.budget_usd is not None else None,
    )
    session.add(plan)
    await session.flush()
    task_ordinal = 0
    for p_index, phase_spec in enumerate(spec.phases):
        phase = Phase(
            id=uuid.uuid4(),
            masterplan_id=plan.id,
            ordinal=p_index,
            name=phase_spec.name,
            description=phase_spec.description,
        )
        session.add(phase)
        await session.flush()  # no ORM relationships, so parents are flushed before children
        for m_index, milestone_spec in enumerate(phase_spec.milestones):
            milestone = Milestone(
                id=uuid.uuid4(),
                masterplan_id=plan.id,
                phase_id=phase.id,
                ordinal=m_index,
                name=milestone_spec.name,
                description=milestone_spec.description,
            )
            session.add(milestone)
            await session.flush()
            for task_spec in milestone_spec.tasks:
                session.add(
                    Task(
                        id=uuid.uuid4(),
                        masterplan_id=plan.id,
                        milestone_id=milestone.id,
                        ordinal=task_ordinal,
                        key=task_spec.key,
                        name=task_spec.name,
                        file_path=task_spec.file,
                        language=spec.task_language(task_spec),
                        description=task_spec.description,
                        depends_on=list(task_spec.depends_on),
                        skeleton=task_spec.skeleton,
                        reference_code=task_spec.reference,
                        tests=task_spec.tests,
                        test_file=task_spec.test_file,
                    )
                )
                task_ordinal += 1
    await session.flush()
    return plan


def parse_id(value: str | uuid.UUID, what: str = "masterplan") -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError(f"{what} id '{value}' is not a UUID") from None


async def get_plan(session: AsyncSession, masterplan_id: str | uuid.UUID) -> MasterPlan:
    plan = await session.get(MasterPlan, parse_id(masterplan_id))
    if plan is None:
        raise NotFoundError(f"masterplan {masterplan_id} not found")
    return plan


async def set_status(
    session: AsyncSession, masterplan_id: uuid.UUID, status: PlanStatus, reason: str | None = None
) -> None:
    """Mirror the workflow's stage in the database (what `mge status` and the API show)."""
    await session.execute(
        update(MasterPlan)
        .where(MasterPlan.id == masterplan_id, MasterPlan.status.not_in(TERMINAL_PLAN_STATUSES))
        .values(status=status, status_reason=reason)
    )


async def list_plans(session: AsyncSession, limit: int = 50) -> list[MasterPlan]:
    rows = await session.scalars(
        select(MasterPlan).order_by(MasterPlan.created_at.desc()).limit(limit)
    )
    return list(rows)


async def list_tasks(session: AsyncSession, masterplan_id: uuid.UUID) -> list[Task]:
    rows = await session.scalars(
        select(Task).where(Task.masterplan_id == masterplan_id).order_by(Task.ordinal)
    )
    return list(rows)
