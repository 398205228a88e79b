"""The same plan without Temporal: waves in order, ``asyncio.gather`` under a semaphore.

It reads the run's atoms, waves and dependency edges from the database once (before the clock
starts), then builds each prompt with the same domain functions the activity uses, calls the
same provider, splices and syntax-checks the answer as level 1 does, and writes nothing back.
What is left between its wall time and the Temporal run's is orchestration: Temporal, the
per-atom database reads and writes, and the worker's scheduling.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.generation import atom_label
from activities.providers.base import GenerationRequest, LLMProvider
from domain.assembly import keep_layout
from domain.prompts import AtomBrief, DependencySnippet, PlanBrief, atom_prompt, plan_system_prompt
from domain.validation.syntax import syntax_problems
from persistence.models import AtomDependency, AtomicUnit, MasterPlan, Task


@dataclass(frozen=True)
class BareAtom:
    atom: AtomicUnit
    task: Task
    before: str  # the spec code of the file around the atom, for the level-1 check
    after: str
    depends_on: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class BareResult:
    wall_s: float
    cpu_s: float  # this process's CPU time during the run (the idle worker costs ~nothing)
    atoms: int
    failed: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


async def load_plan(
    sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID
) -> tuple[PlanBrief, list[list[BareAtom]]]:
    async with sessions() as session:
        plan = await session.get(MasterPlan, plan_id)
        assert plan is not None
        atoms = list(
            await session.scalars(
                select(AtomicUnit)
                .where(AtomicUnit.masterplan_id == plan_id)
                .order_by(AtomicUnit.file_path, AtomicUnit.ordinal)
            )
        )
        tasks = {
            t.id: t
            for t in await session.scalars(
                select(Task).where(Task.id.in_({a.task_id for a in atoms}))
            )
        }
        edges = await session.execute(
            select(AtomDependency.source_atom_id, AtomDependency.target_atom_id).where(
                AtomDependency.masterplan_id == plan_id, AtomDependency.removed.is_(False)
            )
        )
        brief = PlanBrief(plan.name, plan.description, plan.language)
    deps: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for source, target in edges.all():
        deps[source].add(target)
    by_task: dict[uuid.UUID, list[AtomicUnit]] = defaultdict(list)
    for atom in atoms:
        by_task[atom.task_id].append(atom)
    waves: dict[int, list[BareAtom]] = defaultdict(list)
    for atom in atoms:
        siblings = by_task[atom.task_id]
        waves[atom.wave_number or 0].append(
            BareAtom(
                atom=atom,
                task=tasks[atom.task_id],
                before="".join(s.spec_code for s in siblings if s.ordinal < atom.ordinal),
                after="".join(s.spec_code for s in siblings if s.ordinal > atom.ordinal),
                depends_on=tuple(sorted(deps[atom.id])),
            )
        )
    return brief, [waves[n] for n in sorted(waves)]


def _request(
    item: BareAtom, system: str, generated: dict[uuid.UUID, str], labels: dict[uuid.UUID, str]
) -> GenerationRequest:
    atom, context = item.atom, item.atom.context or {}
    brief = AtomBrief(
        atom_id=str(atom.id),
        label=labels[atom.id],
        language=atom.language,
        file_path=atom.file_path,
        task_name=item.task.name,
        task_description=item.task.description,
        spec_code=atom.spec_code,
        enclosing_scope=context.get("enclosing_scope"),
        imports=tuple(context.get("imports", ())),
        preconditions=tuple(context.get("preconditions", ())),
        postconditions=tuple(context.get("postconditions", ())),
        dependencies=tuple(DependencySnippet(labels[d], generated[d]) for d in item.depends_on),
    )
    return GenerationRequest(
        atom_id=str(atom.id),
        system=system,
        prompt=atom_prompt(brief),
        temperature=0.7,
        max_tokens=2048,
        reference_code=atom.reference_code,
        language=atom.language,
    )


async def run_bare(
    brief: PlanBrief, waves: list[list[BareAtom]], provider: LLMProvider, max_parallel: int
) -> BareResult:
    system = plan_system_prompt(brief)
    labels = {
        i.atom.id: atom_label(i.atom.file_path, i.atom.name, i.atom.ordinal)
        for wave in waves
        for i in wave
    }
    # Earlier waves' answers feed later prompts, as generated code does in the activity;
    # spec code stands in until an atom is generated (what the activity falls back to).
    generated = {i.atom.id: i.atom.spec_code for wave in waves for i in wave}
    gate = asyncio.Semaphore(max_parallel)
    totals = {"failed": 0, "in": 0, "out": 0, "usd": 0.0}

    async def one(item: BareAtom) -> None:
        async with gate:
            response = await provider.generate(_request(item, system, generated, labels))
        code = keep_layout(item.atom.spec_code, response.code)
        if syntax_problems(item.before + code + item.after, item.atom.language):
            totals["failed"] += 1
        generated[item.atom.id] = code
        totals["in"] += response.input_tokens
        totals["out"] += response.output_tokens
        totals["usd"] += response.cost_usd

    started, cpu_started = time.perf_counter(), time.process_time()
    for wave in waves:
        await asyncio.gather(*(one(item) for item in wave))
    return BareResult(
        wall_s=time.perf_counter() - started,
        cpu_s=time.process_time() - cpu_started,
        atoms=sum(len(w) for w in waves),
        failed=int(totals["failed"]),
        input_tokens=int(totals["in"]),
        output_tokens=int(totals["out"]),
        cost_usd=float(totals["usd"]),
    )
