"""How a wave fans out: chunked into child workflows (`-part-k`) under one cap on atoms in
flight, and the task-granularity baseline (one unit per task, at most three at once). The
real anthropic SDK talks to the fake Messages server, whose in-flight counter is the witness
of how many generations ran at once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from api import services
from api.settings import Settings
from domain.atomization import AtomizationConfig, atomize_source
from domain.plan import validate_plan_data
from domain.status import AtomStatus, WaveStatus
from persistence.models import AtomicUnit
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.llm_stack import assert_replays, make_worker, many_functions, plan_document, run_plan
from tests.rows import rows_of, waves_of

pytestmark = pytest.mark.workflow


async def plan_atoms(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID
) -> list[AtomicUnit]:
    return await rows_of(
        sessions,
        select(AtomicUnit)
        .where(AtomicUnit.masterplan_id == plan_id)
        .order_by(AtomicUnit.file_path, AtomicUnit.ordinal),
    )


async def workflow_ids(client: Client, plan_id: uuid.UUID) -> set[str]:
    return {w.id async for w in client.list_workflows(f'MgeMasterPlanId = "{plan_id}"')}


async def test_a_wave_larger_than_the_chunk_runs_as_parts_under_one_cap(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    # Seven independent atoms, two per chunk: four parts, more than the three atoms allowed
    # in flight, so the parts must share the cap rather than take a lane each.
    settings = llm_settings.model_copy(update={"wave_chunk_size": 2, "max_parallel_atoms": 3})
    fake.latency_s = 0.5  # long enough for every lane that can run at once to overlap
    tasks = many_functions(7)
    async with make_worker(temporal_client, settings, sessions, fake):
        plan_id, handle = await run_plan(temporal_client, sessions, settings, *tasks)
        result = await handle.result()
    assert (result.status, result.completed_atoms, result.failed_atoms) == ("completed", 7, 0)
    assert result.waves == 1

    atoms = await plan_atoms(sessions, plan_id)
    assert len(atoms) == 7 and {a.wave_number for a in atoms} == {0}
    for atom, (_, code) in zip(atoms, tasks, strict=True):
        assert (atom.status, atom.generated_code) == (AtomStatus.COMPLETED, code)
    assert len(fake.requests) == 7, "each atom generated once"
    assert fake.max_in_flight == 3, "the cap is used, and never passed"

    root = f"masterplan-{plan_id}"
    assert await workflow_ids(temporal_client, plan_id) == {
        root,
        *(f"{root}-wave-0-part-{k}" for k in range(4)),
    }
    (wave,) = await waves_of(sessions, plan_id)
    assert (wave.status, wave.completed_count, wave.atom_count) == (WaveStatus.COMPLETED, 7, 7)
    assert wave.finished_at is not None
    await assert_replays(temporal_client, handle, plan_id)


def module_of(name: str, count: int) -> str:
    """A file of `count` small functions: several atoms at atom granularity."""
    return "\n\n".join(
        f'def {name}_{i}(x: int) -> int:\n    """Step {i} of {name}."""\n'
        f"    y = x * {i + 2}\n    z = y - {i}\n    return z + 1\n"
        for i in range(count)
    )


async def test_task_granularity_runs_one_unit_per_task_three_at_a_time(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    llm_settings: Settings,
    fake: FakeAnthropicServer,
) -> None:
    tasks = [(f"m{k}", module_of(f"m{k}", 4)) for k in range(5)]
    atom_sized = AtomizationConfig(target_loc=10, max_loc=15, max_complexity=3)  # the default
    for key, code in tasks:
        cut = atomize_source(code, f"calc/{key}.py", "python", atom_sized)
        assert len(cut.atoms) > 1, "at atom granularity each file would be several atoms"
    fake.latency_s = 0.5
    spec = validate_plan_data(plan_document(*tasks))
    plan_id = await services.import_plan(sessions, spec, provider="anthropic", granularity="task")
    async with make_worker(temporal_client, llm_settings, sessions, fake):
        handle = await services.start_run(
            temporal_client, sessions, plan_id, llm_settings.temporal.task_queue
        )
        result = await handle.result()
    assert (result.status, result.completed_atoms, result.failed_atoms) == ("completed", 5, 0)

    atoms = await plan_atoms(sessions, plan_id)
    assert [a.file_path for a in atoms] == [f"calc/{key}.py" for key, _ in tasks]
    for atom, (_, code) in zip(atoms, tasks, strict=True):
        # One unit is the whole task: its spec is the file, and so is what was generated.
        assert (atom.status, atom.spec_code, atom.generated_code) == (
            AtomStatus.COMPLETED,
            code,
            code,
        )
    assert len(fake.requests) == 5
    # More units than that were ready at once (the llm settings allow 4 atoms in flight).
    assert fake.max_in_flight == 3, "the task-level baseline runs at most three at once"
    out = llm_settings.output_root.resolve() / str(plan_id)
    for key, code in tasks:
        assert (out / f"calc/{key}.py").read_text() == code
    await assert_replays(temporal_client, handle, plan_id)
