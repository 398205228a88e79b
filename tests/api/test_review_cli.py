"""`mge review` against the real stack: the commands reach the test's PostgreSQL and Temporal
through MGE_DATABASE_URL and MGE_TEMPORAL__ADDRESS, as they reach an external cluster, and
the decisions they send are applied by the waiting run."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from domain.status import AtomStatus, ReviewStatus
from persistence.models import AtomicUnit, HumanReview
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.review_setup import EDITED_MUL, SUB, add_mul_sub_in_review

pytestmark = pytest.mark.workflow


@pytest.fixture
def stack_env(database_url: str, temporal_client: Client, tmp_path: Path) -> dict[str, str]:
    """What points `mge` at a running stack it did not start."""
    return {
        "MGE_DATABASE_URL": database_url,
        "MGE_TEMPORAL__ADDRESS": temporal_client.service_client.config.target_host,
        "MGE_TEMPORAL__NAMESPACE": temporal_client.namespace,
        "MGE_DATA_DIR": str(tmp_path / "cli-data"),
    }


async def mge(env: Mapping[str, str | None], *args: str) -> Result:
    # In a thread: the command runs its own event loop (asyncio.run), while this test's
    # loop keeps the worker going.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def test_list_show_approve_edit_reject(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
    stack_env: dict[str, str],
    tmp_path: Path,
) -> None:
    plan_id, handle = await add_mul_sub_in_review(temporal_client, sessions, review_settings, fake)

    listed = await mge(stack_env, "review", "list", "--plan", str(plan_id), "--json")
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)
    assert [(i["atom"].split(":")[0], i["priority"], i["level"]) for i in items] == [
        ("calc/add.py", 100, "critical"),
        ("calc/mul.py", 50, "medium"),
        ("calc/sub.py", 25, "high"),
    ]
    assert {i["status"] for i in items} == {"pending"}
    ids = {
        i["atom"].split(":")[0].removeprefix("calc/").removesuffix(".py"): i["id"] for i in items
    }
    by_confidence = await mge(
        stack_env, "review", "list", "--plan", str(plan_id), "--sort", "confidence", "--json"
    )
    assert [i["id"] for i in json.loads(by_confidence.stdout)] == [
        ids["add"],
        ids["mul"],
        ids["sub"],
    ]
    table = await mge(stack_env, "review", "list", "--plan", str(plan_id))
    assert table.exit_code == 0 and "critical" in table.stdout and "medium" in table.stdout

    shown = await mge(stack_env, "review", "show", ids["mul"])
    assert shown.exit_code == 0, shown.output
    assert "calc/mul.py:mul#" in shown.stdout and "pending" in shown.stdout
    assert "needed 2 of 3 attempts" in shown.stdout
    assert "return a * b" in shown.stdout, "the atom's code"

    approved = await mge(stack_env, "review", "approve", ids["add"], "--reviewer", "ada")
    assert approved.exit_code == 0, approved.output
    assert f"approve sent for review {ids['add']}" in approved.stdout
    code_file = tmp_path / "mul.py"
    code_file.write_text(EDITED_MUL, encoding="utf-8")
    edited = await mge(stack_env, "review", "edit", ids["mul"], "--code", str(code_file))
    assert edited.exit_code == 0, edited.output
    rejected = await mge(
        stack_env, "review", "reject", ids["sub"], "--feedback", "not needed", "--reviewer", "bo"
    )
    assert rejected.exit_code == 0, rejected.output

    result = await handle.result()
    assert result.status == "completed"
    async with sessions() as session:
        reviews = {
            str(r.id): r
            for r in await session.scalars(
                select(HumanReview).where(HumanReview.masterplan_id == plan_id)
            )
        }
        atoms = {
            a.name: a
            for a in await session.scalars(
                select(AtomicUnit).where(AtomicUnit.masterplan_id == plan_id)
            )
        }
    assert (reviews[ids["add"]].status, reviews[ids["add"]].reviewer) == (
        ReviewStatus.APPROVED,
        "ada",
    )
    assert (reviews[ids["mul"]].status, reviews[ids["mul"]].reviewer) == (
        ReviewStatus.EDITED,
        "cli",
    )
    assert (reviews[ids["sub"]].status, reviews[ids["sub"]].feedback) == (
        ReviewStatus.REJECTED,
        "not needed",
    )
    assert (atoms["mul"].status, atoms["mul"].generated_code) == (AtomStatus.APPROVED, EDITED_MUL)
    assert atoms["sub"].status == AtomStatus.REJECTED
    out = review_settings.output_root.resolve() / str(plan_id)
    assert (out / "calc/sub.py").read_text() == SUB, "the rejected code is not shipped"

    decided = await mge(stack_env, "review", "list", "--plan", str(plan_id), "--json")
    assert json.loads(decided.stdout) == [], "pending only, by default"
    every = await mge(
        stack_env, "review", "list", "--plan", str(plan_id), "--status", "rejected", "--json"
    )
    assert [i["id"] for i in json.loads(every.stdout)] == [ids["sub"]]

    # Refusals: exit 1 for a decision the review cannot take, 2 for bad input; one line why.
    again = await mge(stack_env, "review", "approve", ids["add"])
    assert again.exit_code == 1 and "not pending" in again.output
    unknown = await mge(stack_env, "review", "show", str(uuid.uuid4()))
    assert unknown.exit_code == 2 and "not found" in unknown.output
    bad_sort = await mge(stack_env, "review", "list", "--sort", "random")
    assert bad_sort.exit_code == 2 and "--sort must be" in bad_sort.output
    bad_status = await mge(stack_env, "review", "list", "--status", "lost")
    assert bad_status.exit_code == 2 and "--status must be one of" in bad_status.output
    no_file = await mge(stack_env, "review", "edit", ids["mul"], "--code", str(tmp_path / "no.py"))
    assert no_file.exit_code == 2 and "--code" in no_file.output
    for result_ in (again, unknown, bad_sort, bad_status, no_file):
        assert "Traceback" not in result_.output


async def test_without_a_running_stack_it_says_so(tmp_path: Path) -> None:
    env: dict[str, str | None] = {
        "MGE_DATABASE_URL": None,  # unset
        "MGE_TEMPORAL__ADDRESS": None,
        "MGE_DATA_DIR": str(tmp_path / "empty"),
    }
    result = await mge(env, "review", "list")
    assert result.exit_code == 1
    assert "no running MGE stack" in result.output and "start `mge dev`" in result.output
