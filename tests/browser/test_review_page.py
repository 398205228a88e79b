"""The review page, end to end: a plan whose atoms needed retries waits for review; a person
approves one atom and edits the other in headless Chromium, and the run goes on to completion.

Everything is real but the far side of the LLM wire: PostgreSQL, Temporal, the worker, the
API under uvicorn over HTTP, the page's JavaScript in Chromium.
"""

from __future__ import annotations

import asyncio
import os
import textwrap
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from api.settings import Settings
from api.worker import running_worker
from domain.status import ReviewStatus
from persistence.models import AtomicUnit, HumanReview
from persistence.output import project_files
from tests.browser.harness import running_api
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.llm_stack import BROKEN_ADD, BROKEN_MUL, MUL, fake_provider, run_plan, stack_settings
from tests.temporal_cli import signal_review_decision

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext

pytestmark = [pytest.mark.browser, pytest.mark.workflow]

# The docstring carries markup: the page must show it as text and never run it.
ADD = textwrap.dedent(
    '''\
    def add(a: int, b: int) -> int:
        """Sum of a and b. <img src=x onerror="window.__mgeInjected = 1"> is text."""
        return a + b
    '''
)
EDITED_MUL = textwrap.dedent(
    '''\
    def mul(a: int, b: int) -> int:
        """Product of a and b, checked by a reviewer."""
        return a * b
    '''
)
REVIEWER = "Grace Hopper"
WAIT_S = 120.0
TASKS = (("add", ADD), ("mul", MUL))


@pytest.fixture
def review_settings(settings: Settings) -> Settings:
    # A first attempt that passes scores 0.9 (no integration tests ran); an atom that needed
    # a second attempt scores 0.75. The threshold sits between them.
    return stack_settings(settings, review={"threshold": 0.8})


async def pending_reviews(sessions: async_sessionmaker[AsyncSession], plan_id: uuid.UUID) -> int:
    async with sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(HumanReview)
            .where(
                HumanReview.masterplan_id == plan_id,
                HumanReview.status == ReviewStatus.PENDING,
            )
        )
    return int(count or 0)


async def wait_for_reviews(
    sessions: async_sessionmaker[AsyncSession],
    plan_id: uuid.UUID,
    handle: WorkflowHandle,  # type: ignore[type-arg]
    expected: int,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while loop.time() < deadline:
        if await pending_reviews(sessions, plan_id) >= expected:
            return
        description = await handle.describe()
        if description.close_time is not None:
            pytest.fail(f"the run ended before queueing reviews: {await handle.result()}")
        await asyncio.sleep(0.25)
    pytest.fail(f"no {expected} pending reviews after {WAIT_S} s")


def screenshot_dir(tmp_path: Path) -> Path:
    """Screenshots go to $MGE_SCREENSHOT_DIR when set (to look at them), else the tmp dir."""
    target = Path(os.environ.get("MGE_SCREENSHOT_DIR") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


async def test_reviewer_approves_one_atom_and_edits_another(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    review_settings: Settings,
    review_worker: Worker,
    fake: FakeAnthropicServer,
    browser_context: BrowserContext,
    tmp_path: Path,
) -> None:
    from playwright.async_api import expect

    fake.script(BROKEN_ADD, ADD, marker="def add(")
    fake.script(BROKEN_MUL, MUL, marker="def mul(")
    plan_id, handle = await run_plan(
        temporal_client, sessions, review_settings, *TASKS, name="calc-review"
    )
    await wait_for_reviews(sessions, plan_id, handle, expected=2)
    shots = screenshot_dir(tmp_path)

    async with running_api(review_settings, database_url, temporal_client) as api:
        pages = browser_context.pages
        page = pages[0] if pages else await browser_context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}")
                if msg.type in ("error", "warning")
                else None
            ),
        )
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))

        response = await page.goto(f"{api.base_url}/review#plan={plan_id}")
        assert response is not None and response.ok
        assert "script-src 'self'" in response.headers["content-security-policy"]

        # The reviewer's name is remembered by the browser.
        await page.get_by_label("Reviewer").fill(REVIEWER)
        items = page.locator(".queue-item")
        await expect(items).to_have_count(2, timeout=20_000)
        await expect(page.locator("#stats")).to_contain_text("2 pending")

        # -- approve add: the atom view shows code, reasons, suggestions and the diff ---------
        await items.filter(has_text="add").click()
        await expect(page.locator("#detail-title")).to_contain_text("add")
        code = page.locator("pre.code")
        await expect(code).to_contain_text('<img src=x onerror="window.__mgeInjected = 1">')
        await expect(code.locator(".tok-kw").first).to_have_text("def")
        await expect(page.locator(".reasons")).to_contain_text("needed 2 of 3 attempts")
        await page.get_by_role("tab", name="Diff").click()
        await expect(page.locator("#diff-base")).to_have_value("previous")
        await expect(page.locator(".line.del").first).to_contain_text(
            "def add(a: int, b: int) -> int"
        )
        await page.screenshot(path=str(shots / "review-1-atom-diff.png"), full_page=True)
        await page.get_by_role("button", name="Approve").click()
        await expect(page.locator("#notice")).to_contain_text(f"approval sent by {REVIEWER}")

        # -- edit mul in place: the page moved on to the next atom by itself -----------------
        await expect(page.locator("#detail-title")).to_contain_text("mul", timeout=20_000)
        await page.get_by_role("button", name="Edit").click()
        editor = page.get_by_label("edited code")
        await expect(editor).to_have_value(MUL)
        await editor.fill(EDITED_MUL)
        await page.screenshot(path=str(shots / "review-2-edit.png"), full_page=True)
        await page.get_by_role("button", name="Save edit").click()
        await expect(page.locator("#notice")).to_contain_text(f"edit sent by {REVIEWER}")

        # -- the workflow goes on and completes with the decisions applied -------------------
        result = await asyncio.wait_for(handle.result(), WAIT_S)
        assert result.status == "completed", result
        assert result.failed_atoms == 0

        await page.get_by_role("button", name="Refresh").click()
        await expect(page.locator(".queue-empty")).to_be_visible(timeout=20_000)
        await page.get_by_label("Status").select_option("edited")
        await expect(items).to_have_count(1)
        await expect(items.first).to_contain_text("mul")
        await page.screenshot(path=str(shots / "review-3-done.png"), full_page=True)

        await page.reload()
        await expect(page.get_by_label("Reviewer")).to_have_value(REVIEWER)

        assert await page.evaluate("window.__mgeInjected") is None, "markup in code must not run"
        assert await page.locator("#detail img").count() == 0
        foreign = [u for u in requested if not u.startswith((api.base_url, "data:"))]
        assert foreign == [], "the page loads nothing from outside the app"
        assert problems == []

    async with sessions() as session:
        reviews = {
            atom.name: review
            for review, atom in (
                await session.execute(
                    select(HumanReview, AtomicUnit)
                    .join(AtomicUnit, AtomicUnit.id == HumanReview.atom_id)
                    .where(HumanReview.masterplan_id == plan_id)
                )
            ).all()
        }
        files = {f.path: f.content for f in await project_files(session, plan_id)}
    assert (reviews["add"].status, reviews["add"].reviewer) == (ReviewStatus.APPROVED, REVIEWER)
    assert (reviews["mul"].status, reviews["mul"].reviewer) == (ReviewStatus.EDITED, REVIEWER)
    assert files["calc/add.py"] == ADD
    assert files["calc/mul.py"] == EDITED_MUL


