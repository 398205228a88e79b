"""A plan run on the real stack whose LLM is the fake Anthropic server: the code the fake
answers with, the settings and the worker of such a run, the run itself, the app over ASGI,
and the replay of what the run recorded."""

from __future__ import annotations

import contextlib
import textwrap
import uuid
from collections.abc import AsyncIterator

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Replayer, Worker

from activities.providers import AnthropicProvider, LLMProvider, ReferenceProvider
from api import services
from api.app import create_app
from api.settings import Settings
from api.worker import running_worker
from domain.plan import validate_plan_data
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.plans import single_milestone_plan
from workflows.masterplan import MasterPlanWorkflow
from workflows.wave import WaveWorkflow

ADD = textwrap.dedent(
    '''\
    def add(a: int, b: int) -> int:
        """Sum of a and b."""
        return a + b
    '''
)
BROKEN_ADD = "def add(a: int, b: int) -> int\n    return a + b\n"
MUL = textwrap.dedent(
    '''\
    def mul(a: int, b: int) -> int:
        """Product of a and b."""
        return a * b
    '''
)
BROKEN_MUL = "def mul(a: int, b: int) -> int\n    return a * b\n"


def many_functions(count: int) -> list[tuple[str, str]]:
    return [
        (
            f"f{i:02d}",
            f'def f{i:02d}(x: int) -> int:\n    """Step {i}."""\n    return x + {i}\n',
        )
        for i in range(count)
    ]


def with_review(settings: Settings, **review: object) -> Settings:
    """`settings` with `review` changed in its review settings."""
    return settings.model_copy(update={"review": settings.review.model_copy(update=review)})


def stack_settings(
    settings: Settings, review: dict[str, object] | None = None, **update: object
) -> Settings:
    """`settings` for a worker on the real stack: heartbeats often and soon missed, so that a
    lost activity is noticed in seconds; with `update`, and `review` in the review settings."""
    quick = settings.model_copy(
        update={"heartbeat_every_s": 0.5, "heartbeat_timeout_s": 5.0, **update}
    )
    return quick if review is None else with_review(quick, **review)


def fake_provider(fake: FakeAnthropicServer) -> AnthropicProvider:
    """The real Anthropic provider, pointed at the fake server."""
    return AnthropicProvider(
        api_key="sk-ant-test-key", model="claude-sonnet-4-6", base_url=fake.base_url
    )


def make_worker(
    client: Client,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    fake: FakeAnthropicServer,
) -> contextlib.AbstractAsyncContextManager[Worker]:
    providers: dict[str, LLMProvider] = {
        "anthropic": fake_provider(fake),
        "reference": ReferenceProvider(),
    }
    return running_worker(client, settings, sessions, providers)


def plan_document(*tasks: tuple[str, str], name: str = "calc") -> dict[str, object]:
    return single_milestone_plan(name, *tasks)


async def run_plan(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *tasks: tuple[str, str],
    name: str = "calc",
) -> tuple[uuid.UUID, WorkflowHandle]:  # type: ignore[type-arg]
    """The plan of `tasks` imported for the anthropic provider, and its run started."""
    spec = validate_plan_data(plan_document(*tasks, name=name))
    plan_id = await services.import_plan(sessions, spec, provider="anthropic")
    handle = await services.start_run(client, sessions, plan_id, settings.temporal.task_queue)
    return plan_id, handle


@contextlib.asynccontextmanager
async def api_client(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], client: Client
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app, served in-process through ASGI."""
    app = create_app(settings, sessions=sessions, client=client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mge") as http:
        yield http


async def assert_replays(client: Client, handle: WorkflowHandle, plan_id: uuid.UUID) -> None:  # type: ignore[type-arg]
    replayer = Replayer(workflows=[MasterPlanWorkflow, WaveWorkflow])
    await replayer.replay_workflow(await handle.fetch_history())
    async for execution in client.list_workflows(f'MgeMasterPlanId = "{plan_id}"'):
        if execution.id != handle.id:
            child = client.get_workflow_handle(execution.id)
            await replayer.replay_workflow(await child.fetch_history())
