"""Generation through the real anthropic SDK, over HTTP, against the fake Messages server:
retries wired to the temperature schedule, feedback between attempts, rate limits that use no
quality attempt, permanent errors that fail fast, and a worker restarted mid-wave."""

from __future__ import annotations

import asyncio
import itertools
import textwrap
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import CancelledError
from temporalio.worker import Worker

from activities.contracts import REVIEW_DECISION_SIGNAL, ReviewDecision
from api import services
from api.settings import Settings
from domain.plan import validate_plan_data
from domain.status import AtomStatus, ErrorCategory, WaveStatus
from persistence.models import AtomicUnit, MasterPlan
from tests.fakes.anthropic_server import FakeAnthropicServer, FakeReply, break_syntax_on_attempt
from tests.llm_stack import (
    ADD,
    BROKEN_ADD,
    MUL,
    assert_replays,
    make_worker,
    many_functions,
    plan_document,
    run_plan,
    with_review,
)
from tests.review_setup import open_reviews
from tests.rows import atom_named, history_of, waves_of

pytestmark = pytest.mark.workflow


@pytest.fixture
async def llm_worker(
    temporal_client: Client,
    llm_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    fake: FakeAnthropicServer,
) -> AsyncIterator[Worker]:
    async with make_worker(temporal_client, llm_settings, sessions, fake) as worker:
        yield worker


