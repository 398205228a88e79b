"""MasterPlanWorkflow on a real Temporal dev server and the embedded PostgreSQL."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Replayer, Worker

from api import services
from api.settings import Settings
from domain.graph import to_json
from domain.plan import validate_plan_data
from domain.status import AtomStatus, WaveStatus
from persistence.graphs import load_graph
from persistence.models import AtomicUnit, ExecutionWave, MasterPlan, ValidationResult
from tests.plans import MODELS, REPO, small_plan
from tests.temporal_cli import temporal_workflow
from workflows.masterplan import MasterPlanWorkflow
from workflows.wave import WaveWorkflow

pytestmark = pytest.mark.workflow


async def _import(sessions: async_sessionmaker[AsyncSession], **extra: object) -> uuid.UUID:
    return await services.import_plan(
        sessions, validate_plan_data(small_plan(**extra)), provider="reference"
    )


async def test_reference_run_generates_the_reference_files(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    worker: Worker,
) -> None:
    plan_id = await _import(sessions)
    handle = await services.start_run(
        temporal_client, sessions, plan_id, settings.temporal.task_queue
    )
    result = await handle.result()

    assert result.status == "completed"
    assert result.failed_atoms == 0
    assert result.total_atoms == result.completed_atoms >= 2
    assert result.waves >= 2, "the repository uses the model, so it comes in a later wave"

    async with sessions() as session:
        statuses = (
            await session.execute(
                select(AtomicUnit.status, func.count())
                .where(AtomicUnit.masterplan_id == plan_id)
                .group_by(AtomicUnit.status)
            )
        ).all()
        assert dict(statuses) == {AtomStatus.COMPLETED: result.total_atoms}
        waves = list(
            await session.scalars(
                select(ExecutionWave).where(ExecutionWave.masterplan_id == plan_id)
            )
        )
        assert len(waves) == result.waves
        assert all(
            w.status == WaveStatus.COMPLETED and w.completed_count == w.atom_count for w in waves
        )
        plan = await session.get(MasterPlan, plan_id)
        assert plan is not None and plan.status == "completed"
        assert plan.precision_percent == 100.0
        results = list(
            await session.scalars(
                select(ValidationResult).where(ValidationResult.masterplan_id == plan_id)
            )
        )
        by_level: dict[int, set[str]] = {}
        for r in results:
            by_level.setdefault(r.level, set()).add(r.check_name)
        assert {1, 2, 3, 4} <= set(by_level), by_level
        failed = [(r.level, r.check_name, r.violations) for r in results if r.outcome == "failed"]
        assert failed == [], "the reference code passes every level"
        tests_ran = [r for r in results if r.level == 4 and r.check_name == "masterplan.tests"]
        assert tests_ran and tests_ran[0].outcome == "passed", "the plan's pytest ran and passed"

    out = settings.output_root.resolve() / str(plan_id)
    assert (out / "shop/models.py").read_text() == MODELS
    assert (out / "shop/repository.py").read_text() == REPO
    assert (out / "tests/test_repository.py").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == {
        "shop/models.py",
        "shop/repository.py",
        "tests/test_repository.py",
    }

    status = await handle.query(MasterPlanWorkflow.status)
    assert status.status == "completed"
    progress = await handle.query(MasterPlanWorkflow.progress)
    assert progress.waves_done == progress.waves_total == result.waves

    # Findable by search attribute, with one child per wave named after the plan.
    found = [w.id async for w in temporal_client.list_workflows(f'MgeMasterPlanId = "{plan_id}"')]
    assert f"masterplan-{plan_id}" in found
    assert f"masterplan-{plan_id}-wave-0" in found

    # Determinism guard: the recorded histories replay.
    histories = [await handle.fetch_history()]
    child = temporal_client.get_workflow_handle(f"masterplan-{plan_id}-wave-0")
    histories.append(await child.fetch_history())
    replayer = Replayer(workflows=[MasterPlanWorkflow, WaveWorkflow])
    for history in histories:
        await replayer.replay_workflow(history)


async def test_started_from_the_temporal_cli(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    worker: Worker,
) -> None:
    plan_id = await _import(sessions)
    workflow_id = f"masterplan-{plan_id}"
    completed = await temporal_workflow(
        temporal_client,
        "start",
        "--type",
        "MasterPlanWorkflow",
        "--task-queue",
        settings.temporal.task_queue,
        "--workflow-id",
        workflow_id,
        payload={"masterplan_id": str(plan_id)},
    )
    assert completed.returncode == 0, completed.stderr
    result = await temporal_client.get_workflow_handle(workflow_id).result()
    assert result["status"] == "completed"
    assert result["failed_atoms"] == 0


async def test_unknown_plan_fails_fast(
    temporal_client: Client, settings: Settings, worker: Worker
) -> None:
    missing = uuid.uuid4()
    handle = await temporal_client.start_workflow(
        "MasterPlanWorkflow",
        {"masterplan_id": str(missing)},
        id=f"masterplan-{missing}",
        task_queue=settings.temporal.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as info:
        await handle.result()
    cause = info.value.cause
    assert "not found" in str(cause), "the failure names the problem"
    events = [e async for e in handle.fetch_history_events()]
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in events
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert attempts and set(attempts) == {1}, "a missing plan is permanent: no retries"


ORDERS = '''\
from shop.notify import notify


class Order:
    """An order that tells the customer when it is confirmed."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.confirmed = False

    def confirm(self) -> str:
        self.confirmed = True
        return notify(self)
'''

NOTIFY = '''\
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.orders import Order


def notify(order: Order) -> str:
    """A message for the customer of `order`."""
    return f"order {order.number} confirmed"
'''


async def test_a_plan_with_a_dependency_cycle_runs_and_reports_the_cut_edges(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    worker: Worker,
) -> None:
    document = small_plan()
    tasks = document["phases"][0]["milestones"][0]["tasks"]  # type: ignore[index]
    tasks[:] = [
        {"key": "orders", "name": "Orders", "file": "shop/orders.py", "reference": ORDERS},
        {"key": "notify", "name": "Notify", "file": "shop/notify.py", "reference": NOTIFY},
    ]
    plan_id = await services.import_plan(
        sessions, validate_plan_data(document), provider="reference"
    )
    handle = await services.start_run(
        temporal_client, sessions, plan_id, settings.temporal.task_queue
    )
    result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)

    async with sessions() as session:
        graph = await load_graph(session, plan_id)
    assert graph is not None
    assert graph.removed_edges, "the cycle orders -> notify -> orders must be cut"
    for removed in graph.removed_edges:
        assert removed.reason
        # The weak, type-only direction is cut, never the call Order.confirm -> notify.
        assert removed.edge.weight < 0.8, removed
        assert removed.edge.symbol != "notify"
    exported = to_json(graph)
    assert exported["removed_edges"] and len(exported["nodes"]) == result.total_atoms
    out = settings.output_root.resolve() / str(plan_id)
    assert (out / "shop/orders.py").read_text() == ORDERS
    assert (out / "shop/notify.py").read_text() == NOTIFY
