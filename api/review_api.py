"""The review HTTP API: the queue, one review, and the four decisions (+ assign).

Decisions are signalled to the plan's workflow as `review_decision` with ids only; an edit's
code is stored in the review row first, so no code travels through the workflow history.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from api import review_service
from domain.errors import ConflictError
from persistence import plans as plan_repo
from persistence import reviews as review_repo
from persistence.models import AtomRetryHistory, ValidationResult

router = APIRouter(prefix="/api/v2/review", tags=["review"])

SortKey = Literal["priority", "confidence", "date"]


class Reviewer(BaseModel):
    reviewer: str = Field("", max_length=200)


class EditBody(Reviewer):
    code: str = Field(min_length=1, max_length=200_000)


class FeedbackBody(Reviewer):
    feedback: str = Field("", max_length=20_000)


class RegenerateBody(Reviewer):
    feedback: str = Field(min_length=1, max_length=20_000)


class AssignBody(BaseModel):
    assignee: str = Field(min_length=1, max_length=200)


def _summary(review: Any, atom: Any) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "masterplan_id": str(review.masterplan_id),
        "atom_id": str(atom.id),
        "label": f"{atom.file_path}:{atom.name or 'part'}#{atom.ordinal}",
        "file_path": atom.file_path,
        "language": atom.language,
        "priority": review.priority,
        "confidence": review.confidence,
        "level": review.level,
        "status": str(review.status),
        "created_at": review.created_at.isoformat(),
        "assigned_to": review.assigned_to,
        "reasons": list(review.reasons or []),
        "message": review.message,
    }


@router.get("/queue")
async def review_queue(
    request: Request,
    masterplan_id: str | None = None,
    status: str | None = Query("pending"),
    sort: SortKey = "priority",
    q: str | None = Query(None, max_length=200),
) -> dict[str, Any]:
    plan_uuid = plan_repo.parse_id(masterplan_id) if masterplan_id else None
    wanted = status or None
    if wanted is not None and wanted not in review_service.STATUSES:
        raise review_service.invalid(f"status must be one of {', '.join(review_service.STATUSES)}")
    async with request.app.state.sessions() as session:
        rows = await review_repo.queue(
            session, masterplan_id=plan_uuid, status=wanted, sort=sort, search=q
        )
    return {"items": [_summary(review, atom) for review, atom in rows]}


@router.get("/statistics/{masterplan_id}")
async def review_statistics(request: Request, masterplan_id: str) -> dict[str, Any]:
    async with request.app.state.sessions() as session:
        plan = await plan_repo.get_plan(session, masterplan_id)
        stats = await review_repo.statistics(session, plan.id)
    return stats.to_dict()


@router.get("/{review_id}")
async def review_detail(request: Request, review_id: str) -> dict[str, Any]:
    async with request.app.state.sessions() as session:
        review = await review_repo.get_review(session, review_id)
        from persistence.atoms import get_atom

        atom = await get_atom(session, review.atom_id)
        previous = await session.scalar(
            select(AtomRetryHistory.generated_code)
            .where(
                AtomRetryHistory.atom_id == atom.id,
                AtomRetryHistory.generated_code.is_not(None),
            )
            .order_by(AtomRetryHistory.round.desc(), AtomRetryHistory.attempt.desc())
            .limit(1)
        )
        checks = list(
            await session.scalars(
                select(ValidationResult)
                .where(ValidationResult.atom_id == atom.id)
                .order_by(ValidationResult.level, ValidationResult.created_at)
            )
        )
    body = _summary(review, atom)
    body.update(
        {
            "suggestions": list(review.suggestions or []),
            "atom": {
                "id": str(atom.id),
                "label": body["label"],
                "file_path": atom.file_path,
                "language": atom.language,
                "status": str(atom.status),
                "code": atom.generated_code if atom.generated_code is not None else atom.spec_code,
                "spec_code": atom.spec_code,
                "reference_code": atom.reference_code,
                "previous_code": previous,
                "attempts": atom.attempts,
                "last_error": atom.last_error,
            },
            "validation": [
                {
                    "level": r.level,
                    "check_name": r.check_name,
                    "outcome": str(r.outcome),
                    "violations": list(r.violations or []),
                    "reason": r.reason,
                }
                for r in checks
            ],
        }
    )
    return body


@router.post("/{review_id}/approve", status_code=202)
async def approve(request: Request, review_id: str, body: Reviewer) -> dict[str, str]:
    await review_service.decide(request.app.state, review_id, "approve", body.reviewer)
    return {"status": "accepted"}


@router.post("/{review_id}/edit", status_code=202)
async def edit(request: Request, review_id: str, body: EditBody) -> dict[str, str]:
    await review_service.decide(request.app.state, review_id, "edit", body.reviewer, code=body.code)
    return {"status": "accepted"}


@router.post("/{review_id}/regenerate", status_code=202)
async def regenerate(request: Request, review_id: str, body: RegenerateBody) -> dict[str, str]:
    await review_service.decide(
        request.app.state, review_id, "regenerate", body.reviewer, feedback=body.feedback
    )
    return {"status": "accepted"}


@router.post("/{review_id}/reject", status_code=202)
async def reject(request: Request, review_id: str, body: FeedbackBody) -> dict[str, str]:
    await review_service.decide(
        request.app.state, review_id, "reject", body.reviewer, feedback=body.feedback or None
    )
    return {"status": "accepted"}


@router.post("/{review_id}/assign", status_code=202)
async def assign(request: Request, review_id: str, body: AssignBody) -> dict[str, str]:
    async with request.app.state.sessions.begin() as session:
        review = await review_repo.get_review(session, review_id)
        if str(review.status) not in ("pending", "regenerating"):
            raise ConflictError(f"review {review_id} is {review.status}")
        review.assigned_to = body.assignee
    return {"status": "accepted"}
