"""The review HTTP API over the real stack: PostgreSQL, Temporal, a worker whose LLM is the
fake Anthropic server, and the app in-process via ASGI. A plan's run waits for review; the
API lists, shows and counts the reviews and sends the reviewers' decisions to the run."""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from api.settings import Settings
from domain.status import AtomStatus, ReviewStatus
from persistence.models import AtomicUnit, HumanReview
from persistence.output import project_files
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.llm_stack import ADD, BROKEN_MUL, MUL, api_client
from tests.review_setup import (
    EDITED_MUL,
    SUB,
    add_in_review,
    add_mul_sub_in_review,
    open_reviews,
    review_row,
)

pytestmark = pytest.mark.workflow

NEG = textwrap.dedent(
    '''\
    def neg(a: int) -> int:
        """a with its sign flipped."""
        return -a
    '''
)
REGENERATED_NEG = NEG.replace("return -a", "return 0 - a")
MISSING = "00000000-0000-0000-0000-000000000000"

# The run, its handle, and the id of each atom's review by the atom's name.
FourReviews = tuple[uuid.UUID, WorkflowHandle, dict[str, str]]  # type: ignore[type-arg]


@pytest.fixture
async def http(
    review_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    temporal_client: Client,
) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(review_settings, sessions, temporal_client) as client:
        yield client


@pytest.fixture
async def four_reviews(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
) -> FourReviews:
    """A run waiting for four reviews: add failed (critical), mul needed two attempts
    (medium), sub and neg passed at once (high). Gives review ids by atom name."""
    plan_id, handle = await add_mul_sub_in_review(
        temporal_client, sessions, review_settings, fake, ("neg", NEG, (NEG, REGENERATED_NEG))
    )
    async with sessions() as session:
        rows = await session.execute(
            select(AtomicUnit.name, HumanReview.id)
            .join(HumanReview, HumanReview.atom_id == AtomicUnit.id)
            .where(HumanReview.masterplan_id == plan_id)
        )
        ids = {str(name): str(review_id) for name, review_id in rows.all()}
    assert set(ids) == {"add", "mul", "sub", "neg"}
    return plan_id, handle, ids


def names(body: dict[str, Any], ids: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[item["id"]] for item in body["items"]]


