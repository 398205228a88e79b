"""Human review as a durable, signal-awaiting step of MasterPlanWorkflow."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.contracts import REVIEW_DECISION_SIGNAL, ReviewDecision
from api import review_service
from api.settings import Settings
from domain.status import AtomStatus, ReviewStatus
from persistence.atoms import plan_cost
from persistence.models import AtomicUnit, HumanReview
from persistence.output import project_files
from tests.fakes.anthropic_server import FakeAnthropicServer, FakeReply, approx_tokens
from tests.llm_stack import ADD, BROKEN_ADD, MUL, assert_replays, make_worker, run_plan, with_review
from tests.review_setup import add_in_review, open_reviews, review_row
from tests.rows import atom_named, history_of
from tests.temporal_cli import signal_review_decision
from workflows import search_attributes
from workflows.masterplan import MasterPlanWorkflow

pytestmark = pytest.mark.workflow

FIXED_ADD = ADD.replace("return a + b", "return b + a")
UNRESOLVED_ADD = ADD.replace("return a + b", "return a + b + offset")
EVAL_ADD = ADD.replace("return a + b", 'return eval(f"{a} + {b}")')


async def decision_applied(
    sessions: async_sessionmaker[AsyncSession], review_id: str, text: str
) -> HumanReview:
    """The review once the workflow has applied a decision whose message says `text`."""
    for _ in range(400):
        review = await review_row(sessions, review_id)
        if text in (review.message or ""):
            return review
        await asyncio.sleep(0.05)
    raise AssertionError(f"no decision saying {text!r}: {review.message!r}")


async def test_failed_atom_waits_for_approval_and_stale_decisions_are_ignored(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    fake.script(MUL, marker="def mul(")
    plan_id, handle = await run_plan(
        temporal_client, sessions, review_settings, ("add", ADD), ("mul", MUL)
    )
    (review_id,) = await open_reviews(handle, 1)
    status = await handle.query(MasterPlanWorkflow.status)
    assert status.status == "reviewing"
    review = await review_row(sessions, review_id)
    assert (review.level, review.priority) == ("critical", 100)
    assert any("failed" in r for r in review.reasons)
    found = [
        w.id
        async for w in temporal_client.list_workflows(
            f'MgeMasterPlanId = "{plan_id}" AND MgePendingReviews = 1'
        )
    ]
    assert handle.id in found

    # Approve, then (already decided) reject and a decision for an unknown review: ignored.
    state = SimpleNamespace(sessions=sessions, client=temporal_client)
    await review_service.decide(state, review_id, "approve", "ada")
    await handle.signal(REVIEW_DECISION_SIGNAL, ReviewDecision(review_id, "reject", "bob"))
    await handle.signal(REVIEW_DECISION_SIGNAL, ReviewDecision(str(uuid.uuid4()), "approve"))
    result = await handle.result()
    assert result.status == "completed"
    review = await review_row(sessions, review_id)
    assert (review.status, review.reviewer, review.action) == (
        ReviewStatus.APPROVED,
        "ada",
        "approve",
    )
    atom = await atom_named(sessions, plan_id, "add")
    assert atom.status == AtomStatus.APPROVED
    with pytest.raises(Exception, match="not pending"):
        await review_service.decide(state, review_id, "reject", "bob")
    await assert_replays(temporal_client, handle, plan_id)


async def test_edit_is_revalidated_before_it_is_accepted(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    plan_id, handle, review_id = await add_in_review(
        temporal_client, sessions, review_settings, fake
    )
    state = SimpleNamespace(sessions=sessions, client=temporal_client)

    queued = await review_row(sessions, review_id)
    assert (queued.level, queued.priority) == ("critical", 100)

    # Each edit gets the level-1 check of a generated attempt, and a refusal names the problem.
    await review_service.decide(state, review_id, "edit", "ada", code=BROKEN_ADD)
    review = await decision_applied(sessions, review_id, "does not parse")
    assert "[syntax] line 1" in (review.message or "")
    assert review.status == ReviewStatus.PENDING
    assert await handle.query(MasterPlanWorkflow.pending_reviews) == [review_id]

    await review_service.decide(state, review_id, "edit", "ada", code=UNRESOLVED_ADD)
    review = await decision_applied(sessions, review_id, "undefined name `offset`")
    assert (review.message or "").startswith("edit refused, it fails level 1: [names] line 3")
    assert review.status == ReviewStatus.PENDING

    await review_service.decide(state, review_id, "edit", "ada", code=EVAL_ADD)
    review = await decision_applied(sessions, review_id, "eval")
    assert "[dangerous] line 3: eval: `eval()` runs code built at run time" in (
        review.message or ""
    )
    assert review.status == ReviewStatus.PENDING
    atom = await atom_named(sessions, plan_id, "add")
    assert (atom.status, atom.generated_code) == (AtomStatus.FAILED, None), "nothing accepted"
    assert await handle.query(MasterPlanWorkflow.pending_reviews) == [review_id]

    await review_service.decide(state, review_id, "edit", "ada", code=FIXED_ADD)
    result = await handle.result()
    assert result.status == "completed"
    atom = await atom_named(sessions, plan_id, "add")
    assert (atom.status, atom.generated_code) == (AtomStatus.APPROVED, FIXED_ADD)
    # Re-scored on the edited code: level 1 passed (the type check and the tests ran on the
    # old code, so they count as not run), and the three attempts it took still count.
    # 0.4 * 4/5 checks + 0.3 * 0 (3 of 3 attempts) + 0.2 * 1 (small, simple) + 0.1 * 0 (no tests)
    assert (atom.confidence, atom.confidence_level) == (0.52, "low")
    assert any("1 not run (atom.types)" in r for r in atom.confidence_reasons)
    assert any("needed 3 of 3 attempts" in r for r in atom.confidence_reasons)
    review = await review_row(sessions, review_id)
    assert (review.status, review.confidence, review.level, review.priority) == (
        ReviewStatus.EDITED,
        0.52,
        "low",
        75,
    )
    assert review.message == "edited: level 1 passed, confidence now 0.52 (low)"
    history = await handle.fetch_history()
    assert "return b + a" not in str(history), "edited code stays out of the workflow history"
    out = review_settings.output_root.resolve() / str(plan_id)
    assert (out / "calc/add.py").read_text() == FIXED_ADD


async def test_regenerate_from_the_temporal_cli_restarts_the_schedule(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, FIXED_ADD, marker="def add(")
    plan_id, handle = await run_plan(temporal_client, sessions, review_settings, ("add", ADD))
    (review_id,) = await open_reviews(handle, 1)
    decision = {
        "review_id": review_id,
        "action": "regenerate",
        "feedback": "mind the colon after the signature",
        "reviewer": "cli",
    }
    signal = await signal_review_decision(temporal_client, handle.id, decision)
    assert signal.returncode == 0, signal.stderr
    result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)

    atom = await atom_named(sessions, plan_id, "add")
    assert (atom.status, atom.generated_code, atom.generation_round) == (
        AtomStatus.COMPLETED,
        FIXED_ADD,
        1,
    )
    regenerated = fake.requests_with("def add(")[-1]
    assert regenerated.temperature == 0.7, "a new round starts the schedule again"
    assert "mind the colon after the signature" in regenerated.prompt
    review = await review_row(sessions, review_id)
    assert review.status == ReviewStatus.REGENERATED
    out = review_settings.output_root.resolve() / str(plan_id)
    assert (out / "calc/add.py").read_text() == FIXED_ADD
    await assert_replays(temporal_client, handle, plan_id)


async def test_rejected_code_stays_out_of_the_output(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    # A second attempt scores 0.75: under this threshold, so the generated code is reviewed.
    settings = with_review(review_settings, threshold=0.8)
    fake.script(BROKEN_ADD, FIXED_ADD, marker="def add(")
    fake.script(MUL, marker="def mul(")
    async with make_worker(temporal_client, settings, sessions, fake):
        plan_id, handle = await run_plan(
            temporal_client, sessions, settings, ("add", ADD), ("mul", MUL)
        )
        (review_id,) = await open_reviews(handle, 1)
        atom = await atom_named(sessions, plan_id, "add")
        assert (atom.status, atom.generated_code) == (AtomStatus.COMPLETED, FIXED_ADD)
        state = SimpleNamespace(sessions=sessions, client=temporal_client)
        await review_service.decide(state, review_id, "reject", "ada", feedback="not this")
        result = await handle.result()
    assert result.status == "completed"
    review = await review_row(sessions, review_id)
    assert (review.status, review.feedback) == (ReviewStatus.REJECTED, "not this")
    atom = await atom_named(sessions, plan_id, "add")
    # The rejected code is kept on the atom for the record, and never shipped.
    assert (atom.status, atom.generated_code) == (AtomStatus.REJECTED, FIXED_ADD)
    out = settings.output_root.resolve() / str(plan_id)
    assert (out / "calc/add.py").read_text() == ADD, "a rejected atom ships its spec"
    assert "return b + a" not in (out / "calc/add.py").read_text()
    assert (out / "calc/mul.py").read_text() == MUL
    async with sessions() as session:
        files = {f.path: f.content for f in await project_files(session, plan_id)}
    assert files["calc/add.py"] == ADD, "exports and downloads assemble the same files"


async def test_review_advice_is_counted_in_the_plan_cost(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    settings = with_review(review_settings, llm_advice=True)
    advice = FakeReply.answer("- the signature lacks its colon after the return annotation")
    fake.script(advice, marker="You review one small piece")
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, FakeReply.code(FIXED_ADD), marker="def add(")
    async with make_worker(temporal_client, settings, sessions, fake):
        plan_id, handle = await run_plan(temporal_client, sessions, settings, ("add", ADD))
        (review_id,) = await open_reviews(handle, 1)
        assert len(fake.requests_with("You review one small piece")) == 1
        atom = await atom_named(sessions, plan_id, "add")
        failed = await history_of(sessions, atom.id)
        assert atom.status == AtomStatus.FAILED and len(failed) == 3
        # No attempt succeeded: what the atom itself carries is the advice call, and the
        # plan's cost adds it to the three failed attempts of the retry history.
        advice_tokens = approx_tokens(advice.text or "")
        assert atom.output_tokens == advice_tokens > 0
        assert atom.input_tokens > 0 and atom.cost_usd > 0
        async with sessions() as session:
            cost, tokens_in, tokens_out = await plan_cost(session, plan_id)
        assert cost == atom.cost_usd + sum(h.cost_usd for h in failed)
        assert tokens_out == advice_tokens + sum(h.output_tokens for h in failed)
        assert tokens_in == atom.input_tokens + sum(h.input_tokens for h in failed)

        state = SimpleNamespace(sessions=sessions, client=temporal_client)
        await review_service.decide(state, review_id, "regenerate", "ada", feedback="colon")
        result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)
    # One advice call for the review: the regeneration asked for none.
    assert len(fake.requests_with("You review one small piece")) == 1
    async with sessions() as session:
        cost_after, _, _ = await plan_cost(session, plan_id)
    assert result.cost_usd == pytest.approx(float(cost_after)), "the run reports the plan cost"


@pytest.fixture
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    import sys
    from pathlib import Path

    server = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(server))
    # The Java test server knows no custom search attributes until told.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type)
                for key in search_attributes.ALL
            },
        )
    )
    yield env
    await env.shutdown()


@pytest.mark.parametrize("policy", ["accept", "fail"])
async def test_review_deadline_applies_its_policy(
    policy: str,
    skipping_env: WorkflowEnvironment,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    settings = with_review(review_settings, timeout_s=24 * 3600.0, deadline_policy=policy)
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    client = skipping_env.client
    async with make_worker(client, settings, sessions, fake):
        plan_id, handle = await run_plan(client, sessions, settings, ("add", ADD))
        if policy == "accept":
            result = await handle.result()  # a day of waiting, skipped
            assert result.status == "completed"
            assert "review deadline passed" in (result.reason or "")
        else:
            with pytest.raises(WorkflowFailureError) as info:
                await handle.result()
            assert "review deadline passed" in str(info.value.cause)
    async with sessions() as session:
        reviews = list(
            await session.scalars(select(HumanReview).where(HumanReview.masterplan_id == plan_id))
        )
        atom = await session.scalar(select(AtomicUnit).where(AtomicUnit.masterplan_id == plan_id))
    assert atom is not None
    if policy == "accept":
        assert [r.status for r in reviews] == [ReviewStatus.EXPIRED]
        assert atom.status == AtomStatus.FAILED, "accepted as it is, and still marked"
    else:
        assert [r.status for r in reviews] == [ReviewStatus.PENDING]


TWICE = '''\
from calc.add import add


def twice(x: int) -> int:
    """x + x, through add."""
    return add(x, x)
'''


async def test_per_wave_review_holds_back_the_waves_that_depend_on_it(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    settings = with_review(review_settings, mode="wave")
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    fake.script(TWICE, marker="def twice(")
    async with make_worker(temporal_client, settings, sessions, fake):
        _, handle = await run_plan(
            temporal_client, sessions, settings, ("add", ADD), ("twice", TWICE)
        )
        (review_id,) = await open_reviews(handle, 1)
        await asyncio.sleep(0.5)
        assert fake.requests_with("def twice(") == [], "the dependent wave waits for review"
        state = SimpleNamespace(sessions=sessions, client=temporal_client)
        await review_service.decide(state, review_id, "edit", "ada", code=FIXED_ADD)
        result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)
    assert len(fake.requests_with("def twice(")) == 1
    # The dependent atom was generated with the reviewed code in its prompt.
    assert "return b + a" in fake.requests_with("def twice(")[0].prompt


async def test_reviews_carry_rule_and_model_suggestions(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    settings = with_review(review_settings, llm_advice=True)
    fake.script(
        FakeReply.answer("- the signature lacks its colon"), marker="You review one small piece"
    )
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    async with make_worker(temporal_client, settings, sessions, fake):
        _, handle = await run_plan(temporal_client, sessions, settings, ("add", ADD))
        (review_id,) = await open_reviews(handle, 1)
        review = await review_row(sessions, review_id)
        await handle.cancel()
    rules = [s["rule"] for s in review.suggestions]
    assert "llm" in rules
    advice = next(s for s in review.suggestions if s["rule"] == "llm")
    assert "colon" in advice["message"]
