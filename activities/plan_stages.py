"""Plan-level stages: start, atomize, graph, check, finish."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities import contracts as c
from activities.dependencies import UsesDeps
from activities.errors import permanent_errors_fail_fast
from activities.provider_choice import choose_provider
from activities.providers.base import GenerationRequest, LLMProvider
from activities.providers.pricing import DEFAULT_PRICE_TABLE
from domain.atomization import Atom, AtomizationConfig, atomize_source
from domain.errors import InvalidInputError
from domain.graph import GraphAtom, build_dependency_graph
from domain.prompts import PlanBrief, plan_system_prompt, skeleton_prompt
from domain.status import AtomStatus, PlanStatus, ValidationOutcome, WaveStatus
from persistence import atoms as atom_repo
from persistence import graphs as graph_repo
from persistence import plans as plan_repo
from persistence.models import MasterPlan, Task
from persistence.validation import replace_results

_LANGUAGE_BY_SUFFIX = {".tsx": "tsx", ".jsx": "javascript"}


def parser_language(task: Task) -> str:
    """The grammar for a task's file: TSX/JSX files need their own."""
    for suffix, language in _LANGUAGE_BY_SUFFIX.items():
        if task.file_path.endswith(suffix):
            return language
    return task.language


def atom_row(plan_id: uuid.UUID, task: Task, atom: Atom, from_reference: bool) -> dict[str, Any]:
    return {
        # Deterministic: re-atomizing unchanged code (a redelivered activity) yields the same
        # ids, and the insert skips rows that exist.
        "id": uuid.uuid5(plan_id, atom.id),
        "masterplan_id": plan_id,
        "task_id": task.id,
        "ordinal": atom.ordinal,
        "kind": atom.kind,
        "name": atom.name,
        "file_path": task.file_path,
        "language": task.language,
        "spec_code": atom.code,
        "reference_code": atom.code if from_reference else None,
        "content_hash": atom.content_hash,
        "status": AtomStatus.PENDING,
        "start_line": atom.start_line,
        "end_line": atom.end_line,
        "loc": atom.loc,
        "complexity": atom.complexity,
        "oversized": atom.oversized,
        "oversize_reason": atom.oversize_reason,
        "context": atom.context.to_dict(),
        "context_completeness": atom.context.completeness,
        "atomicity_score": atom.atomicity.score,
        "atomicity": atom.atomicity.to_dict(),
        "issues": list(atom.issues),
    }