async def test_queue_sorts_searches_filters_and_counts(
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    four_reviews: FourReviews,
) -> None:
    plan_id, handle, ids = four_reviews
    # Queued in one statement, the reviews share a timestamp; spread them out, and give neg
    # the lowest score, so that each sort order is a different permutation.
    now = datetime.now(UTC)
    queued_at = {"add": 4, "mul": 3, "sub": 2, "neg": 1}
    async with sessions.begin() as session:
        for name, hours in queued_at.items():
            await session.execute(
                update(HumanReview)
                .where(HumanReview.id == uuid.UUID(ids[name]))
                .values(created_at=now - timedelta(hours=hours))
            )
        await session.execute(
            update(HumanReview)
            .where(HumanReview.id == uuid.UUID(ids["neg"]))
            .values(confidence=0.1)
        )
    params = {"masterplan_id": str(plan_id)}

    default = await http.get("/api/v2/review/queue", params=params)
    assert default.status_code == 200
    body = default.json()
    assert names(body, ids) == ["add", "mul", "sub", "neg"], "priority first, then oldest"
    assert [i["priority"] for i in body["items"]] == [100, 50, 25, 25]
    first = body["items"][0]
    assert first["label"].startswith("calc/add.py:add#")
    assert (first["status"], first["level"], first["file_path"]) == (
        "pending",
        "critical",
        "calc/add.py",
    )
    assert first["masterplan_id"] == str(plan_id) and first["reasons"]
    by_confidence = await http.get("/api/v2/review/queue", params={**params, "sort": "confidence"})
    assert names(by_confidence.json(), ids) == ["neg", "add", "mul", "sub"]
    by_date = await http.get("/api/v2/review/queue", params={**params, "sort": "date"})
    assert names(by_date.json(), ids) == ["neg", "sub", "mul", "add"], "newest first"

    async def search(text: str) -> list[str]:
        found = await http.get("/api/v2/review/queue", params={**params, "q": text})
        assert found.status_code == 200
        return sorted(names(found.json(), ids))

    assert await search("CALC/SUB") == ["sub"], "file path, any case"
    assert await search("return a * b") == ["mul"], "code"
    # Words found only in the reasons an atom was queued for.
    assert await search("needed 2 of 3 attempts") == ["mul"]
    assert await search("no attempt passed") == ["add"]
    assert await search("below threshold 0.95") == ["add", "mul", "neg", "sub"]
    assert await search("%") == [], "the search text is literal"
    assert await search("nothing like this") == []

    approved = await http.get("/api/v2/review/queue", params={**params, "status": "approved"})
    assert approved.json()["items"] == []
    every = await http.get("/api/v2/review/queue", params={**params, "status": ""})
    assert len(every.json()["items"]) == 4
    other_plan = await http.get("/api/v2/review/queue", params={"masterplan_id": MISSING})
    assert other_plan.json()["items"] == []

    detail = await http.get(f"/api/v2/review/{ids['mul']}")
    assert detail.status_code == 200
    mul = detail.json()
    assert (mul["id"], mul["status"], mul["level"]) == (ids["mul"], "pending", "medium")
    assert mul["atom"]["code"] == MUL
    assert mul["atom"]["previous_code"] == BROKEN_MUL, "the failed attempt, for the diff"
    assert mul["atom"]["spec_code"] == MUL and mul["atom"]["attempts"] == 2
    assert any("needed 2 of 3 attempts" in r for r in mul["reasons"])
    assert isinstance(mul["suggestions"], list)
    assert {row["level"] for row in mul["validation"]} >= {1}
    assert all({"check_name", "outcome", "violations"} <= set(r) for r in mul["validation"])

    stats = await http.get(f"/api/v2/review/statistics/{plan_id}")
    assert stats.status_code == 200
    figures = stats.json()
    assert set(figures) == {s.value for s in ReviewStatus} | {
        "total",
        "by_level",
        "mean_confidence",
        "oldest_pending",
    }
    assert (figures["pending"], figures["approved"], figures["total"]) == (4, 0, 4)
    assert figures["by_level"] == {"critical": 1, "low": 0, "medium": 1, "high": 2}
    scores = [(await review_row(sessions, ids[n])).confidence for n in ("add", "mul", "sub", "neg")]
    assert None not in scores and scores[3] == 0.1
    assert figures["mean_confidence"] == round(sum(s for s in scores if s is not None) / 4, 4)
    oldest = datetime.fromisoformat(figures["oldest_pending"])
    assert abs(oldest - (now - timedelta(hours=4))) < timedelta(seconds=1), "add's"
    await handle.terminate("test over")


async def test_decisions_and_assignment(
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    fake: FakeAnthropicServer,
    four_reviews: FourReviews,
) -> None:
    plan_id, handle, ids = four_reviews

    assigned = await http.post(f"/api/v2/review/{ids['mul']}/assign", json={"assignee": "grace"})
    assert assigned.status_code == 202
    assert (await http.get(f"/api/v2/review/{ids['mul']}")).json()["assigned_to"] == "grace"

    sent = {
        "add": await http.post(f"/api/v2/review/{ids['add']}/approve", json={"reviewer": "ada"}),
        "mul": await http.post(
            f"/api/v2/review/{ids['mul']}/edit", json={"code": EDITED_MUL, "reviewer": "grace"}
        ),
        "sub": await http.post(
            f"/api/v2/review/{ids['sub']}/reject", json={"feedback": "not needed"}
        ),
        "neg": await http.post(
            f"/api/v2/review/{ids['neg']}/regenerate",
            json={"feedback": "subtract from zero", "reviewer": "ada"},
        ),
    }
    for name, response in sent.items():
        assert (name, response.status_code, response.json()) == (
            name,
            202,
            {"status": "accepted"},
        )
    result = await handle.result()
    assert (result.status, result.failed_atoms) == ("completed", 0)

    add, mul, sub, neg = [await review_row(sessions, ids[n]) for n in ("add", "mul", "sub", "neg")]
    assert (add.status, add.action, add.reviewer) == (ReviewStatus.APPROVED, "approve", "ada")
    assert (mul.status, mul.edited_code, mul.reviewer, mul.assigned_to) == (
        ReviewStatus.EDITED,
        EDITED_MUL,
        "grace",
        "grace",
    )
    assert (sub.status, sub.feedback) == (ReviewStatus.REJECTED, "not needed")
    assert (neg.status, neg.feedback) == (ReviewStatus.REGENERATED, "subtract from zero")
    assert "subtract from zero" in fake.requests_with("def neg(")[-1].prompt
    async with sessions() as session:
        atoms = {
            a.name: a
            for a in await session.scalars(
                select(AtomicUnit).where(AtomicUnit.masterplan_id == plan_id)
            )
        }
        files = {f.path: f.content for f in await project_files(session, plan_id)}
    assert atoms["add"].status == AtomStatus.APPROVED
    assert atoms["sub"].status == AtomStatus.REJECTED
    assert files == {
        "calc/add.py": ADD,  # approved as it was: the spec, since no attempt passed
        "calc/mul.py": EDITED_MUL,
        "calc/sub.py": SUB,  # rejected: the spec, not the generated code
        "calc/neg.py": REGENERATED_NEG,
    }

    rejected = await http.get(
        "/api/v2/review/queue", params={"masterplan_id": str(plan_id), "status": "rejected"}
    )
    assert [i["id"] for i in rejected.json()["items"]] == [ids["sub"]]
    figures = (await http.get(f"/api/v2/review/statistics/{plan_id}")).json()
    counted = ("pending", "approved", "edited", "rejected", "regenerated", "total")
    assert [figures[k] for k in counted] == [0, 1, 1, 1, 1, 4]
    assert figures["oldest_pending"] is None

    # A decided review takes no other decision, and no assignee.
    again = await http.post(f"/api/v2/review/{ids['add']}/reject", json={})
    assert again.status_code == 409 and "not pending" in again.json()["detail"]
    late = await http.post(f"/api/v2/review/{ids['sub']}/assign", json={"assignee": "bob"})
    assert late.status_code == 409
    assert (await review_row(sessions, ids["sub"])).assigned_to is None


