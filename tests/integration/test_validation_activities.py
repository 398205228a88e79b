"""The validation activities (levels 1-4) on the embedded PostgreSQL, run as activities.

Plans are imported and atomized for real (the reference code becomes the atoms' spec), then
atoms are given generated code, good or faulty, and each level is run through Temporal's
ActivityEnvironment.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.config import ActivityConfig
from activities.contracts import GenerateAtomInput, PlanRef
from activities.generation import GenerationActivities
from activities.plan_stages import PlanActivities
from activities.providers import AnthropicProvider, ReferenceProvider
from activities.sandbox import SandboxLimits
from activities.typecheck import find_typescript, mypy_available
from activities.validation import (
    ValidationActivities,
    ValidationConfig,
    record_level1,
    run_validation,
    typecheck_atom,
)
from api import services
from domain.errors import NotFoundError
from domain.status import AtomStatus
from domain.validation.level1 import level1_problems
from persistence.models import AtomicUnit, MasterPlan, ValidationResult
from persistence.validation_rows import level4_failures_for_atom
from tests.fakes.anthropic_server import FakeAnthropicServer

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Where `.ci/run` installs TypeScript with npm (the worker looks there too); else PATH.
TYPESCRIPT_SEARCH = [EXAMPLES.parent / ".ci" / "node"]
FAST_TESTS = SandboxLimits(wall_time_s=60, cpu_time_s=60, max_processes=64)


async def _atomized(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, example: str
) -> uuid.UUID:
    spec = services.read_plan_file(EXAMPLES / example)
    plan_id = await services.import_plan(sessions, spec, provider="reference")
    stages = PlanActivities(
        sessions, {"reference": ReferenceProvider()}, ActivityConfig(output_root=tmp_path)
    )
    await ActivityEnvironment().run(stages.atomize_plan, PlanRef(str(plan_id)))
    return plan_id


def _validation(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, **extra: object
) -> ValidationActivities:
    config = ValidationConfig(
        test_limits=FAST_TESTS,
        mypy_cache_dir=tmp_path / "mypy-cache",
        typescript=find_typescript(TYPESCRIPT_SEARCH),
        heartbeat_every_s=0.5,
    )
    for key, value in extra.items():
        config = ValidationConfig(**{**config.__dict__, key: value})
    return ValidationActivities(sessions, config)


async def _rows(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID, level: int
) -> list[ValidationResult]:
    async with sessions() as session:
        found = await session.scalars(
            select(ValidationResult).where(
                ValidationResult.masterplan_id == plan_id, ValidationResult.level == level
            )
        )
        return list(found)


async def _atom(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID, path: str, text: str
) -> AtomicUnit:
    async with sessions() as session:
        atoms = await session.scalars(
            select(AtomicUnit).where(
                AtomicUnit.masterplan_id == plan_id, AtomicUnit.file_path == path
            )
        )
        return next(a for a in atoms if text in a.spec_code)


async def _generate(
    sessions: async_sessionmaker[AsyncSession], atom: AtomicUnit, code: str
) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(AtomicUnit).where(AtomicUnit.id == atom.id).values(generated_code=code)
        )


async def test_the_clean_python_example_passes_every_level(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    plan_id = await _atomized(sessions, tmp_path, "todo-service.yaml")
    activities = _validation(sessions, tmp_path)
    env = ActivityEnvironment()
    ref = PlanRef(str(plan_id))
    summaries = [
        await env.run(activities.validate_atoms, ref),
        await env.run(activities.validate_tasks, ref),
        await env.run(activities.validate_milestones, ref),
        await env.run(activities.validate_masterplan, ref),
    ]
    for summary in summaries:
        assert summary.failed == 0, summary
    assert summaries[3].passed == 1, "pytest ran the plan's tests and they passed"

    level1 = await _rows(sessions, plan_id, 1)
    assert level1 and all(r.atom_id is not None for r in level1)
    assert all(r.validator_version.startswith("mge-validation/") for r in level1)
    types = [r for r in level1 if r.check_name == "atom.types"]
    assert types, "every atom has a type-check result"
    expected = "passed" if mypy_available() else "not_run"
    assert {r.outcome for r in types} == {expected}
    level4 = await _rows(sessions, plan_id, 4)
    assert [(r.check_name, r.outcome) for r in level4] == [("masterplan.tests", "passed")]
    assert all(r.duration_ms >= 0 for r in level4)


async def test_faults_fail_their_levels_and_feed_back_to_their_atoms(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    plan_id = await _atomized(sessions, tmp_path, "todo-service.yaml")
    # A wrong return value the task's tests catch ...
    tags = await _atom(sessions, plan_id, "todo/service.py", "def clean_tags")
    await _generate(sessions, tags, tags.spec_code.replace("return tuple(seen)", "return ()"))
    # ... and an undefined name, in another file.
    formatting = await _atom(sessions, plan_id, "todo/formatting.py", "def summary")
    broken = formatting.spec_code.replace("noun = ", "noun = plural_of(todos) or ")
    await _generate(sessions, formatting, broken)

    summaries = await run_validation(
        sessions,
        _validation(sessions, tmp_path)._config,
        str(plan_id),
    )
    by_level = {s.level: s for s in summaries}
    assert by_level[1].failed >= 1 and by_level[2].failed >= 1 and by_level[4].failed == 1
    assert by_level[4].atoms_flagged >= 1

    level1 = await _rows(sessions, plan_id, 1)
    names = [r for r in level1 if r.check_name == "atom.names" and r.outcome == "failed"]
    assert [r.atom_id for r in names] == [formatting.id]
    assert "plural_of" in names[0].violations[0]["message"]
    level2 = await _rows(sessions, plan_id, 2)
    imports = [r for r in level2 if r.check_name == "task.imports" and r.outcome == "failed"]
    assert imports and imports[0].violations[0]["atom_id"] == str(formatting.id)

    level4 = await _rows(sessions, plan_id, 4)
    plan_row = next(r for r in level4 if r.atom_id is None)
    assert plan_row.outcome == "failed" and plan_row.score is not None and plan_row.score < 1
    blamed = {r.atom_id for r in level4 if r.atom_id is not None}
    assert tags.id in blamed, "the failing test is traced back to the atom that returns ()"
    async with sessions() as session:
        lines = await level4_failures_for_atom(session, tags.id)
    assert lines and any("clean_tags" in line or "test_" in line for line in lines)

    # A reviewer asks for the atom again: the new round's prompt carries what the tests said.
    async with sessions.begin() as session:
        await session.execute(
            update(AtomicUnit)
            .where(AtomicUnit.id == tags.id)
            .values(generation_round=1, status=AtomStatus.PENDING)
        )
        await session.execute(
            update(MasterPlan).where(MasterPlan.id == plan_id).values(provider="anthropic")
        )
    with FakeAnthropicServer() as fake:
        provider = AnthropicProvider(api_key="sk-ant-test", model="m", base_url=fake.base_url)
        generation = GenerationActivities(
            sessions, {"anthropic": provider}, ActivityConfig(output_root=tmp_path)
        )
        try:
            result = await ActivityEnvironment().run(
                generation.generate_atom, GenerateAtomInput(str(plan_id), str(tags.id), -1)
            )
        finally:
            await provider.aclose()
        prompt = fake.requests[-1].prompt
    assert result.status == "completed"
    assert "The project's tests failed on this atom" in prompt
    assert all(line in prompt for line in lines)


async def test_rerunning_a_level_replaces_its_rows(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    plan_id = await _atomized(sessions, tmp_path, "todo-service.yaml")
    activities = _validation(sessions, tmp_path)
    env = ActivityEnvironment()
    await env.run(activities.validate_tasks, PlanRef(str(plan_id)))
    first = len(await _rows(sessions, plan_id, 2))
    await env.run(activities.validate_tasks, PlanRef(str(plan_id)))
    assert len(await _rows(sessions, plan_id, 2)) == first > 0


async def test_a_test_run_that_hangs_is_stopped_and_recorded_as_failed(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    plan_id = await _atomized(sessions, tmp_path, "todo-service.yaml")
    tags = await _atom(sessions, plan_id, "todo/service.py", "def clean_tags")
    await _generate(
        sessions,
        tags,
        tags.spec_code.replace("seen: dict", "while True:\n        pass\n    seen: dict"),
    )
    activities = _validation(sessions, tmp_path, test_limits=SandboxLimits(wall_time_s=8))
    summary = await ActivityEnvironment().run(activities.validate_masterplan, PlanRef(str(plan_id)))
    assert summary.failed == 1
    row = next(r for r in await _rows(sessions, plan_id, 4) if r.atom_id is None)
    assert row.outcome == "failed"
    assert row.reason is not None and "limit" in row.reason


async def test_typescript_plan_levels_without_and_with_typescript(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    plan_id = await _atomized(sessions, tmp_path, "link-shortener-ts.yaml")
    env = ActivityEnvironment()
    ref = PlanRef(str(plan_id))
    without = _validation(sessions, tmp_path, typescript=None)
    for method in (without.validate_tasks, without.validate_milestones):
        assert (await env.run(method, ref)).failed == 0
    summary = await env.run(without.validate_masterplan, ref)
    assert (summary.passed, summary.not_run) == (0, 1)
    row = (await _rows(sessions, plan_id, 4))[0]
    assert (row.outcome, row.reason) == ("not_run", "typescript is not installed")

    if find_typescript(TYPESCRIPT_SEARCH) is None:
        pytest.skip("typescript is not installed (nothing is downloaded at test time)")
    summary = await env.run(_validation(sessions, tmp_path).validate_masterplan, ref)
    assert (summary.passed, summary.failed) == (1, 0)


async def test_generation_helpers_level1_typecheck_and_attempt_rows(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    plan_id = await _atomized(sessions, tmp_path, "todo-service.yaml")
    atom = await _atom(sessions, plan_id, "todo/service.py", "def clean_tags")
    wrong = atom.spec_code.replace("return tuple(seen)", "return len(seen)")
    assert level1_problems(wrong, "", "", "python", atom.context) == []
    config = _validation(sessions, tmp_path)._config
    result = await typecheck_atom(sessions, atom.id, wrong, config)
    if not mypy_available():
        assert result.not_run
        return
    assert result.failed
    assert "return value" in result.violations[0].message
    await record_level1(sessions, plan_id, atom.id, atom.task_id, 1, [result])
    await record_level1(sessions, plan_id, atom.id, atom.task_id, 1, [result])
    rows = [r for r in await _rows(sessions, plan_id, 1) if r.atom_id == atom.id]
    assert len(rows) == 1 and rows[0].attempt == 1


async def test_rerunning_validation_of_an_unknown_plan_names_the_problem(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    config = _validation(sessions, tmp_path)._config
    with pytest.raises(NotFoundError, match="not found"):
        await run_validation(sessions, config, str(uuid.uuid4()), [2])
