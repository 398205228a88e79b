"""The human review queue."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFoundError
from domain.review.queue import QueueEntry, QueueStatistics, queue_statistics
from domain.status import ReviewAction, ReviewStatus
from persistence.models import AtomicUnit, HumanReview

_LIKE_SPECIAL = re.compile(r"[\\%_]")


def review_id_for(atom_id: uuid.UUID) -> uuid.UUID:
    # One review per atom: queueing twice (a redelivered activity) finds the same row.
    return uuid.uuid5(atom_id, "human-review")


async def upsert_reviews(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert reviews; an existing review of the atom keeps its state (idempotent)."""
    for start in range(0, len(rows), 500):
        await session.execute(
            insert(HumanReview).values(list(rows[start : start + 500])).on_conflict_do_nothing()
        )


async def missing_reviews(session: AsyncSession, review_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these reviews do not exist yet."""
    if not review_ids:
        return set()
    existing = set(
        await session.scalars(select(HumanReview.id).where(HumanReview.id.in_(list(review_ids))))
    )
    return set(review_ids) - existing


async def get_review(session: AsyncSession, review_id: str | uuid.UUID) -> HumanReview:
    try:
        key = review_id if isinstance(review_id, uuid.UUID) else uuid.UUID(str(review_id))
    except ValueError:
        raise NotFoundError(f"review id '{review_id}' is not a UUID") from None
    review = await session.get(HumanReview, key)
    if review is None:
        raise NotFoundError(f"review {review_id} not found")
    return review


async def pending_for_plan(session: AsyncSession, masterplan_id: uuid.UUID) -> list[HumanReview]:
    rows = await session.scalars(
        select(HumanReview)
        .where(
            HumanReview.masterplan_id == masterplan_id,
            HumanReview.status.in_([ReviewStatus.PENDING, ReviewStatus.REGENERATING]),
        )
        .order_by(HumanReview.priority.desc(), HumanReview.created_at, HumanReview.id)
    )
    return list(rows)


async def queue(
    session: AsyncSession,
    *,
    masterplan_id: uuid.UUID | None = None,
    status: str | None = None,
    sort: str = "priority",
    search: str | None = None,
    limit: int = 200,
) -> list[tuple[HumanReview, AtomicUnit]]:
    query = select(HumanReview, AtomicUnit).join(AtomicUnit, AtomicUnit.id == HumanReview.atom_id)
    if masterplan_id is not None:
        query = query.where(HumanReview.masterplan_id == masterplan_id)
    if status:
        query = query.where(HumanReview.status == ReviewStatus(status))
    if search:
        # The search text is literal: % and _ match themselves.
        pattern = "%" + _LIKE_SPECIAL.sub(r"\\\g<0>", search) + "%"
        reason = func.jsonb_array_elements_text(HumanReview.reasons).table_valued("value")
        query = query.where(
            AtomicUnit.file_path.ilike(pattern, escape="\\")
            | AtomicUnit.name.ilike(pattern, escape="\\")
            | func.coalesce(AtomicUnit.generated_code, AtomicUnit.spec_code).ilike(
                pattern, escape="\\"
            )
            | exists(
                select(1).select_from(reason).where(reason.c.value.ilike(pattern, escape="\\"))
            )
        )
    orders: dict[str, tuple[Any, ...]] = {
        "priority": (HumanReview.priority.desc(), HumanReview.created_at),
        "confidence": (HumanReview.confidence.asc().nulls_first(), HumanReview.created_at),
        "date": (HumanReview.created_at.desc(),),
    }
    order = orders[sort]
    rows = await session.execute(query.order_by(*order, HumanReview.id).limit(limit))
    return [(r[0], r[1]) for r in rows.all()]


async def statistics(session: AsyncSession, masterplan_id: uuid.UUID) -> QueueStatistics:
    """The plan's queue statistics: the rows are loaded here, the figures computed by the
    domain (``queue_statistics``), so there is one definition of them."""
    rows = await session.execute(
        select(
            HumanReview.status, HumanReview.level, HumanReview.confidence, HumanReview.created_at
        ).where(HumanReview.masterplan_id == masterplan_id)
    )
    return queue_statistics(QueueEntry(*row) for row in rows.all())


async def latest_regenerate_feedback(session: AsyncSession, atom_id: uuid.UUID) -> str | None:
    return await session.scalar(
        select(HumanReview.feedback).where(
            HumanReview.atom_id == atom_id, HumanReview.action == ReviewAction.REGENERATE.value
        )
    )