class PlanActivities(UsesDeps):
    @activity.defn(name=c.START_RUN)
    @permanent_errors_fail_fast
    async def start_run(self, ref: c.PlanRef) -> c.RunConfig:
        async with self._sessions.begin() as session:
            plan = await plan_repo.get_plan(session, ref.masterplan_id)
            plan.status = PlanStatus.QUEUED
            plan.status_reason = None
            plan.provider = plan.provider or self._config.provider_name
            plan.workflow_id = activity.info().workflow_id
            plan.started_at = plan.started_at or datetime.now(UTC)
            granularity = plan.granularity
            provider_name = plan.provider
            budget = float(plan.budget_usd) if plan.budget_usd is not None else None
        schedule = self._config.schedule
        return c.RunConfig(
            masterplan_id=ref.masterplan_id,
            # Task granularity is the seed design's baseline: at most three units at once.
            max_parallel_atoms=3 if granularity == "task" else self._config.max_parallel_atoms,
            wave_chunk_size=self._config.wave_chunk_size,
            temperatures=list(schedule.temperatures),
            initial_backoff_s=schedule.initial_backoff_s,
            max_backoff_s=schedule.max_backoff_s,
            atom_timeout_s=self._config.atom_timeout_s,
            granularity=granularity,
            max_provider_retries=self._config.max_provider_retries,
            heartbeat_timeout_s=self._config.heartbeat_timeout_s,
            budget_usd=budget,
            estimated_atom_cost_usd=self._estimated_atom_cost(provider_name),
            review_timeout_s=self._config.review_timeout_s,
            review_deadline_policy=self._config.review_deadline_policy,
            review_mode=self._config.review_mode,
        )

    def _estimated_atom_cost(self, provider_name: str) -> float:
        if provider_name == "reference":
            return 0.0
        return DEFAULT_PRICE_TABLE.cost(
            self._config.model,
            input_tokens=self._config.estimated_input_tokens,
            output_tokens=self._config.estimated_output_tokens,
        )

    async def _set_status(self, session: AsyncSession, plan_id: uuid.UUID, status: str) -> None:
        await session.execute(
            update(MasterPlan).where(MasterPlan.id == plan_id).values(status=status)
        )

    @activity.defn(name=c.ATOMIZE_PLAN)
    @permanent_errors_fail_fast
    async def atomize_plan(self, ref: c.PlanRef) -> c.AtomizeResult:
        async with self._sessions() as session:
            plan = await plan_repo.get_plan(session, ref.masterplan_id)
            tasks = await plan_repo.list_tasks(session, plan.id)
            settings = plan.atomization_config
            brief = PlanBrief(plan.name, plan.description, plan.language)
            provider = choose_provider(self._providers, plan.provider, self._config.provider_name)
        config = AtomizationConfig(
            target_loc=settings.get("target_loc", 10),
            max_loc=settings.get("max_loc", 15),
            max_complexity=settings.get("max_complexity", 3),
        )
        # Whole-task granularity (the baseline): one unit per task.
        if plan.granularity == "task":
            config = AtomizationConfig(target_loc=100_000, max_loc=100_000, max_complexity=10_000)
        rows: list[dict[str, Any]] = []
        oversized = 0
        generated_skeletons: dict[uuid.UUID, str] = {}
        for task in tasks:
            source = task.reference_code or task.skeleton or task.generated_skeleton
            if source is None:
                source = await self._ask_skeleton(provider, brief, task)
                generated_skeletons[task.id] = source
            tests = {task.test_file or f"{task.key}.test": task.tests} if task.tests else None
            result = await asyncio.to_thread(
                atomize_source, source, task.file_path, parser_language(task), config, tests=tests
            )
            for atom in result.atoms:
                oversized += int(atom.oversized)
                rows.append(atom_row(plan.id, task, atom, task.reference_code is not None))
        async with self._sessions.begin() as session:
            for task in tasks:
                source_kind = (
                    "reference"
                    if task.reference_code
                    else "skeleton"
                    if task.skeleton
                    else "llm_skeleton"
                )
                values: dict[str, Any] = {"code_source": source_kind}
                if task.id in generated_skeletons:
                    values["generated_skeleton"] = generated_skeletons[task.id]
                await session.execute(update(Task).where(Task.id == task.id).values(**values))
            await atom_repo.insert_atoms(session, rows)
            await session.execute(
                update(MasterPlan)
                .where(MasterPlan.id == plan.id)
                .values(status=PlanStatus.ATOMIZING, total_atoms=len(rows))
            )
        activity.logger.info("atomized %d tasks into %d atoms", len(tasks), len(rows))
        return c.AtomizeResult(
            task_count=len(tasks), atom_count=len(rows), oversized_count=oversized
        )

    async def _ask_skeleton(self, provider: LLMProvider, brief: PlanBrief, task: Task) -> str:
        request = GenerationRequest(
            atom_id=f"skeleton:{task.key}",
            system=plan_system_prompt(brief),
            prompt=skeleton_prompt(brief, task.file_path, task.name, task.description),
            temperature=0.3,
            max_tokens=self._config.max_tokens,
            reference_code=None,
            language=task.language,
        )
        response = await provider.generate(request)
        if not response.code.strip():
            raise InvalidInputError(f"task '{task.key}' has no code and no skeleton came back")
        return response.code if response.code.endswith("\n") else response.code + "\n"

    @activity.defn(name=c.BUILD_GRAPH)
    @permanent_errors_fail_fast
    async def build_graph(self, ref: c.PlanRef) -> c.GraphResult:
        async with self._sessions() as session:
            plan = await plan_repo.get_plan(session, ref.masterplan_id)
            atoms = await atom_repo.plan_atoms(session, plan.id)
        graph_atoms = [
            GraphAtom(
                atom_id=str(a.id),
                path=a.file_path,
                language=a.language,
                ordinal=a.ordinal,
                code=a.spec_code,
                name=a.name,
            )
            for a in atoms
        ]
        # CPU-bound: off the event loop, so heartbeats and other activities keep flowing.
        graph = await asyncio.to_thread(build_dependency_graph, graph_atoms)
        edges = (
            [
                {
                    "source_atom_id": uuid.UUID(e.source),
                    "target_atom_id": uuid.UUID(e.target),
                    "dependency_type": e.type.value,
                    "symbol": e.symbol[:300],
                    "weight": e.weight,
                    "removed": False,
                    "removed_reason": None,  # every row of one bulk INSERT has the same keys
                }
                for e in graph.edges
            ]
            + [
                {
                    "source_atom_id": uuid.UUID(r.edge.source),
                    "target_atom_id": uuid.UUID(r.edge.target),
                    "dependency_type": r.edge.type.value,
                    "symbol": r.edge.symbol[:300],
                    "weight": r.edge.weight,
                    "removed": True,
                    "removed_reason": r.reason,
                }
                for r in graph.removed_edges
            ]
        )
        stats = graph.stats
        async with self._sessions.begin() as session:
            graph_id = await graph_repo.replace_graph(
                session,
                plan.id,
                stats={**stats.to_dict(), "critical_path": list(graph.critical_path)},
                edges=edges,
                waves=[[uuid.UUID(a) for a in wave] for wave in graph.waves],
                critical_path_length=stats.critical_path_length,
                removed_edge_count=len(graph.removed_edges),
            )
            await self._set_status(session, plan.id, PlanStatus.GRAPHING)
        return c.GraphResult(
            graph_id=str(graph_id),
            edge_count=len(graph.edges),
            removed_edge_count=len(graph.removed_edges),
            waves=[c.WaveInfo(n, len(w)) for n, w in enumerate(graph.waves)],
        )

    @activity.defn(name=c.VALIDATE_PLAN)
    @permanent_errors_fail_fast
    async def validate_plan(self, ref: c.PlanRef) -> c.PlanCheckResult:
        async with self._sessions() as session:
            plan = await plan_repo.get_plan(session, ref.masterplan_id)
            atoms = await atom_repo.plan_atoms(session, plan.id)
        problems: list[str] = []
        warnings: list[str] = []
        if not atoms:
            problems.append("the plan has no atoms")
        unplaced = [a for a in atoms if a.wave_number is None]
        if unplaced:
            problems.append(f"{len(unplaced)} atom(s) are in no wave")
        if (plan.provider or self._config.provider_name) == "reference":
            missing = [a for a in atoms if a.reference_code is None]
            if missing:
                problems.append(
                    f"{len(missing)} atom(s) have no reference code, which the reference "
                    f"provider needs (first: {missing[0].file_path}#{missing[0].ordinal})"
                )
        oversized = [a for a in atoms if a.oversized]
        if oversized:
            warnings.append(f"{len(oversized)} oversized atom(s)")
        low_context = [a for a in atoms if a.context_completeness < 0.6]
        if low_context:
            warnings.append(f"{len(low_context)} atom(s) with context completeness under 60%")
        estimate = len(atoms) * self._estimated_atom_cost(
            plan.provider or self._config.provider_name
        )
        if plan.budget_usd is not None and estimate > float(plan.budget_usd):
            warnings.append(
                f"estimated cost ${estimate:.2f} exceeds the budget ${plan.budget_usd:.2f}: "
                "generation stops when the budget is reached"
            )
        async with self._sessions.begin() as session:
            await replace_results(
                session,
                plan.id,
                level=0,
                results=[
                    {
                        "check_name": "plan.soundness",
                        "outcome": ValidationOutcome.FAILED
                        if problems
                        else ValidationOutcome.PASSED,
                        "score": 0.0 if problems else 1.0,
                        "violations": problems,
                        "warnings": warnings,
                    }
                ],
            )
            await self._set_status(session, plan.id, PlanStatus.VALIDATING)
        return c.PlanCheckResult(
            passed=not problems, problems=problems, estimated_cost_usd=estimate
        )

    @activity.defn(name=c.FINISH_RUN)
    @permanent_errors_fail_fast
    async def finish_run(self, outcome: c.RunOutcome) -> c.RunTotals:
        leftover = {
            PlanStatus.CANCELLED: AtomStatus.CANCELLED,
            PlanStatus.FAILED: AtomStatus.CANCELLED,
            PlanStatus.BUDGET_EXCEEDED: AtomStatus.SKIPPED,
        }.get(PlanStatus(outcome.status))
        async with self._sessions.begin() as session:
            plan = await plan_repo.get_plan(session, outcome.masterplan_id)
            if leftover is not None:
                # Atoms that will never run now say why instead of staying pending, and so do
                # the waves they were in.
                await atom_repo.settle_unfinished(session, plan.id, leftover, outcome.reason)
                await graph_repo.settle_unfinished_waves(session, plan.id, WaveStatus.CANCELLED)
            cost, tokens_in, tokens_out = await atom_repo.plan_cost(session, plan.id)
            counts = await atom_repo.count_atoms(session, plan.id)
            done = counts.get(AtomStatus.COMPLETED, 0) + counts.get(AtomStatus.APPROVED, 0)
            total = sum(counts.values())
            plan.status = PlanStatus(outcome.status)
            plan.status_reason = outcome.reason
            plan.cost_usd = cost
            plan.input_tokens = tokens_in
            plan.output_tokens = tokens_out
            plan.precision_percent = round(100.0 * done / total, 2) if total else None
            plan.finished_at = datetime.now(UTC)
        return c.RunTotals(
            total=total,
            completed=done,
            failed=counts.get(AtomStatus.FAILED, 0),
            rejected=counts.get(AtomStatus.REJECTED, 0),
            cost_usd=float(cost),
        )