async def test_bad_input_is_refused_and_writes_nothing(
    http: httpx.AsyncClient,
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
) -> None:
    _, handle, review_id = await add_in_review(temporal_client, sessions, review_settings, fake)
    before = await review_row(sessions, review_id)
    url = f"/api/v2/review/{review_id}"

    refused = [
        (await http.get(f"/api/v2/review/{MISSING}"), 404),
        (await http.get("/api/v2/review/not-a-uuid"), 404),
        (await http.post(f"/api/v2/review/{MISSING}/approve", json={}), 404),
        (await http.post("/api/v2/review/not-a-uuid/reject", json={}), 404),
        (await http.post(f"/api/v2/review/{MISSING}/assign", json={"assignee": "x"}), 404),
        (await http.post(f"{url}/edit", json={}), 422),
        (await http.post(f"{url}/edit", json={"code": ""}), 422),
        (await http.post(f"{url}/edit", json={"code": "   \n"}), 422),
        (await http.post(f"{url}/regenerate", json={"reviewer": "ada"}), 422),
        (await http.post(f"{url}/regenerate", json={"feedback": "  "}), 422),
        (await http.post(f"{url}/approve", json={"reviewer": "x" * 201}), 422),
        (
            await http.post(
                f"{url}/reject", content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
        ),
        (await http.post(f"{url}/assign", json={"assignee": ""}), 422),
        (await http.post(f"{url}/merge", json={}), 404),
        (await http.get("/api/v2/review/queue", params={"sort": "random"}), 422),
        (await http.get("/api/v2/review/queue", params={"status": "lost"}), 422),
        (await http.get("/api/v2/review/queue", params={"masterplan_id": "nope"}), 404),
        (await http.get(f"/api/v2/review/statistics/{MISSING}"), 404),
        (await http.get("/api/v2/review/statistics/not-a-uuid"), 404),
    ]

    def call(response: httpx.Response) -> str:
        request = response.request
        return f"{request.method} {request.url.path} {request.url.query!r}"

    assert [(call(r), r.status_code) for r, _ in refused] == [
        (call(r), status) for r, status in refused
    ]
    assert all(r.json()["detail"] for r, _ in refused), "each refusal says why"

    after = await review_row(sessions, review_id)
    fields = ("status", "edited_code", "reviewer", "assigned_to", "feedback", "action", "message")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert after.status == ReviewStatus.PENDING and after.edited_code is None
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(HumanReview))
    assert count == 1
    # Nothing reached the run either: no decision was signalled, the review is still open.
    history = await handle.fetch_history()
    signalled = [
        e
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    assert signalled == []
    assert await open_reviews(handle, 1) == [review_id]
    await handle.terminate("test over")