REGENERATED_MUL = MUL.replace("return a * b", "return b * a")


async def test_issue_scenario_page_approval_and_cli_regeneration(
    temporal_client: Client,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    settings: Settings,
    fake: FakeAnthropicServer,
    browser_context: BrowserContext,
) -> None:
    """Two atoms need all three attempts (confidence 0.6, under the default 0.7): the run
    waits; one is approved on the page, the other regenerated with `temporal workflow
    signal`; the run completes and the output holds the regenerated code."""
    from playwright.async_api import expect

    default_settings = stack_settings(settings)
    fake.script(BROKEN_ADD, BROKEN_ADD, ADD, marker="def add(")
    fake.script(BROKEN_MUL, BROKEN_MUL, MUL, REGENERATED_MUL, marker="def mul(")
    providers = {"anthropic": fake_provider(fake)}
    async with running_worker(temporal_client, default_settings, sessions, providers):
        plan_id, handle = await run_plan(
            temporal_client, sessions, default_settings, *TASKS, name="calc-review"
        )
        await wait_for_reviews(sessions, plan_id, handle, expected=2)
        async with sessions() as session:
            mul_review = await session.scalar(
                select(HumanReview.id)
                .join(AtomicUnit, AtomicUnit.id == HumanReview.atom_id)
                .where(HumanReview.masterplan_id == plan_id, AtomicUnit.name == "mul")
            )

        async with running_api(default_settings, database_url, temporal_client) as api:
            page = await browser_context.new_page()
            await page.goto(f"{api.base_url}/review#plan={plan_id}")
            await page.get_by_label("Reviewer").fill(REVIEWER)
            items = page.locator(".queue-item")
            await expect(items).to_have_count(2, timeout=20_000)
            await items.filter(has_text="add").click()
            await expect(page.locator("#detail-title")).to_contain_text("add")
            await expect(page.locator(".reasons")).to_contain_text("3 of 3 attempts")
            await page.get_by_role("button", name="Approve").click()
            await expect(page.locator("#notice")).to_contain_text(f"approval sent by {REVIEWER}")

        decision = {
            "review_id": str(mul_review),
            "action": "regenerate",
            "feedback": "write it as b * a",
            "reviewer": "ops",
        }
        signal = await signal_review_decision(temporal_client, handle.id, decision)
        assert signal.returncode == 0, signal.stderr
        result = await asyncio.wait_for(handle.result(), WAIT_S)
    assert (result.status, result.failed_atoms) == ("completed", 0)
    async with sessions() as session:
        files = {f.path: f.content for f in await project_files(session, plan_id)}
        statuses = dict(
            (
                await session.execute(
                    select(AtomicUnit.name, HumanReview.status)
                    .join(AtomicUnit, AtomicUnit.id == HumanReview.atom_id)
                    .where(HumanReview.masterplan_id == plan_id)
                )
            ).all()
        )
    assert statuses == {"add": ReviewStatus.APPROVED, "mul": ReviewStatus.REGENERATED}
    assert files["calc/mul.py"] == REGENERATED_MUL
    assert "write it as b * a" in fake.requests_with("def mul(")[-1].prompt
