"""Sending a reviewer's decision: check it, store what the workflow must not carry, signal."""

from __future__ import annotations

from typing import Any

from activities.contracts import REVIEW_DECISION_SIGNAL, ReviewDecision
from domain.errors import ConflictError, InvalidInputError
from domain.status import ReviewAction, ReviewStatus
from persistence import reviews as review_repo
from workflows.ids import masterplan_workflow_id

STATUSES = tuple(s.value for s in ReviewStatus)
ACTIONS = tuple(a.value for a in ReviewAction)


def invalid(message: str) -> InvalidInputError:
    return InvalidInputError(message)


async def decide(
    state: Any,
    review_id: str,
    action: str,
    reviewer: str,
    *,
    code: str | None = None,
    feedback: str | None = None,
) -> None:
    """`state` carries `sessions` and `client` (the FastAPI app state, or the CLI runtime)."""
    if action not in ACTIONS:
        raise InvalidInputError(f"action must be one of {', '.join(ACTIONS)}")
    if action == "regenerate" and not (feedback and feedback.strip()):
        raise InvalidInputError("feedback: regenerate needs the reviewer's feedback")
    if action == "edit" and not (code and code.strip()):
        raise InvalidInputError("code: edit needs the new code")
    async with state.sessions.begin() as session:
        review = await review_repo.get_review(session, review_id)
        if review.status != ReviewStatus.PENDING:
            raise ConflictError(f"review {review_id} is {review.status}, not pending")
        if code is not None:
            review.edited_code = code
        plan_id = str(review.masterplan_id)
    handle = state.client.get_workflow_handle(masterplan_workflow_id(plan_id))
    await handle.signal(
        REVIEW_DECISION_SIGNAL,
        ReviewDecision(review_id=review_id, action=action, reviewer=reviewer, feedback=feedback),
    )
