"""Runs that wait for review, for the tests of the review step, the review API, the `mge
review` commands and the review page. The fixtures these tests share (the fake server, the
review settings and the worker) are in the conftests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle

from api.settings import Settings
from persistence.models import HumanReview
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.llm_stack import ADD, BROKEN_ADD, BROKEN_MUL, MUL, run_plan
from workflows.masterplan import MasterPlanWorkflow

EDITED_MUL = MUL.replace("return a * b", "return b * a")
SUB = 'def sub(a: int, b: int) -> int:\n    """Difference of a and b."""\n    return a - b\n'
GENERATED_SUB = SUB.replace("return a - b", "return a + -b")


async def open_reviews(handle: WorkflowHandle, count: int) -> list[str]:  # type: ignore[type-arg]
    for _ in range(600):
        pending: list[str] = await handle.query(MasterPlanWorkflow.pending_reviews)
        if len(pending) >= count:
            return pending
        await asyncio.sleep(0.05)
    raise AssertionError("the run never asked for review")


async def review_row(sessions: async_sessionmaker[AsyncSession], review_id: str) -> HumanReview:
    async with sessions() as session:
        review = await session.get(HumanReview, uuid.UUID(review_id))
    assert review is not None
    return review


async def add_mul_sub_in_review(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    fake: FakeAnthropicServer,
    *more: tuple[str, str, Sequence[str]],
) -> tuple[uuid.UUID, WorkflowHandle]:  # type: ignore[type-arg]
    """A run of add, mul, sub and `more` (name, spec, the fake's answers) once it waits for
    a review of each: add failed all three attempts (critical), mul needed two (medium), sub
    passed at once (high); under a review threshold of 0.95 all of them are reviewed."""
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    fake.script(BROKEN_MUL, MUL, marker="def mul(")
    fake.script(GENERATED_SUB, marker="def sub(")
    for name, _, answers in more:
        fake.script(*answers, marker=f"def {name}(")
    plan_id, handle = await run_plan(
        client,
        sessions,
        settings,
        ("add", ADD),
        ("mul", MUL),
        ("sub", SUB),
        *((name, spec) for name, spec, _ in more),
    )
    await open_reviews(handle, 3 + len(more))
    return plan_id, handle


async def add_in_review(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    fake: FakeAnthropicServer,
) -> tuple[uuid.UUID, WorkflowHandle, str]:  # type: ignore[type-arg]
    """A run of add alone once it waits for the review of add, whose three attempts all
    failed (critical); and that review's id."""
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    plan_id, handle = await run_plan(client, sessions, settings, ("add", ADD))
    (review_id,) = await open_reviews(handle, 1)
    return plan_id, handle, review_id
