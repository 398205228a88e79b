"""MasterPlanWorkflow: one durable run of a plan, from atomization to assembled files."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities import contracts as c
    from activities import validation_contracts as vc

from workflows import search_attributes as sa
from workflows.failures import is_cancellation, root_message
from workflows.ids import wave_workflow_id
from workflows.wave import WaveWorkflow, atom_retry_policy

_STAGE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
    non_retryable_error_types=["NonRetryableError", "InvalidInputError", "NotFoundError"],
)
_STAGE_TIMEOUT = timedelta(minutes=30)
_SHORT = timedelta(minutes=2)
T = TypeVar("T")


@workflow.defn(name="MasterPlanWorkflow")
class MasterPlanWorkflow:
    def __init__(self) -> None:
        self._masterplan_id = ""
        self._status = "queued"
        self._reason: str | None = None
        self._current_wave: int | None = None
        self._waves: list[c.WaveInfo] = []
        self._waves_done = 0
        self._completed = 0
        self._failed = 0
        self._skipped = 0
        self._spent = 0.0
        self._budget_exhausted = False
        # Review: decisions queue up in arrival order; open reviews keep insertion order
        # (dicts, never sets, so replay sees the same order).
        self._decisions: list[c.ReviewDecision] = []
        self._open_reviews: dict[str, str] = {}
        self._review_labels: dict[str, str] = {}
        self._ignored_decisions = 0
        self._deadline_note: str | None = None

    @workflow.query(name="status")
    def status(self) -> c.PlanStatusView:
        return c.PlanStatusView(
            self._masterplan_id, self._status, self._reason, self._current_wave, len(self._waves)
        )

    @workflow.query(name="progress")
    def progress(self) -> c.PlanProgress:
        return c.PlanProgress(
            waves_total=len(self._waves),
            waves_done=self._waves_done,
            atoms_total=sum(w.atom_count for w in self._waves),
            atoms_completed=self._completed,
            atoms_failed=self._failed,
            atoms_skipped=self._skipped,
            cost_usd=self._spent,
        )

    @workflow.signal(name=c.REVIEW_DECISION_SIGNAL)
    def review_decision(self, decision: c.ReviewDecision) -> None:
        self._decisions.append(decision)

    @workflow.query(name=c.PENDING_REVIEWS_QUERY)
    def pending_reviews(self) -> list[str]:
        return list(self._open_reviews)

    def _set_status(self, status: str, reason: str | None = None) -> None:
        self._status = status
        self._reason = reason
        workflow.upsert_search_attributes([sa.PLAN_STATUS.value_set(status)])

    async def _stage(self, name: str, arg: object, result_type: type[T], summary: str) -> T:
        result: T = await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=_STAGE_TIMEOUT,
            retry_policy=_STAGE_RETRY,
            summary=summary,
        )
        return result

    @workflow.run
    async def run(self, plan: c.MasterPlanInput) -> c.MasterPlanResult:
        try:
            return await self._run(plan)
        except (ActivityError, ChildWorkflowError) as err:
            if is_cancellation(err):
                await self._record_end("cancelled", "cancelled on request")
                raise asyncio.CancelledError from err
            reason = f"{self._status} failed: {root_message(err)}"
            await self._record_end("failed", reason)
            raise ApplicationError(reason, type="MasterPlanFailed", non_retryable=True) from err
        except asyncio.CancelledError:
            await self._record_end("cancelled", "cancelled on request")
            raise

    async def _record_end(self, status: str, reason: str) -> None:
        """Best effort: the run already failed; recording it must not hide why."""
        self._set_status(status, reason)
        try:
            await self._finish(status, reason)
        except ActivityError:
            workflow.logger.warning(
                "could not record the end of masterplan %s", self._masterplan_id
            )

    async def _run(self, plan: c.MasterPlanInput) -> c.MasterPlanResult:
        self._masterplan_id = plan.masterplan_id
        ref = c.PlanRef(plan.masterplan_id)
        workflow.upsert_search_attributes([sa.MASTERPLAN_ID.value_set(plan.masterplan_id)])

        self._set_status("queued")
        config = await self._stage(c.START_RUN, ref, c.RunConfig, "start run")

        self._set_status("atomizing")
        atomized = await self._stage(c.ATOMIZE_PLAN, ref, c.AtomizeResult, "atomize plan")

        self._set_status("graphing")
        graph = await self._stage(c.BUILD_GRAPH, ref, c.GraphResult, "build dependency graph")
        self._waves = list(graph.waves)

        self._set_status("validating")
        check = await self._stage(c.VALIDATE_PLAN, ref, c.PlanCheckResult, "validate plan")
        if not check.passed:
            reason = "plan validation: " + "; ".join(check.problems)
            await self._record_end("failed", reason)
            raise ApplicationError(reason, type="PlanValidationFailed", non_retryable=True)

        self._set_status("generating")
        for wave in self._waves:
            await self._run_wave(config, wave)
            self._waves_done += 1
            if self._budget_exhausted:
                break
            if config.review_mode == "wave":
                # Later waves build on this one: they wait until its reviews are decided.
                await self._review(config, c.ReviewScope(self._masterplan_id, wave.wave_number))
                self._set_status("generating")
        self._current_wave = None

        # Levels 1-4 before review: their results feed the confidence scores.
        summaries = await self._validate(ref)
        await self._review(config, c.ReviewScope(self._masterplan_id))

        self._set_status("assembling")
        assembled = await self._stage(c.ASSEMBLE_OUTPUT, ref, c.AssembleResult, "assemble output")
        notes = []
        if self._budget_exhausted:
            notes.append(
                f"budget ${config.budget_usd or 0:.2f} reached after ${self._spent:.4f}; "
                "atoms not generated keep their spec code"
            )
        if self._failed:
            notes.append(f"{self._failed} atom(s) failed generation and went to review")
        failed_checks = [s for s in summaries if s.failed]
        if failed_checks:
            notes.append(
                "validation failed at level(s) "
                + ", ".join(f"{s.level} ({s.failed} check(s))" for s in failed_checks)
            )
        if self._deadline_note:
            notes.append(self._deadline_note)
        if atomized.oversized_count:
            notes.append(f"{atomized.oversized_count} oversized atom(s)")
        status = "budget_exceeded" if self._budget_exhausted else "completed"
        return await self._finish(status, "; ".join(notes) or None, files=assembled.files)

    async def _validate(self, ref: c.PlanRef) -> list[vc.ValidationSummary]:
        self._set_status("validating")
        summaries = []
        for level, name in sorted(vc.ACTIVITY_FOR_LEVEL.items()):
            summary: vc.ValidationSummary = await workflow.execute_activity(
                name,
                ref,
                result_type=vc.ValidationSummary,
                start_to_close_timeout=_STAGE_TIMEOUT,
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=_STAGE_RETRY,
                summary=f"validate level {level}",
            )
            summaries.append(summary)
        return summaries

    def _publish_pending(self) -> None:
        workflow.upsert_search_attributes([sa.PENDING_REVIEWS.value_set(len(self._open_reviews))])

    async def _review(self, config: c.RunConfig, scope: c.ReviewScope) -> None:
        """Queue the atoms MGE trusts least and wait, durably, for reviewers' decisions."""
        where = "plan" if scope.wave_number is None else f"wave {scope.wave_number}"
        batch = await self._stage(
            c.QUEUE_REVIEWS, scope, c.ReviewBatch, f"score confidence, queue reviews ({where})"
        )
        self._open_reviews = dict(zip(batch.review_ids, batch.atom_ids, strict=True))
        self._review_labels = dict(zip(batch.review_ids, batch.labels, strict=True))
        self._publish_pending()
        if not self._open_reviews:
            return
        self._set_status("reviewing", f"{len(self._open_reviews)} atom(s) wait for review")
        deadline = (
            workflow.now() + timedelta(seconds=config.review_timeout_s)
            if config.review_timeout_s
            else None
        )
        while self._open_reviews:
            if not self._decisions:
                timeout = None
                if deadline is not None:
                    timeout = max(0.0, (deadline - workflow.now()).total_seconds())
                try:
                    await workflow.wait_condition(lambda: bool(self._decisions), timeout=timeout)
                except TimeoutError:
                    await self._review_deadline(config)
                    return
            decision = self._decisions.pop(0)
            if decision.review_id not in self._open_reviews or decision.action not in (
                "approve",
                "edit",
                "regenerate",
                "reject",
            ):
                # Duplicate, stale or malformed: a signal cannot be refused, only ignored.
                self._ignored_decisions += 1
                workflow.logger.info(
                    "ignoring %s decision for review %s: not open",
                    decision.action,
                    decision.review_id,
                )
                continue
            outcome: c.DecisionOutcome = await workflow.execute_activity(
                c.APPLY_REVIEW_DECISION,
                c.DecisionInput(self._masterplan_id, decision),
                result_type=c.DecisionOutcome,
                start_to_close_timeout=_SHORT,
                retry_policy=_STAGE_RETRY,
                summary=f"{decision.action} {self._review_labels.get(decision.review_id, '')}",
            )
            if outcome.regenerate:
                outcome = await self._regenerate(config, outcome)
            if outcome.resolved:
                del self._open_reviews[decision.review_id]
            self._publish_pending()
        self._set_status("generating", None)

    async def _regenerate(
        self, config: c.RunConfig, outcome: c.DecisionOutcome
    ) -> c.DecisionOutcome:
        # One atom, retried as its wave retries it.
        wave = self._wave_input(config, wave_number=-1, part=0, offset=0, limit=1, max_parallel=1)
        generated = True
        message = ""
        try:
            result: c.GenerateAtomResult = await workflow.execute_activity(
                c.GENERATE_ATOM,
                c.GenerateAtomInput(self._masterplan_id, outcome.atom_id, -1),
                result_type=c.GenerateAtomResult,
                start_to_close_timeout=timedelta(seconds=config.atom_timeout_s),
                heartbeat_timeout=timedelta(seconds=config.heartbeat_timeout_s),
                retry_policy=atom_retry_policy(wave),
                summary=f"regenerate atom {outcome.label}",
            )
            generated = result.status == "completed"
            self._spent += result.cost_usd
        except ActivityError as err:
            if is_cancellation(err):
                raise
            generated, message = False, root_message(err)
        settled: c.DecisionOutcome = await workflow.execute_activity(
            c.SETTLE_REGENERATION,
            c.RegenerationDone(self._masterplan_id, outcome.review_id, generated, message),
            result_type=c.DecisionOutcome,
            start_to_close_timeout=_SHORT,
            retry_policy=_STAGE_RETRY,
            summary=f"settle regeneration {outcome.label}",
        )
        return settled

    async def _review_deadline(self, config: c.RunConfig) -> None:
        pending = list(self._open_reviews)
        reason = f"review deadline passed with {len(pending)} review(s) open"
        if config.review_deadline_policy == "fail":
            await self._record_end("failed", reason)
            raise ApplicationError(reason, type="ReviewDeadlinePassed", non_retryable=True)
        await workflow.execute_activity(
            c.EXPIRE_REVIEWS,
            c.ExpireReviews(self._masterplan_id, pending, reason + "; accepted as they are"),
            start_to_close_timeout=_SHORT,
            retry_policy=_STAGE_RETRY,
            summary=f"expire {len(pending)} review(s)",
        )
        self._open_reviews.clear()
        self._publish_pending()
        self._deadline_note = reason + "; open atoms accepted as they are"

    async def _run_wave(self, config: c.RunConfig, wave: c.WaveInfo) -> None:
        self._current_wave = wave.wave_number
        workflow.upsert_search_attributes([sa.WAVE.value_set(wave.wave_number)])
        chunk = max(1, config.wave_chunk_size)
        parts = max(1, -(-wave.atom_count // chunk))
        cap = max(1, config.max_parallel_atoms)
        # Chunks of one wave are independent, so they run side by side and share the cap on
        # atoms in flight: at most `cap` chunks at once (slots), each slot with its share of
        # the lanes, so the lanes of all running chunks never add up to more than the cap.
        # A slot takes the next chunk when its chunk is done.
        slots = min(parts, cap)
        next_part = 0
        # Budget: a chunk gets an equal share of what is neither spent nor held by the chunks
        # running beside it; a finished chunk gives back what it did not spend.
        held = 0.0
        stopped = False

        async def slot(lanes: int) -> None:
            nonlocal next_part, held, stopped
            while next_part < parts and not stopped:
                part = next_part
                next_part += 1
                share = None
                if config.budget_usd is not None:
                    free = max(0.0, config.budget_usd - self._spent - held)
                    share = free / (parts - part)
                    held += share
                try:
                    result = await self._run_chunk(config, wave, part, parts, lanes, share)
                except BaseException:
                    # The run is failing or being cancelled: start no further chunk.
                    stopped = True
                    raise
                if share is not None:
                    held -= share
                self._completed += result.completed
                self._failed += result.failed
                self._skipped += result.skipped
                self._spent += result.cost_usd
                self._budget_exhausted = self._budget_exhausted or result.budget_exhausted

        await asyncio.gather(
            *(slot(cap // slots + (1 if n < cap % slots else 0)) for n in range(slots))
        )

    def _wave_input(
        self,
        config: c.RunConfig,
        *,
        wave_number: int,
        part: int,
        offset: int,
        limit: int,
        max_parallel: int,
        budget_remaining_usd: float | None = None,
    ) -> c.WaveInput:
        """Which atoms of a wave to generate, how many at once, and how: the run's attempt
        schedule, backoff and timeouts, which also make an atom's retry policy."""
        return c.WaveInput(
            masterplan_id=self._masterplan_id,
            wave_number=wave_number,
            part=part,
            offset=offset,
            limit=limit,
            max_parallel=max_parallel,
            temperatures=list(config.temperatures),
            initial_backoff_s=config.initial_backoff_s,
            max_backoff_s=config.max_backoff_s,
            atom_timeout_s=config.atom_timeout_s,
            max_provider_retries=config.max_provider_retries,
            heartbeat_timeout_s=config.heartbeat_timeout_s,
            budget_remaining_usd=budget_remaining_usd,
            estimated_atom_cost_usd=config.estimated_atom_cost_usd,
        )

    async def _run_chunk(
        self,
        config: c.RunConfig,
        wave: c.WaveInfo,
        part: int,
        parts: int,
        lanes: int,
        budget: float | None,
    ) -> c.WaveResult:
        chunk = max(1, config.wave_chunk_size)
        result: c.WaveResult = await workflow.execute_child_workflow(
            WaveWorkflow.run,
            self._wave_input(
                config,
                wave_number=wave.wave_number,
                part=part,
                offset=part * chunk,
                limit=chunk,
                max_parallel=lanes,
                budget_remaining_usd=budget,
            ),
            id=wave_workflow_id(self._masterplan_id, wave.wave_number, part, parts),
            parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
            static_summary=f"wave {wave.wave_number} part {part + 1}/{parts}",
        )
        return result

    async def _finish(
        self, status: str, reason: str | None, *, files: int = 0
    ) -> c.MasterPlanResult:
        totals: c.RunTotals = await workflow.execute_activity(
            c.FINISH_RUN,
            c.RunOutcome(self._masterplan_id, status, reason),
            result_type=c.RunTotals,
            start_to_close_timeout=_SHORT,
            retry_policy=_STAGE_RETRY,
            summary=f"finish run: {status}",
        )
        self._set_status(status, reason)
        # Counts come from the database: reviews may have turned failed atoms into approved.
        return c.MasterPlanResult(
            masterplan_id=self._masterplan_id,
            status=status,
            total_atoms=totals.total,
            completed_atoms=totals.completed,
            failed_atoms=totals.failed,
            waves=len(self._waves),
            files=files,
            reason=reason,
            rejected_atoms=totals.rejected,
            cost_usd=totals.cost_usd,
        )
