"""The HTTP API over the real stack (PostgreSQL, Temporal, a worker), in-process via ASGI."""

from __future__ import annotations

import asyncio
import io
import shutil
import tarfile
from collections.abc import AsyncIterator

import httpx
import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from api.settings import Settings
from persistence.models import MasterPlan
from tests.llm_stack import api_client
from tests.plans import MODELS, small_plan

pytestmark = pytest.mark.workflow


@pytest.fixture
async def http(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], temporal_client: Client
) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(settings, sessions, temporal_client) as client:
        yield client


async def _plan_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(MasterPlan)) or 0)


async def test_import_run_and_download(
    http: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], worker: Worker
) -> None:
    created = await http.post(
        "/api/v2/masterplans", params={"provider": "reference"}, json=small_plan()
    )
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]

    started = await http.post(f"/api/v2/masterplans/{plan_id}/run")
    assert started.status_code == 202
    assert started.json()["workflow_id"] == f"masterplan-{plan_id}"
    again = await http.post(f"/api/v2/masterplans/{plan_id}/run")
    assert again.status_code == 409, "a running plan cannot be started twice"

    for _ in range(300):
        body = (await http.get(f"/api/v2/masterplans/{plan_id}")).json()
        if body["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.1)
    assert body["status"] == "completed"
    assert body["done"] == body["total_atoms"] > 0

    graph = (await http.get(f"/api/v2/masterplans/{plan_id}/graph")).json()
    assert len(graph["nodes"]) == body["total_atoms"]
    assert len(graph["waves"]) == body["total_waves"] >= 2
    mermaid = await http.get(f"/api/v2/masterplans/{plan_id}/graph", params={"format": "mermaid"})
    assert mermaid.status_code == 200 and mermaid.text.startswith(("graph", "flowchart"))
    dot = await http.get(f"/api/v2/masterplans/{plan_id}/graph", params={"format": "dot"})
    assert "digraph" in dot.text
    svg = await http.get(f"/api/v2/masterplans/{plan_id}/graph", params={"format": "svg"})
    if shutil.which("dot"):
        assert svg.status_code == 200 and b"<svg" in svg.content
    else:
        assert svg.status_code == 501 and "Graphviz" in svg.json()["detail"]
    done = await http.post(f"/api/v2/masterplans/{plan_id}/cancel")
    assert done.status_code == 409, "a finished plan cannot be cancelled"

    archive = await http.get(f"/api/v2/masterplans/{plan_id}/download")
    assert archive.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(archive.content)) as tar:
        member = tar.extractfile("shop/shop/models.py")
        assert member is not None and member.read().decode() == MODELS


async def test_yaml_body_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/v2/masterplans",
        content=yaml.safe_dump(small_plan()),
        headers={"content-type": "application/yaml"},
    )
    assert response.status_code == 201, response.text


async def test_invalid_plan_is_422_with_the_field_and_nothing_written(
    http: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    plan = small_plan()
    plan["language"] = "cobol"
    response = await http.post("/api/v2/masterplans", json=plan)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == "language"
    broken = await http.post(
        "/api/v2/masterplans", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert await _plan_count(sessions) == 0


async def test_unknown_ids_are_404(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v2/masterplans/not-a-uuid")).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert (await http.get(f"/api/v2/masterplans/{missing}")).status_code == 404
    assert (await http.post(f"/api/v2/masterplans/{missing}/run")).status_code == 404
