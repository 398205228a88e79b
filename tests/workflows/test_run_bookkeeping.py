"""The bookkeeping activities of a run, delivered more than once as Temporal may deliver them:
atom results that add up across generation rounds without counting a redelivery twice, waves
that close when their atoms are settled, and a stopped run that closes its waves for good.

The activities run in Temporal's ActivityEnvironment against the embedded PostgreSQL."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities import contracts as c
from activities.generation import GenerationActivities
from activities.plan_stages import PlanActivities
from activities.providers import ReferenceProvider
from api import services
from api.settings import Settings
from api.worker import activity_config
from domain.plan import validate_plan_data
from domain.status import AtomStatus, ErrorCategory, WaveStatus
from persistence import atoms as atom_repo
from persistence.atom_work import COMPLETION_COLUMNS, complete_atoms, start_atoms
from persistence.models import AtomDependency, AtomicUnit
from persistence.output import project_files
from tests.plans import single_milestone_plan, small_plan
from tests.rows import waves_of

INDEPENDENT = [(f"f{i}", f"def f{i}(x: int) -> int:\n    return x + {i}\n") for i in range(3)]


@pytest.fixture
def plan_activities(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> PlanActivities:
    return PlanActivities(sessions, {"reference": ReferenceProvider()}, activity_config(settings))


@pytest.fixture
def generation(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> GenerationActivities:
    return GenerationActivities(
        sessions, {"reference": ReferenceProvider()}, activity_config(settings)
    )


async def graphed_plan(
    sessions: async_sessionmaker[AsyncSession],
    plan_activities: PlanActivities,
    document: dict[str, object] | None = None,
) -> tuple[uuid.UUID, c.GraphResult]:
    """A plan imported, atomized and put in waves, as the first stages of a run leave it."""
    plan_id = await services.import_plan(
        sessions, validate_plan_data(document or small_plan()), provider="reference"
    )
    env = ActivityEnvironment()
    ref = c.PlanRef(str(plan_id))
    await env.run(plan_activities.atomize_plan, ref)
    graph = await env.run(plan_activities.build_graph, ref)
    return plan_id, graph


def result(cost: str, input_tokens: int, output_tokens: int) -> dict[str, object]:
    values: dict[str, object] = {
        "generated_code": "x = 1\n",
        "status": AtomStatus.COMPLETED,
        "attempts": 1,
        "generated_attempt": 1,
        "temperature": 0.7,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "cost_usd": Decimal(cost),
        "last_error": None,
    }
    assert set(values) == set(COMPLETION_COLUMNS)
    return values


async def test_atom_cost_adds_up_across_rounds_and_a_redelivery_counts_once(
    sessions: async_sessionmaker[AsyncSession], plan_activities: PlanActivities
) -> None:
    plan_id, _ = await graphed_plan(sessions, plan_activities)
    async with sessions() as session:
        atom_id = await session.scalar(
            select(AtomicUnit.id).where(AtomicUnit.masterplan_id == plan_id).limit(1)
        )
    assert atom_id is not None

    async def atom() -> AtomicUnit:
        async with sessions() as session:
            return await atom_repo.get_atom(session, atom_id)

    # Round 0, delivered twice in one batch, then once more in a batch of its own.
    first = result("0.25", 100, 10)
    async with sessions.begin() as session:
        await complete_atoms(session, [(atom_id, first), (atom_id, first)])
    async with sessions.begin() as session:
        await complete_atoms(session, [(atom_id, first)])
    done = await atom()
    assert (done.cost_usd, done.input_tokens, done.output_tokens) == (Decimal("0.25"), 100, 10)

    # A reviewer's "regenerate" reopens the atom for round 1; its success adds to round 0's.
    async with sessions.begin() as session:
        await session.execute(
            update(AtomicUnit)
            .where(AtomicUnit.id == atom_id)
            .values(status=AtomStatus.PENDING, generation_round=1)
        )
    second = result("0.5", 200, 20)
    async with sessions.begin() as session:
        await complete_atoms(session, [(atom_id, second)])
    async with sessions.begin() as session:
        await complete_atoms(session, [(atom_id, second)])  # redelivered
    done = await atom()
    assert (done.cost_usd, done.input_tokens, done.output_tokens) == (Decimal("0.75"), 300, 30)

    # A failed attempt of round 1, recorded twice: the plan counts every paid attempt once.
    failed = {
        "masterplan_id": plan_id,
        "atom_id": atom_id,
        "round": 1,
        "attempt": 1,
        "error_category": ErrorCategory.SYNTAX,
        "error_message": "syntax",
        "feedback_prompt": "fix it",
        "temperature": 0.7,
        "generated_code": None,
        "input_tokens": 50,
        "output_tokens": 5,
        "cost_usd": Decimal("0.125"),
    }
    for _ in range(2):
        async with sessions.begin() as session:
            await atom_repo.record_failed_attempt(session, failed)
    async with sessions() as session:
        assert await atom_repo.plan_cost(session, plan_id) == (Decimal("0.875"), 350, 35)


async def test_a_wave_whose_last_atoms_were_skipped_is_finished(
    sessions: async_sessionmaker[AsyncSession],
    plan_activities: PlanActivities,
    generation: GenerationActivities,
) -> None:
    document = single_milestone_plan("c", *INDEPENDENT)
    plan_id, graph = await graphed_plan(sessions, plan_activities, document)
    assert [w.atom_count for w in graph.waves] == [3]
    number = 0
    env = ActivityEnvironment()
    part = await env.run(generation.begin_wave, c.WaveSlice(str(plan_id), number, 0, 500))
    first, *rest = part.atoms
    async with sessions.begin() as session:
        await complete_atoms(session, [(uuid.UUID(first.atom_id), result("0.1", 1, 1))])
    # The budget ran out before the others: they are skipped, and the wave is over.
    skip = c.SkipAtoms(str(plan_id), [a.atom_id for a in rest], "budget reached")
    await env.run(generation.skip_atoms, skip)
    outcome = c.WaveOutcome(str(plan_id), number, 1, 0)
    await env.run(generation.finish_wave, outcome)
    wave = (await waves_of(sessions, plan_id))[number]
    assert (wave.status, wave.completed_count, wave.failed_count) == (WaveStatus.COMPLETED, 1, 0)
    assert wave.started_at is not None and wave.finished_at is not None
    await env.run(generation.finish_wave, outcome)  # redelivered
    again = (await waves_of(sessions, plan_id))[number]
    assert (again.status, again.completed_count, again.finished_at) == (
        WaveStatus.COMPLETED,
        1,
        wave.finished_at,
    )


LATER = "from calc.f0 import f0\n\n\ndef later(x: int) -> int:\n    return f0(x)\n"


async def test_a_cancelled_run_closes_its_unfinished_waves_once(
    sessions: async_sessionmaker[AsyncSession],
    plan_activities: PlanActivities,
    generation: GenerationActivities,
) -> None:
    # Wave 0: three independent functions, one of them done when the cancel comes; wave 1
    # (which uses f0) has not started.
    tasks = [*INDEPENDENT, ("later", LATER)]
    plan_id, graph = await graphed_plan(
        sessions, plan_activities, single_milestone_plan("c", *tasks)
    )
    assert len(graph.waves) == 2 and graph.waves[0].atom_count == 3
    env = ActivityEnvironment()
    part = await env.run(generation.begin_wave, c.WaveSlice(str(plan_id), 0, 0, 500))
    first = uuid.UUID(part.atoms[0].atom_id)
    async with sessions.begin() as session:
        await complete_atoms(session, [(first, result("0.1", 1, 1))])

    outcome = c.RunOutcome(str(plan_id), "cancelled", "cancelled on request")
    totals = await env.run(plan_activities.finish_run, outcome)
    assert totals.completed == 1
    closed = await waves_of(sessions, plan_id)
    assert [(w.status, w.completed_count) for w in closed] == [
        (WaveStatus.CANCELLED, 1),
        (WaveStatus.CANCELLED, 0),
    ]
    assert closed[0].started_at is not None and closed[1].started_at is None
    assert all(w.finished_at is not None for w in closed)

    # Redelivered, and a late finish_wave of the cancelled wave: nothing changes.
    await env.run(plan_activities.finish_run, outcome)
    await env.run(generation.finish_wave, c.WaveOutcome(str(plan_id), 0, 1, 0))
    again = await waves_of(sessions, plan_id)
    assert [(w.status, w.completed_count, w.finished_at) for w in again] == [
        (w.status, w.completed_count, w.finished_at) for w in closed
    ]
    async with sessions() as session:
        statuses = set(
            await session.scalars(
                select(AtomicUnit.status).where(
                    AtomicUnit.masterplan_id == plan_id, AtomicUnit.id != first
                )
            )
        )
    assert statuses == {AtomStatus.CANCELLED}


async def test_a_wave_all_done_when_the_run_stops_is_completed(
    sessions: async_sessionmaker[AsyncSession],
    plan_activities: PlanActivities,
    generation: GenerationActivities,
) -> None:
    # Cancelled after every atom of wave 0 finished but before its finish_wave ran.
    plan_id, graph = await graphed_plan(sessions, plan_activities)
    assert graph.waves[0].atom_count == 1 and len(graph.waves) >= 2
    env = ActivityEnvironment()
    part = await env.run(generation.begin_wave, c.WaveSlice(str(plan_id), 0, 0, 500))
    async with sessions.begin() as session:
        await complete_atoms(session, [(uuid.UUID(part.atoms[0].atom_id), result("0.1", 1, 1))])
    outcome = c.RunOutcome(str(plan_id), "cancelled", "cancelled on request")
    await env.run(plan_activities.finish_run, outcome)
    first, *later = await waves_of(sessions, plan_id)
    assert (first.status, first.completed_count) == (WaveStatus.COMPLETED, 1)
    assert all(w.status == WaveStatus.CANCELLED for w in later)
    assert all(w.finished_at is not None for w in (first, *later))


async def test_a_rejected_dependency_reaches_prompts_and_output_as_its_spec(
    sessions: async_sessionmaker[AsyncSession], plan_activities: PlanActivities
) -> None:
    """The reviewer refused the code: atoms generated after that (per-wave review) see the
    dependency as the project will hold it, and the output holds the spec."""
    plan_id, _ = await graphed_plan(sessions, plan_activities)
    async with sessions.begin() as session:
        atoms = list(
            await session.scalars(select(AtomicUnit).where(AtomicUnit.masterplan_id == plan_id))
        )
        depended_on = {
            d.target_atom_id
            for d in await session.scalars(select(AtomDependency))
            if d.source_atom_id in {a.id for a in atoms} and not d.removed
        }
        refused = next(a for a in atoms if a.id in depended_on)
        refused.generated_code = "REFUSED = 'by the reviewer'\n"
        refused.status = AtomStatus.REJECTED
        user_ids = [
            d.source_atom_id
            for d in await session.scalars(
                select(AtomDependency).where(AtomDependency.target_atom_id == refused.id)
            )
        ]
    async with sessions.begin() as session:
        starts = await start_atoms(session, user_ids)
    seen = [dep.code for start in starts if start is not None for dep in start.dependencies]
    assert refused.spec_code in seen
    assert not any("REFUSED" in code for code in seen)

    async with sessions() as session:
        files = await project_files(session, plan_id, include_tests=False)
    assert not any("REFUSED" in f.content for f in files)
    assert any(refused.spec_code in f.content for f in files)
