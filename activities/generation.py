"""Wave and atom activities: load an atom, generate it, check it, store it."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import contracts as c
from activities.atom_check import grammar_for
from activities.config import ActivityConfig
from activities.dependencies import UsesDeps
from activities.errors import permanent_errors_fail_fast
from activities.provider_choice import choose_provider
from activities.providers.base import GenerationRequest, GenerationResponse, LLMProvider
from activities.providers.errors import (
    ProviderEmptyAnswer,
    ProviderPermanentError,
    ProviderRateLimited,
    ProviderTransientError,
)
from domain.assembly import keep_layout
from domain.attempts import AttemptPlan, LostAttempt, RecordedAttempt, plan_attempt
from domain.errors import NotFoundError
from domain.prompts import AtomBrief, DependencySnippet, PlanBrief, atom_prompt, plan_system_prompt
from domain.status import AtomStatus, ErrorCategory, PlanStatus, WaveStatus
from domain.validation.level1 import level1_category, level1_feedback, level1_problems
from domain.validation.model import Violation
from persistence import atoms as atom_repo
from persistence import plans as plan_repo
from persistence import reviews as review_repo
from persistence import validation_rows
from persistence.atom_work import AtomStart, AtomWork, complete_atoms, start_atoms
from persistence.batching import Coalescer
from persistence.graphs import wave_id_for
from persistence.models import AtomRetryHistory, ExecutionWave

_DONE = atom_repo.SETTLED
# Besides completed and failed atoms, the ones that count as finished for their wave.
_WAVE_SETTLED = (AtomStatus.CANCELLED, AtomStatus.SKIPPED)


def atom_label(file_path: str, name: str | None, ordinal: int) -> str:
    return f"{file_path}:{name or 'part'}#{ordinal}"


@dataclass(frozen=True)
class _LaterRoundNotes:
    """What a regeneration round adds to the prompt: the reviewer's words, and the project's
    test failures that pointed at this atom in the run that sent it to review."""

    reviewer_feedback: str | None = None
    test_failures: tuple[str, ...] = ()


async def _later_round_notes(session: AsyncSession, atom_id: uuid.UUID) -> _LaterRoundNotes:
    return _LaterRoundNotes(
        await review_repo.latest_regenerate_feedback(session, atom_id),
        tuple(await validation_rows.level4_failures_for_atom(session, atom_id)),
    )


class QualityFailure(Exception):
    def __init__(self, category: ErrorCategory, message: str) -> None:
        super().__init__(message)
        self.category = category


class GenerationActivities(UsesDeps):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        providers: Mapping[str, LLMProvider],
        config: ActivityConfig,
    ) -> None:
        super().__init__(sessions, providers, config)
        # Atom activities that start (or finish) together share one transaction.
        self._start_atom = Coalescer(self._start_batch, window_s=0.003)
        self._complete_atom = Coalescer(self._complete_batch, window_s=0.003)

    async def _start_batch(self, atom_ids: list[uuid.UUID]) -> list[AtomStart | None]:
        async with self._sessions.begin() as session:
            return await start_atoms(session, atom_ids)

    async def _complete_batch(
        self, results: list[tuple[uuid.UUID, dict[str, object]]]
    ) -> list[None]:
        async with self._sessions.begin() as session:
            return await complete_atoms(session, results)

    @activity.defn(name=c.BEGIN_WAVE)
    @permanent_errors_fail_fast
    async def begin_wave(self, part: c.WaveSlice) -> c.WaveAtoms:
        plan_id = plan_repo.parse_id(part.masterplan_id)
        async with self._sessions.begin() as session:
            await session.execute(
                update(ExecutionWave)
                .where(
                    ExecutionWave.id == wave_id_for(plan_id, part.wave_number),
                    ExecutionWave.started_at.is_(None),
                )
                .values(status=WaveStatus.RUNNING, started_at=datetime.now(UTC))
            )
            await plan_repo.set_status(session, plan_id, PlanStatus.GENERATING)
            rows = await atom_repo.wave_slice(
                session, plan_id, part.wave_number, part.offset, part.limit
            )
        return c.WaveAtoms([c.AtomRef(str(i), atom_label(f, n, o)) for i, f, n, o in rows])

    @activity.defn(name=c.FINISH_WAVE)
    @permanent_errors_fail_fast
    async def finish_wave(self, outcome: c.WaveOutcome) -> None:
        plan_id = plan_repo.parse_id(outcome.masterplan_id)
        async with self._sessions.begin() as session:
            # Recount from the atoms rather than trusting the caller: the chunks of one wave
            # finish independently and each may be redelivered.
            counts = await atom_repo.wave_counts(session, plan_id, outcome.wave_number)
            done = sum(counts.get(s, 0) for s in _DONE)
            failed = counts.get(AtomStatus.FAILED, 0)
            total = sum(counts.values())
            # Skipped atoms (the budget ran out before them) are as final as failed ones.
            settled = done + failed + sum(counts.get(s, 0) for s in _WAVE_SETTLED)
            values: dict[str, object] = {"completed_count": done, "failed_count": failed}
            if settled >= total:
                values["status"] = WaveStatus.COMPLETED
                # The first delivery's time stands.
                values["finished_at"] = func.coalesce(ExecutionWave.finished_at, datetime.now(UTC))
            await session.execute(
                update(ExecutionWave)
                .where(
                    ExecutionWave.id == wave_id_for(plan_id, outcome.wave_number),
                    # A run that was cancelled has closed its waves for good.
                    ExecutionWave.status != WaveStatus.CANCELLED,
                )
                .values(**values)
            )

    @activity.defn(name=c.SKIP_ATOMS)
    @permanent_errors_fail_fast
    async def skip_atoms(self, skip: c.SkipAtoms) -> None:
        async with self._sessions.begin() as session:
            await atom_repo.set_atom_status(
                session,
                [uuid.UUID(a) for a in skip.atom_ids],
                AtomStatus.SKIPPED,
                last_error=skip.reason,
            )

    @activity.defn(name=c.MARK_ATOM_FAILED)
    @permanent_errors_fail_fast
    async def mark_atom_failed(self, failure: c.AtomFailure) -> None:
        async with self._sessions.begin() as session:
            await atom_repo.update_unsettled(
                session,
                uuid.UUID(failure.atom_id),
                status=AtomStatus.FAILED,
                last_error=failure.reason[:4000],
            )

    @activity.defn(name=c.GENERATE_ATOM)
    @permanent_errors_fail_fast
    async def generate_atom(self, request: c.GenerateAtomInput) -> c.GenerateAtomResult:
        attempt = activity.info().attempt
        start = await self._start_atom(plan_repo.parse_id(request.atom_id, "atom"))
        if start is None:
            raise NotFoundError(f"atom {request.atom_id} not found")
        atom = start.work
        if atom.status in _DONE:
            # A redelivered activity whose first delivery already stored the result.
            return c.GenerateAtomResult(request.atom_id, "completed", atom.attempts)
        provider = choose_provider(self._providers, atom.plan_provider, self._config.provider_name)
        history: list[AtomRetryHistory] = []
        notes = _LaterRoundNotes()
        if attempt > 1 or atom.generation_round:
            # Rare paths, read per atom: failed attempts before this one (a first attempt has
            # none), and for a later round what the reviewer and the tests said.
            async with self._sessions() as session:
                if attempt > 1:
                    history = await atom_repo.retry_history(session, atom.id, atom.generation_round)
                if atom.generation_round:
                    notes = await _later_round_notes(session, atom.id)
        step = plan_attempt(
            attempt,
            [RecordedAttempt(h.attempt, h.error_category, h.feedback_prompt) for h in history],
            self._config.schedule,
        )
        if step.lost:
            # An attempt killed by a timeout or lost with its worker could not write its own
            # row; this one writes it, so the retry history shows every attempt.
            await self._record_lost(atom, step.lost)
        if step.exhausted:
            # Attempts lost to timeouts used up the schedule before this delivery.
            return await self._give_up(atom, attempt, "every quality attempt was lost")
        generation = self._build_request(start, step, notes)
        try:
            response = await self._call_with_heartbeats(provider, generation)
        except ProviderPermanentError as err:
            raise ApplicationError(
                str(err), type="ProviderPermanentError", non_retryable=True
            ) from err
        except ProviderRateLimited as err:
            # Not the model's fault: recorded, but no quality attempt is used up.
            await self._record(atom, attempt, ErrorCategory.RATE_LIMITED, str(err), None, None)
            delay = err.retry_after if err.retry_after is not None else None
            raise ApplicationError(
                str(err),
                type="ProviderRateLimited",
                next_retry_delay=None if delay is None else timedelta(seconds=delay),
            ) from err
        except ProviderEmptyAnswer as err:
            return await self._quality_failure(
                atom, attempt, step, ErrorCategory.CONTEXT, str(err), err.response
            )
        except ProviderTransientError as err:
            if err.error_type == "timeout":
                return await self._quality_failure(
                    atom, attempt, step, ErrorCategory.TIMEOUT, str(err), None
                )
            await self._record(atom, attempt, ErrorCategory.PROVIDER_ERROR, str(err), None, None)
            raise ApplicationError(str(err), type="ProviderTransientError") from err

        code = keep_layout(atom.spec_code, response.code)
        violations = self._check(start, code)
        if violations:
            return await self._quality_failure(
                atom,
                attempt,
                step,
                level1_category(violations),
                level1_feedback(violations),
                response,
                code,
            )
        await self._complete_atom(
            (
                atom.id,
                {
                    "generated_code": code,
                    "status": AtomStatus.COMPLETED,
                    "attempts": step.quality_attempt,
                    "generated_attempt": attempt,
                    # What was sent: None when the model takes no temperature (recent models).
                    "temperature": response.temperature,
                    "input_tokens": response.input_tokens,
                    "output_tokens": response.output_tokens,
                    "cache_read_tokens": response.cache_read_tokens,
                    "cache_write_tokens": response.cache_write_tokens,
                    "cost_usd": Decimal(str(response.cost_usd)),
                    "last_error": None,
                },
            )
        )
        # The atom's whole cost, failed attempts included, so the workflow can keep the budget.
        prior = float(sum((h.cost_usd for h in history), Decimal(0)))
        return c.GenerateAtomResult(
            request.atom_id,
            "completed",
            step.quality_attempt,
            cost_usd=prior + response.cost_usd,
        )

    async def _call_with_heartbeats(
        self, provider: LLMProvider, generation: GenerationRequest
    ) -> GenerationResponse:
        """Heartbeat while the model thinks: that is how a cancellation reaches us, and how
        Temporal notices a dead worker long before the start-to-close timeout."""
        call = asyncio.ensure_future(provider.generate(generation))
        try:
            while True:
                done, _ = await asyncio.wait({call}, timeout=self._config.heartbeat_every_s)
                if done:
                    return call.result()
                activity.heartbeat()
        finally:
            if not call.done():
                call.cancel()

    async def _give_up(self, atom: AtomWork, attempt: int, reason: str) -> c.GenerateAtomResult:
        async with self._sessions.begin() as session:
            await atom_repo.update_unsettled(
                session, atom.id, status=AtomStatus.FAILED, last_error=reason
            )
            spent = await atom_repo.atom_retry_cost(session, atom.id)
        return c.GenerateAtomResult(str(atom.id), "failed", attempt, cost_usd=float(spent))

    def _build_request(
        self, start: AtomStart, step: AttemptPlan, notes: _LaterRoundNotes
    ) -> GenerationRequest:
        atom = start.work
        context = atom.context
        brief = AtomBrief(
            atom_id=str(atom.id),
            label=atom_label(atom.file_path, atom.name, atom.ordinal),
            language=atom.language,
            file_path=atom.file_path,
            task_name=atom.task_name,
            task_description=atom.task_description or "",
            spec_code=atom.spec_code,
            enclosing_scope=context.get("enclosing_scope"),
            imports=tuple(context.get("imports", ())),
            preconditions=tuple(context.get("preconditions", ())),
            postconditions=tuple(context.get("postconditions", ())),
            dependencies=tuple(
                DependencySnippet(atom_label(d.file_path, d.name, d.ordinal), d.code)
                for d in start.dependencies
            ),
            feedback=step.feedback,
            reviewer_feedback=notes.reviewer_feedback,
            test_failures=notes.test_failures,
        )
        return GenerationRequest(
            atom_id=str(atom.id),
            system=system_prompt_for(atom.plan_name, atom.plan_description, atom.plan_language),
            prompt=atom_prompt(brief),
            temperature=step.temperature,
            max_tokens=self._config.max_tokens,
            reference_code=atom.reference_code,
            language=atom.language,
        )

    def _check(self, start: AtomStart, code: str) -> list[Violation]:
        """Level 1: the atom in its place in the file parses, its names resolve, and it has
        no dangerous pattern (type checks run with the later levels, on whole files)."""
        atom = start.work
        grammar = grammar_for(atom.file_path, atom.language)
        return level1_problems(
            code, start.before, start.after, grammar, atom.context, path=atom.file_path
        )

    async def _record(
        self,
        atom: AtomWork,
        attempt: int,
        category: ErrorCategory,
        message: str,
        response: GenerationResponse | None,
        code: str | None,
        *,
        feedback: str = "",
        temperature: float | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            await atom_repo.record_failed_attempt(
                session,
                {
                    "masterplan_id": atom.masterplan_id,
                    "atom_id": atom.id,
                    "round": atom.generation_round,
                    "attempt": attempt,
                    "error_category": category,
                    "error_message": message[:4000],
                    "feedback_prompt": feedback,
                    "temperature": response.temperature if response else temperature,
                    "generated_code": code,
                    "input_tokens": response.input_tokens if response else 0,
                    "output_tokens": response.output_tokens if response else 0,
                    "cost_usd": Decimal(str(response.cost_usd)) if response else Decimal(0),
                },
            )
            await atom_repo.update_unsettled(session, atom.id, last_error=message[:4000])

    async def _record_lost(self, atom: AtomWork, lost: Sequence[LostAttempt]) -> None:
        async with self._sessions.begin() as session:
            for item in lost:
                # Keyed by (atom, round, attempt): a redelivery, or a late row of the lost
                # attempt itself, leaves the first row as it is.
                await atom_repo.record_failed_attempt(
                    session,
                    {
                        "masterplan_id": atom.masterplan_id,
                        "atom_id": atom.id,
                        "round": atom.generation_round,
                        "attempt": item.attempt,
                        "error_category": ErrorCategory.TIMEOUT,
                        "error_message": item.message,
                        "feedback_prompt": item.feedback,
                        "temperature": item.temperature,
                        "generated_code": None,
                        "input_tokens": 0,
                        "output_tokens": 0,
                        "cost_usd": Decimal(0),
                    },
                )

    async def _quality_failure(
        self,
        atom: AtomWork,
        attempt: int,
        step: AttemptPlan,
        category: ErrorCategory,
        message: str,
        response: GenerationResponse | None,
        code: str | None = None,
    ) -> c.GenerateAtomResult:
        feedback = quality_feedback(step.quality_attempt, step.temperature, category, message)
        await self._record(
            atom,
            attempt,
            category,
            message,
            response,
            code,
            feedback=feedback,
            temperature=step.temperature,
        )
        async with self._sessions.begin() as session:
            await atom_repo.update_unsettled(session, atom.id, attempts=step.quality_attempt)
        if step.quality_attempt >= self._config.schedule.quality_attempts:
            return await self._give_up(atom, attempt, f"{category.value}: {message}"[:4000])
        raise ApplicationError(f"{category.value}: {message}", type="AtomQualityError")


@functools.lru_cache(maxsize=64)
def system_prompt_for(name: str, description: str | None, language: str) -> str:
    """The plan's shared system prompt: the same text for every atom of a plan (which is
    what lets the provider cache it), so it is built once per plan, not once per atom."""
    return plan_system_prompt(PlanBrief(name, description or "", language))


def quality_feedback(
    quality_attempt: int, temperature: float, category: ErrorCategory, message: str
) -> str:
    return (
        f"Attempt {quality_attempt} (temperature {temperature}) failed the {category.value} "
        f"check: {message}\nFix exactly this and keep everything else as the spec shows."
    )
