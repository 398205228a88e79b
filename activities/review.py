"""Review stages: score confidence and queue reviews; apply reviewers' decisions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities import contracts as c
from activities.atom_check import EditCheck, check_edit, describe_problems
from activities.dependencies import UsesDeps
from activities.errors import permanent_errors_fail_fast
from activities.generation import atom_label
from activities.providers.base import GenerationRequest, GenerationResponse
from activities.providers.errors import ProviderEmptyAnswer, ProviderError
from activities.review_scoring import ChosenAtom, score_plan_atoms
from domain.prompts import REVIEW_ADVICE_SYSTEM, review_advice_prompt
from domain.review.confidence import CheckTally, Confidence, ConfidenceInput, ConfidenceScorer
from domain.review.queue import priority_of
from domain.status import AtomStatus, PlanStatus, ReviewAction, ReviewStatus
from persistence import atoms as atom_repo
from persistence import plans as plan_repo
from persistence import reviews as review_repo
from persistence.models import AtomicUnit, HumanReview

_OPEN = (ReviewStatus.PENDING, ReviewStatus.REGENERATING)
# The usage an LLM call is billed for, as the atom's columns name it.
_USAGE_COLUMNS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


class ReviewActivities(UsesDeps):
    @activity.defn(name=c.QUEUE_REVIEWS)
    @permanent_errors_fail_fast
    async def queue_reviews(self, scope: c.ReviewScope) -> c.ReviewBatch:
        """Score the atoms in scope, queue the ones to review, return the open reviews."""
        plan_id = plan_repo.parse_id(scope.masterplan_id)
        async with self._sessions.begin() as session:
            plan = await plan_repo.get_plan(session, plan_id)
            chosen = await score_plan_atoms(session, plan_id, self._config, scope.wave_number)
            fresh = await review_repo.missing_reviews(
                session, [review_repo.review_id_for(item.atom_id) for item in chosen]
            )
            advice, billed = await self._llm_advice(
                plan.provider, [i for i in chosen if review_repo.review_id_for(i.atom_id) in fresh]
            )
            # The advice calls are part of what the plan spent: they go on their atoms, whose
            # tokens and cost the plan's cost sums (and a regeneration adds to, not replaces).
            # Only fresh reviews get advice, so a redelivered activity (its reviews stored)
            # neither calls the model nor counts it again.
            for atom_id, response in billed.items():
                atom = await session.get(AtomicUnit, atom_id)
                if atom is not None:
                    _add_usage(atom, response)
            await review_repo.upsert_reviews(
                session,
                [
                    {
                        "id": review_repo.review_id_for(item.atom_id),
                        "masterplan_id": plan_id,
                        "atom_id": item.atom_id,
                        "status": ReviewStatus.PENDING,
                        "priority": item.priority,
                        "confidence": item.confidence,
                        "level": item.level,
                        "reasons": list(item.reasons),
                        "suggestions": [*item.suggestions, *advice.get(item.atom_id, ())],
                    }
                    for item in chosen
                ],
            )
            open_reviews = await review_repo.pending_for_plan(session, plan_id)
            if open_reviews:
                await plan_repo.set_status(
                    session,
                    plan_id,
                    PlanStatus.REVIEWING,
                    f"{len(open_reviews)} atom(s) wait for review",
                )
            labels = await _labels(session, [r.atom_id for r in open_reviews])
        return c.ReviewBatch(
            review_ids=[str(r.id) for r in open_reviews],
            atom_ids=[str(r.atom_id) for r in open_reviews],
            labels=[labels[r.atom_id] for r in open_reviews],
        )

    async def _llm_advice(
        self, provider_name: str | None, items: Sequence[ChosenAtom]
    ) -> tuple[dict[uuid.UUID, list[dict[str, Any]]], dict[uuid.UUID, GenerationResponse]]:
        """One suggestion from the model per new review, when a real model is configured,
        and the usage each atom's call was billed for (an empty answer is billed too).
        Advice is a nicety: a failing call leaves the rule-based suggestions alone."""
        name = provider_name or self._config.provider_name
        advice: dict[uuid.UUID, list[dict[str, Any]]] = {}
        billed: dict[uuid.UUID, GenerationResponse] = {}
        if not self._config.review_llm_advice or not items:
            return advice, billed
        if name == "reference" or name not in self._providers:
            return advice, billed
        provider = self._providers[name]
        async with self._sessions() as session:
            atoms = {i.atom_id: await atom_repo.get_atom(session, i.atom_id) for i in items}
        for item in items:
            atom = atoms[item.atom_id]
            request = GenerationRequest(
                atom_id=str(atom.id),
                system=REVIEW_ADVICE_SYSTEM,
                prompt=review_advice_prompt(
                    atom.generated_code or atom.spec_code, atom.language, item.reasons
                ),
                temperature=0.2,
                max_tokens=400,
                language=atom.language,
            )
            try:
                response = await provider.generate(request)
            except ProviderEmptyAnswer as err:
                activity.logger.warning("no LLM advice for %s: %s", atom.id, err)
                if err.response is not None:
                    billed[item.atom_id] = err.response
                continue
            except ProviderError as err:
                activity.logger.warning("no LLM advice for %s: %s", atom.id, err)
                continue
            billed[item.atom_id] = response
            if response.text.strip():
                advice[item.atom_id] = [
                    {
                        "line": None,
                        "rule": "llm",
                        "message": response.text.strip()[:2000],
                        "fix": "",
                    }
                ]
        return advice, billed

    @activity.defn(name=c.APPLY_REVIEW_DECISION)
    @permanent_errors_fail_fast
    async def apply_review_decision(self, request: c.DecisionInput) -> c.DecisionOutcome:
        decision = request.decision
        async with self._sessions.begin() as session:
            review = await review_repo.get_review(session, decision.review_id)
            atom = await atom_repo.get_atom(session, review.atom_id)
            label = atom_label(atom.file_path, atom.name, atom.ordinal)
            if str(review.masterplan_id) != request.masterplan_id:
                return _outcome(review, label, False, "the review belongs to another plan")
            if review.status not in _OPEN:
                # A redelivered activity, or a decision the workflow already applied.
                return _outcome(review, label, True, f"already {review.status}")
            review.reviewer = decision.reviewer or review.reviewer
            review.action = decision.action
            review.feedback = decision.feedback
            now = datetime.now(UTC)
            action = ReviewAction(decision.action)
            if action is ReviewAction.APPROVE:
                atom.status = AtomStatus.APPROVED if atom.generated_code else atom.status
                review.status, review.decided_at = ReviewStatus.APPROVED, now
                review.message = "approved"
                if atom.status != AtomStatus.APPROVED:
                    # Approving an atom with no generated code accepts its spec as it is.
                    atom.generated_code = atom.spec_code
                    atom.status = AtomStatus.APPROVED
                return _outcome(review, label, True, "approved")
            if action is ReviewAction.REJECT:
                atom.status = AtomStatus.REJECTED
                review.status, review.decided_at = ReviewStatus.REJECTED, now
                review.message = "rejected"
                return _outcome(review, label, True, "rejected")
            if action is ReviewAction.EDIT:
                code = decision.code if decision.code is not None else review.edited_code
                if not code or not code.strip():
                    review.message = "edit refused: no code"
                    return _outcome(review, label, False, review.message)
                # The same level-1 check a generated attempt must pass, in the same place.
                before, after = await atom_repo.spec_around(session, atom.task_id, atom.ordinal)
                check = check_edit(
                    code,
                    before,
                    after,
                    file_path=atom.file_path,
                    language=atom.language,
                    context=atom.context,
                )
                review.edited_code = code
                if not check.accepted:
                    why = "it does not parse" if not check.parses else "it fails level 1"
                    review.message = f"edit refused, {why}: {describe_problems(check.problems)}"
                    return _outcome(review, label, False, review.message)
                plan = await plan_repo.get_plan(session, review.masterplan_id)
                confidence = _edited_confidence(
                    atom,
                    check,
                    plan.atomization_config or {},
                    self._config.schedule.quality_attempts,
                )
                atom.generated_code = code
                atom.status = AtomStatus.APPROVED
                atom.confidence = confidence.score
                atom.confidence_level = confidence.level.value
                atom.confidence_reasons = list(confidence.reasons)
                review.confidence, review.level = confidence.score, confidence.level.value
                review.priority = priority_of(confidence.level)
                review.status, review.decided_at = ReviewStatus.EDITED, now
                review.message = (
                    f"edited: level 1 passed, confidence now {confidence.score:.2f} "
                    f"({confidence.level.value})"
                )
                return _outcome(review, label, True, "edited")
            # Regenerate: a new generation round, so the temperature schedule starts again.
            atom.generation_round += 1
            atom.status = AtomStatus.PENDING
            review.round = atom.generation_round
            review.status = ReviewStatus.REGENERATING
            review.message = "regenerating"
            outcome = _outcome(review, label, False, "regenerating")
        return c.DecisionOutcome(**{**outcome.__dict__, "regenerate": True})

    @activity.defn(name=c.SETTLE_REGENERATION)
    @permanent_errors_fail_fast
    async def settle_regeneration(self, done: c.RegenerationDone) -> c.DecisionOutcome:
        async with self._sessions.begin() as session:
            review = await review_repo.get_review(session, done.review_id)
            atom = await atom_repo.get_atom(session, review.atom_id)
            label = atom_label(atom.file_path, atom.name, atom.ordinal)
            if review.status != ReviewStatus.REGENERATING:
                return _outcome(review, label, review.status not in _OPEN, "already settled")
            if atom.status == AtomStatus.COMPLETED:
                review.status, review.decided_at = ReviewStatus.REGENERATED, datetime.now(UTC)
                review.message = "regenerated with the reviewer's feedback"
                return _outcome(review, label, True, review.message)
            # The new round failed too: back to the reviewer.
            review.status = ReviewStatus.PENDING
            review.message = f"regeneration failed: {done.message or atom.last_error or ''}"
            return _outcome(review, label, False, review.message)

    @activity.defn(name=c.EXPIRE_REVIEWS)
    @permanent_errors_fail_fast
    async def expire_reviews(self, request: c.ExpireReviews) -> None:
        ids = [uuid.UUID(r) for r in request.review_ids]
        async with self._sessions.begin() as session:
            await session.execute(
                update(HumanReview)
                .where(HumanReview.id.in_(ids), HumanReview.status.in_(_OPEN))
                .values(
                    status=ReviewStatus.EXPIRED,
                    message=request.reason,
                    decided_at=datetime.now(UTC),
                )
            )


def _add_usage(atom: AtomicUnit, response: GenerationResponse) -> None:
    for column in _USAGE_COLUMNS:
        setattr(atom, column, (getattr(atom, column) or 0) + getattr(response, column))
    atom.cost_usd = (atom.cost_usd or Decimal(0)) + Decimal(str(response.cost_usd))


def _edited_confidence(
    atom: AtomicUnit, check: EditCheck, limits: Mapping[str, Any], attempts_allowed: int
) -> Confidence:
    """The atom's confidence once a reviewer's edit passed level 1: scored as queue_reviews
    scores a generated atom, on what is known of the new code. Its level-1 checks count;
    the type check and the project's tests ran on the code the edit replaced, so they
    count as not run."""
    return ConfidenceScorer().score(
        ConfidenceInput(
            validation=CheckTally.of(check.outcomes),
            attempts_used=max(1, atom.attempts),
            attempts_allowed=attempts_allowed,
            complexity=check.complexity,
            max_complexity=int(limits.get("max_complexity", 3)),
            loc=check.loc,
            max_loc=int(limits.get("max_loc", 15)),
            integration=CheckTally(),
        )
    )


def _outcome(review: HumanReview, label: str, resolved: bool, message: str) -> c.DecisionOutcome:
    return c.DecisionOutcome(
        review_id=str(review.id),
        atom_id=str(review.atom_id),
        label=label,
        resolved=resolved,
        status=str(review.status),
        message=message,
    )


async def _labels(session: AsyncSession, atom_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not atom_ids:
        return {}
    rows = await session.execute(
        select(AtomicUnit.id, AtomicUnit.file_path, AtomicUnit.name, AtomicUnit.ordinal).where(
            AtomicUnit.id.in_(list(atom_ids))
        )
    )
    return {i: atom_label(f, n, o) for i, f, n, o in rows.all()}