async def test_success_on_the_first_attempt(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.script(ADD, marker="def add(")
    fake.script(MUL, marker="def mul(")
    plan_id, handle = await run_plan(
        temporal_client, sessions, llm_settings, ("add", ADD), ("mul", MUL)
    )
    result = await handle.result()
    assert (result.status, result.completed_atoms, result.failed_atoms) == ("completed", 2, 0)

    atom = await atom_named(sessions, plan_id, "add")
    assert atom.generated_code == ADD
    assert (atom.status, atom.attempts, atom.temperature) == (AtomStatus.COMPLETED, 1, 0.7)
    assert atom.output_tokens > 0 and atom.cost_usd > 0
    requests = fake.requests
    assert len(requests) == 2
    assert {r.temperature for r in requests} == {0.7}
    # The plan context is one cacheable system block shared by both atoms.
    assert requests[0].system == requests[1].system
    cached = (await atom_named(sessions, plan_id, "mul")).cache_read_tokens + atom.cache_read_tokens
    assert cached > 0, "the second call reads the cached plan context"
    async with sessions() as session:
        plan = await session.get(MasterPlan, plan_id)
    assert (
        plan is not None
        and plan.cost_usd == atom.cost_usd + (await atom_named(sessions, plan_id, "mul")).cost_usd
    )
    assert "sk-ant-test-key" not in str(await handle.fetch_history())
    await assert_replays(temporal_client, handle, plan_id)


async def test_syntax_error_then_fix_cools_down_and_feeds_back(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.script(BROKEN_ADD, ADD, marker="def add(")
    plan_id, handle = await run_plan(temporal_client, sessions, llm_settings, ("add", ADD))
    result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)

    atom = await atom_named(sessions, plan_id, "add")
    assert (atom.status, atom.attempts, atom.temperature) == (AtomStatus.COMPLETED, 2, 0.5)
    (first,) = await history_of(sessions, atom.id)
    assert (first.attempt, first.error_category, first.temperature) == (
        1,
        ErrorCategory.SYNTAX,
        0.7,
    )
    assert first.generated_code is not None and "-> int\n" in first.generated_code
    requests = fake.requests
    assert [r.temperature for r in requests] == [0.7, 0.5]
    assert first.feedback_prompt in requests[1].prompt
    assert "syntax" in first.feedback_prompt and "line 1" in first.feedback_prompt
    await assert_replays(temporal_client, handle, plan_id)


async def test_three_failures_leave_the_atom_failed_and_the_plan_completes(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.script(BROKEN_ADD, BROKEN_ADD, BROKEN_ADD, marker="def add(")
    fake.script(MUL, marker="def mul(")
    plan_id, handle = await run_plan(
        temporal_client, sessions, llm_settings, ("add", ADD), ("mul", MUL)
    )
    result = await handle.result()
    assert (result.status, result.completed_atoms, result.failed_atoms) == ("completed", 1, 1)
    assert "1 atom(s) failed" in (result.reason or "")

    atom = await atom_named(sessions, plan_id, "add")
    assert atom.status == AtomStatus.FAILED and atom.generated_code is None
    rows = await history_of(sessions, atom.id)
    assert [(r.attempt, r.temperature) for r in rows] == [(1, 0.7), (2, 0.5), (3, 0.3)]
    assert all(r.error_category == ErrorCategory.SYNTAX for r in rows)
    assert len(fake.requests_with("def add(")) == 3
    # The last prompt carries both earlier failures.
    last_prompt = fake.requests_with("def add(")[-1].prompt
    assert rows[0].feedback_prompt in last_prompt and rows[1].feedback_prompt in last_prompt
    await assert_replays(temporal_client, handle, plan_id)


async def test_rate_limits_use_no_quality_attempt(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    # 429 twice and a 529, each asking for a wait far longer than the retry backoff of these
    # tests (0.1 s); then the model breaks the syntax twice and gets it right the third time.
    waits = [1.0, 1.0, 0.5]
    fake.script(
        FakeReply.rate_limited(retry_after=waits[0]),
        FakeReply.rate_limited(retry_after=waits[1]),
        FakeReply.overloaded(retry_after=waits[2]),
        marker="def add(",
    )
    fake.set_default(break_syntax_on_attempt(1, 2, marker="def add("))
    plan_id, handle = await run_plan(temporal_client, sessions, llm_settings, ("add", ADD))
    result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)

    atom = await atom_named(sessions, plan_id, "add")
    # Three provider refusals, then the three quality attempts all still available.
    assert (atom.status, atom.attempts, atom.temperature) == (AtomStatus.COMPLETED, 3, 0.3)
    assert atom.generated_code == ADD and atom.generated_attempt == 6
    rows = await history_of(sessions, atom.id)
    assert [r.error_category for r in rows] == [
        ErrorCategory.RATE_LIMITED,
        ErrorCategory.RATE_LIMITED,
        ErrorCategory.RATE_LIMITED,
        ErrorCategory.SYNTAX,
        ErrorCategory.SYNTAX,
    ]
    requests = fake.requests_with("def add(")
    assert [r.answered_by for r in requests] == ["marker:def add("] * 3 + ["default"] * 3
    assert [r.temperature for r in requests] == [0.7, 0.7, 0.7, 0.7, 0.5, 0.3]
    # retry-after honoured: each retry came no sooner than the refusal before it asked.
    gaps = [
        later.received_at - earlier.received_at for earlier, later in itertools.pairwise(requests)
    ]
    for gap, wait in zip(gaps, waits, strict=False):
        assert gap >= wait, (gaps, waits)
    await assert_replays(temporal_client, handle, plan_id)


async def test_bad_credentials_fail_fast(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.script(FakeReply.error(401), marker="def add(")
    fake.script(MUL, marker="def mul(")
    plan_id, handle = await run_plan(
        temporal_client, sessions, llm_settings, ("add", ADD), ("mul", MUL)
    )
    result = await handle.result()
    assert (result.status, result.completed_atoms, result.failed_atoms) == ("completed", 1, 1)
    assert len(fake.requests_with("def add(")) == 1, "401 is permanent: no retry"
    atom = await atom_named(sessions, plan_id, "add")
    assert atom.status == AtomStatus.FAILED
    assert "authentication" in (atom.last_error or "").lower()
    await assert_replays(temporal_client, handle, plan_id)


LATER = textwrap.dedent(
    '''\
    from calc.f00 import f00


    def later(x: int) -> int:
        """f00, once more."""
        return f00(x)
    '''
)


async def test_worker_restarted_mid_wave_loses_and_repeats_nothing(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    fake.latency_s = 0.6
    tasks = many_functions(12)
    first = make_worker(temporal_client, llm_settings, sessions, fake)
    await first.__aenter__()
    plan_id, handle = await run_plan(temporal_client, sessions, llm_settings, *tasks)

    async def completed() -> set[str]:
        async with sessions() as session:
            rows = await session.scalars(
                select(AtomicUnit.name).where(
                    AtomicUnit.masterplan_id == plan_id,
                    AtomicUnit.status == AtomStatus.COMPLETED,
                )
            )
            return {str(n) for n in rows}

    for _ in range(200):
        done_before = await completed()
        if len(done_before) >= 4:
            break
        await asyncio.sleep(0.05)
    assert 4 <= len(done_before) < len(tasks), "stop the worker with the wave half done"
    await first.__aexit__(None, None, None)  # in-flight attempts die with it
    done_before = await completed()

    async with make_worker(temporal_client, llm_settings, sessions, fake):
        result = await handle.result()
    assert (result.status, result.completed_atoms, result.failed_atoms) == ("completed", 12, 0)
    lost = 0
    for key, code in tasks:
        atom = await atom_named(sessions, plan_id, key)
        assert atom.generated_code == code, key
        asked = len(fake.requests_with(f"def {key}("))
        if key in done_before:
            assert asked == 1, f"{key} was generated before the restart and must not be again"
        else:
            assert asked <= 2, f"{key} asked {asked} times"
        # Every attempt before the one that generated the atom died with the first worker;
        # the attempt after it wrote the row the lost one could not.
        rows = await history_of(sessions, atom.id)
        assert atom.generated_attempt is not None
        earlier = list(range(1, atom.generated_attempt))
        assert [r.attempt for r in rows] == earlier, key
        schedule = [0.7, 0.5, 0.3]
        for row in rows:
            assert row.error_category == ErrorCategory.TIMEOUT
            assert row.temperature == schedule[row.attempt - 1]
            assert "lost to a timeout or a dead worker" in row.error_message
            assert row.cost_usd == 0 and row.generated_code is None
        if rows:
            lost += 1
            assert (atom.attempts, atom.temperature) == (len(rows) + 1, schedule[len(rows)])
            # The model heard about it, too.
            last_prompt = fake.requests_with(f"def {key}(")[-1].prompt
            assert rows[-1].feedback_prompt in last_prompt
    assert lost >= 1, "the restart cut at least one attempt short"
    await assert_replays(temporal_client, handle, plan_id)


async def test_budget_stops_new_atoms_and_says_why(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    # A second wave too: `later` uses f00, so it waits for wave 0, where the budget runs out.
    tasks = [*many_functions(6), ("later", LATER)]
    document = plan_document(*tasks)
    document["budget_usd"] = 0.0005  # less than two atoms cost at the estimate
    spec = validate_plan_data(document)
    plan_id = await services.import_plan(sessions, spec, provider="anthropic")
    handle = await services.start_run(
        temporal_client, sessions, plan_id, llm_settings.temporal.task_queue
    )
    result = await handle.result()
    assert result.status == "budget_exceeded"
    assert "budget $0.00" in (result.reason or "")
    async with sessions() as session:
        statuses = list(
            await session.scalars(
                select(AtomicUnit.status).where(AtomicUnit.masterplan_id == plan_id)
            )
        )
        plan = await session.get(MasterPlan, plan_id)
    assert AtomStatus.SKIPPED in statuses, "atoms past the budget are not scheduled"
    assert set(statuses) <= {AtomStatus.COMPLETED, AtomStatus.SKIPPED}
    assert len(fake.requests) == statuses.count(AtomStatus.COMPLETED)
    assert plan is not None and plan.status == "budget_exceeded"
    first, *later = await waves_of(sessions, plan_id)
    assert later, "the plan has a wave after the one the budget cut short"
    # The wave cut short finished (its skipped atoms are settled) with what it reached; the
    # waves it kept from running are closed too.
    assert (first.status, first.completed_count) == (
        WaveStatus.COMPLETED,
        statuses.count(AtomStatus.COMPLETED),
    )
    assert first.completed_count < first.atom_count and first.finished_at is not None
    for wave in later:
        assert (wave.status, wave.completed_count, wave.started_at) == (
            WaveStatus.CANCELLED,
            0,
            None,
        )
        assert wave.finished_at is not None
    await assert_replays(temporal_client, handle, plan_id)


async def test_cancel_stops_activities_and_marks_atoms_cancelled(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    llm_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    fake.latency_s = 30.0  # nothing finishes on its own during the test
    plan_id, handle = await run_plan(temporal_client, sessions, llm_settings, *many_functions(6))
    for _ in range(200):
        if fake.in_flight >= 4:
            break
        await asyncio.sleep(0.05)
    assert fake.in_flight >= 4
    await services.cancel_run(temporal_client, sessions, plan_id)
    with pytest.raises(WorkflowFailureError) as info:
        await handle.result()
    assert isinstance(info.value.cause, CancelledError)
    async with sessions() as session:
        statuses = set(
            await session.scalars(
                select(AtomicUnit.status).where(AtomicUnit.masterplan_id == plan_id)
            )
        )
        plan = await session.get(MasterPlan, plan_id)
    assert statuses == {AtomStatus.CANCELLED}
    assert plan is not None and plan.status == "cancelled"
    assert len(fake.requests) == 4, "no atom was started after the cancellation"
    waves = await waves_of(sessions, plan_id)
    assert waves and all(
        (w.status, w.completed_count) == (WaveStatus.CANCELLED, 0)
        and w.started_at is not None
        and w.finished_at is not None
        for w in waves
    ), [(w.wave_number, w.status, w.finished_at) for w in waves]
    await assert_replays(temporal_client, handle, plan_id)


def sonnet_cost(usage: dict[str, int]) -> Decimal:
    """What the published Sonnet prices ($3 / $15 per million tokens in / out, cache writes
    1.25x and reads 0.1x the input price) make of one message's usage."""
    micro_usd = (
        usage["input_tokens"] * 3
        + usage["output_tokens"] * 15
        + usage["cache_creation_input_tokens"] * Decimal("3.75")
        + usage["cache_read_input_tokens"] * Decimal("0.3")
    )
    return Decimal(micro_usd) / 1_000_000


async def test_regenerating_a_completed_atom_keeps_what_every_attempt_cost(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    # Round 0: two broken answers, then a good one; needing all three attempts sends the atom
    # to review, where a reviewer asks for it again. Round 1 succeeds at once.
    settings = with_review(llm_settings, mode="plan")
    fake.set_default(break_syntax_on_attempt(1, 2, marker="def add("))
    async with make_worker(temporal_client, settings, sessions, fake):
        plan_id, handle = await run_plan(temporal_client, sessions, settings, ("add", ADD))
        (review_id,) = await open_reviews(handle, 1)
        first_round = await atom_named(sessions, plan_id, "add")
        assert (first_round.status, first_round.attempts) == (AtomStatus.COMPLETED, 3)
        await handle.signal(
            REVIEW_DECISION_SIGNAL,
            ReviewDecision(review_id, "regenerate", "ada", feedback="same, once more"),
        )
        result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)
    atom = await atom_named(sessions, plan_id, "add")
    assert (atom.status, atom.generation_round) == (AtomStatus.COMPLETED, 1)

    usages = fake.usages
    assert len(usages) == 4, "three attempts in round 0, one in round 1"
    tolerance = Decimal("0.000001") * len(usages)  # stored to six decimals, per attempt
    # The atom keeps both successful attempts: round 0's third and round 1's first.
    assert abs(atom.cost_usd - sonnet_cost(usages[2]) - sonnet_cost(usages[3])) <= tolerance
    assert atom.cost_usd > first_round.cost_usd
    assert atom.output_tokens == usages[2]["output_tokens"] + usages[3]["output_tokens"]
    async with sessions() as session:
        plan = await session.get(MasterPlan, plan_id)
    assert plan is not None
    # The plan's totals hold every paid attempt, failed or not, of both rounds.
    assert plan.input_tokens == sum(u["input_tokens"] for u in usages)
    assert plan.output_tokens == sum(u["output_tokens"] for u in usages)
    assert abs(plan.cost_usd - sum(map(sonnet_cost, usages))) <= tolerance
    assert abs(Decimal(str(result.cost_usd)) - plan.cost_usd) <= tolerance
    await assert_replays(temporal_client, handle, plan_id)
