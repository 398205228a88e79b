"""Cancelling a running plan through the HTTP API, on the real stack: the worker generates with
the real anthropic SDK against the fake Messages server, slow enough that the plan is still
generating when the cancel arrives."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import CancelledError

from api.settings import Settings
from domain.status import AtomStatus, WaveStatus
from persistence.models import AtomicUnit, ExecutionWave
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.llm_stack import api_client, make_worker, many_functions, stack_settings
from tests.plans import single_milestone_plan

pytestmark = pytest.mark.workflow


@pytest.fixture
def fake() -> Iterator[FakeAnthropicServer]:
    # Nothing finishes on its own during the test.
    with FakeAnthropicServer(latency_s=30.0) as server:
        yield server


@pytest.fixture
def cancel_settings(settings: Settings) -> Settings:
    return stack_settings(settings, review={"mode": "off"}, max_parallel_atoms=3)


async def test_a_running_plan_is_cancelled_through_the_api(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    cancel_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    async with (
        api_client(cancel_settings, sessions, temporal_client) as http,
        make_worker(temporal_client, cancel_settings, sessions, fake),
    ):
        created = await http.post(
            "/api/v2/masterplans",
            params={"provider": "anthropic"},
            json=single_milestone_plan("calc", *many_functions(6)),
        )
        assert created.status_code == 201, created.text
        plan_id = created.json()["id"]
        started = await http.post(f"/api/v2/masterplans/{plan_id}/run")
        assert started.status_code == 202, started.text

        for _ in range(300):
            if fake.in_flight >= 3:
                break
            await asyncio.sleep(0.05)
        assert fake.in_flight == 3, "three atoms are being generated"
        body = (await http.get(f"/api/v2/masterplans/{plan_id}")).json()
        assert (body["status"], body["running"]) == ("generating", 3)

        cancelled = await http.post(f"/api/v2/masterplans/{plan_id}/cancel")
        assert (cancelled.status_code, cancelled.json()) == (202, {"status": "cancelling"})
        handle = temporal_client.get_workflow_handle(started.json()["workflow_id"])
        with pytest.raises(WorkflowFailureError) as info:
            await handle.result()
        assert isinstance(info.value.cause, CancelledError)

        body = (await http.get(f"/api/v2/masterplans/{plan_id}")).json()
        assert body["status"] == "cancelled"
        assert body["atoms_by_status"] == {"cancelled": 6}
        assert (body["done"], body["running"]) == (0, 0)
        again = await http.post(f"/api/v2/masterplans/{plan_id}/cancel")
        assert again.status_code == 409, "a cancelled plan cannot be cancelled again"

    assert len(fake.requests) == 3, "no atom was started after the cancellation"
    async with sessions() as session:
        key = uuid.UUID(plan_id)
        statuses = set(
            await session.scalars(select(AtomicUnit.status).where(AtomicUnit.masterplan_id == key))
        )
        waves = list(
            await session.scalars(select(ExecutionWave).where(ExecutionWave.masterplan_id == key))
        )
    assert statuses == {AtomStatus.CANCELLED}
    assert waves and all(
        w.status == WaveStatus.CANCELLED and w.finished_at is not None for w in waves
    )
