"""Review stages: score confidence and queue reviews; apply reviewers' decisions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities import contracts as c
from activities.atom_check import grammar_for, spliced_syntax_problems
from activities.dependencies import UsesDeps
from activities.errors import permanent_errors_fail_fast
from activities.generation import atom_label
from activities.providers.base import GenerationRequest
from activities.providers.errors import ProviderError
from activities.review_scoring import ChosenAtom, score_plan_atoms
from domain.prompts import REVIEW_ADVICE_SYSTEM, review_advice_prompt
from domain.status import AtomStatus, PlanStatus, ReviewAction, ReviewStatus
from persistence import atoms as atom_repo
from persistence import plans as plan_repo
from persistence import reviews as review_repo
from persistence.models import AtomicUnit, HumanReview

_OPEN = (ReviewStatus.PENDING, ReviewStatus.REGENERATING)


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
            advice = await self._llm_advice(
                plan.provider, [i for i in chosen if review_repo.review_id_for(i.atom_id) in fresh]
            )
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
    ) -> dict[uuid.UUID, list[dict[str, Any]]]:
        """One suggestion from the model per new review, when a real model is configured.
        Advice is a nicety: a failing call leaves the rule-based suggestions alone."""
        name = provider_name or self._config.provider_name
        if not self._config.review_llm_advice or not items:
            return {}
        if name == "reference" or name not in self._providers:
            return {}
        provider = self._providers[name]
        advice: dict[uuid.UUID, list[dict[str, Any]]] = {}
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
            except ProviderError as err:
                activity.logger.warning("no LLM advice for %s: %s", atom.id, err)
                continue
            if response.text.strip():
                advice[item.atom_id] = [
                    {
                        "line": None,
                        "rule": "llm",
                        "message": response.text.strip()[:2000],
                        "fix": "",
                    }
                ]
        return advice

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
                before, after = await atom_repo.spec_around(session, atom.task_id, atom.ordinal)
                problems = spliced_syntax_problems(
                    before, code, after, grammar_for(atom.file_path, atom.language)
                )
                if problems:
                    review.message = f"edit refused, it does not parse: {problems}"
                    review.edited_code = code
                    return _outcome(review, label, False, review.message)
                atom.generated_code = code
                atom.status = AtomStatus.APPROVED
                review.edited_code = code
                review.status, review.decided_at = ReviewStatus.EDITED, now
                review.message = "edited"
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
