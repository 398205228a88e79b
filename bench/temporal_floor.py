"""Temporal's own floor for a wave schedule on this machine.

The same shape as a run's generation (a parent, one child workflow per wave, one activity per
atom, all of a wave at once), but every activity only sleeps the LLM latency: no database, no
model client, no validation. Its wall time over `waves x L` is what Temporal alone costs here,
so a run's overhead splits into Temporal's share and MGE's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import PollerBehaviorAutoscaling, Worker

TASK_QUEUE = "mge-bench-floor"


@dataclass(frozen=True)
class FloorWave:
    atoms: int
    latency_s: float


@dataclass(frozen=True)
class FloorPlan:
    waves: list[int]
    latency_s: float


@activity.defn(name="floor_atom")
async def floor_atom(latency_s: float) -> None:
    await asyncio.sleep(latency_s)


@workflow.defn(name="FloorWaveWorkflow")
class FloorWaveWorkflow:
    @workflow.run
    async def run(self, wave: FloorWave) -> None:
        await asyncio.gather(
            *(
                workflow.execute_activity(
                    floor_atom, wave.latency_s, start_to_close_timeout=timedelta(minutes=5)
                )
                for _ in range(wave.atoms)
            )
        )


@workflow.defn(name="FloorPlanWorkflow")
class FloorPlanWorkflow:
    @workflow.run
    async def run(self, plan: FloorPlan) -> None:
        for number, atoms in enumerate(plan.waves):
            await workflow.execute_child_workflow(
                FloorWaveWorkflow.run,
                FloorWave(atoms, plan.latency_s),
                id=f"{workflow.info().workflow_id}-wave-{number}",
            )


async def measure_floor(
    client: Client, waves: list[int], latency_s: float, max_parallel: int
) -> float:
    """Wall seconds of the wave schedule with sleeping activities, on its own task queue."""
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[FloorPlanWorkflow, FloorWaveWorkflow],
        activities=[floor_atom],
        max_concurrent_activities=max_parallel,
        activity_task_poller_behavior=PollerBehaviorAutoscaling(maximum=min(100, max_parallel)),
    ):
        started = time.perf_counter()
        await client.execute_workflow(
            FloorPlanWorkflow.run,
            FloorPlan(waves, latency_s),
            id=f"floor-{uuid.uuid4()}",
            task_queue=TASK_QUEUE,
        )
        return time.perf_counter() - started
