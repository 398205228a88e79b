"""Connecting to the stack a command should use: external, a running `mge dev`, or an
ephemeral embedded one started (and stopped) by the command itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from api.settings import Settings
from api.stack import StackInfo, TemporalDevServer, start_postgres, start_temporal
from domain.errors import ConflictError
from persistence.db import create_engine, session_factory


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    client: Client
    database_url: str
    temporal_address: str
    ui_url: str | None = None
    worker: Worker | None = None
    mode: str = "external"
    notes: list[str] = field(default_factory=list)


async def connect_temporal(
    settings: Settings, address: str, *, ready_timeout: float = 0.0
) -> Client:
    """Connect to Temporal. With `ready_timeout`, keep trying while the server answers
    "not healthy yet": a dev server we just started opens its port before its frontend
    is ready, and a slow machine can take several seconds between the two."""
    api_key = settings.temporal.api_key.get_secret_value() if settings.temporal.api_key else None
    deadline = asyncio.get_running_loop().time() + ready_timeout
    while True:
        try:
            return await Client.connect(
                address,
                namespace=settings.temporal.namespace,
                api_key=api_key,
                tls=settings.temporal.tls or bool(api_key),
            )
        except RuntimeError as exc:
            starting = "not healthy" in str(exc) or "Unavailable" in str(exc)
            if not starting or asyncio.get_running_loop().time() >= deadline:
                raise
            await asyncio.sleep(0.25)


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded one (started on demand)."""
    if settings.database_url:
        return settings.database_url
    return start_postgres(settings.data_dir)


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, *, run_worker: bool = True, ui: bool = True
) -> AsyncIterator[Runtime]:
    from api.worker import running_worker

    data_dir = settings.data_dir
    running = StackInfo.running(data_dir) if not settings.database_url else None
    if running is not None and running.kind != "dev":
        raise ConflictError(
            f"another `mge run` (pid {running.pid}) owns the stack in {data_dir.resolve()}; "
            "wait for it, or start `mge dev` to run several plans at once"
        )
    dev_server: TemporalDevServer | None = None
    if running and not settings.temporal.address:
        url, address, mode = running.database_url, running.temporal_address, "dev-stack"
        ui_url = running.ui_url
        run_worker = False  # the dev stack runs the worker
    else:
        url = settings.database_url or await asyncio.to_thread(start_postgres, data_dir)
        if settings.temporal.address:
            address, ui_url, mode = settings.temporal.address, None, "external"
        else:
            dev_server = await asyncio.to_thread(
                start_temporal,
                data_dir,
                port=0,
                ui_port=0,
                ui=ui,
                namespace=settings.temporal.namespace,
            )
            address, ui_url, mode = dev_server.address, dev_server.ui_url, "ephemeral"
    engine = create_engine(url)
    try:
        # A server this command started (or `mge dev` started moments ago) may still be
        # warming up; an external one is taken as it answers.
        ready = 0.0 if mode == "external" else 60.0
        client = await connect_temporal(settings, address, ready_timeout=ready)
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            client=client,
            database_url=url,
            temporal_address=address,
            ui_url=ui_url,
            mode=mode,
        )
        if dev_server is not None:
            # Other `mge` commands in this directory (review, status) find this stack.
            StackInfo(
                pid=os.getpid(),
                database_url=url,
                temporal_address=address,
                namespace=settings.temporal.namespace,
                task_queue=settings.temporal.task_queue,
                ui_url=ui_url,
                api_url=None,
                kind="run",
            ).save(data_dir)
        if run_worker:
            async with running_worker(client, settings, runtime.sessions) as worker:
                runtime.worker = worker
                yield runtime
        else:
            yield runtime
    finally:
        await engine.dispose()
        if dev_server is not None:
            StackInfo.clear(data_dir)
            dev_server.stop()


@contextlib.asynccontextmanager
async def open_running_stack(settings: Settings) -> AsyncIterator[Runtime]:
    """The stack that is already up (`mge dev`, a waiting `mge run`, or external); never
    starts one: a decision for a run must reach the run's own Temporal."""
    running = StackInfo.running(settings.data_dir)
    if settings.database_url and settings.temporal.address:
        url, address = settings.database_url, settings.temporal.address
    elif running is not None:
        url, address = running.database_url, running.temporal_address
    else:
        raise ConflictError(
            f"no running MGE stack in {settings.data_dir.resolve()}: start `mge dev` "
            "(or set MGE_DATABASE_URL and MGE_TEMPORAL__ADDRESS)"
        )
    engine = create_engine(url)
    try:
        client = await connect_temporal(settings, address)
        yield Runtime(settings, engine, session_factory(engine), client, url, address)
    finally:
        await engine.dispose()


def resolve_data_dir(settings: Settings) -> Path:
    return settings.data_dir.resolve()
