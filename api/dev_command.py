"""`mge dev` (the whole stack in the foreground) and `mge worker` (a worker alone)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import uvicorn
from rich.console import Console

from api.runtime import connect_temporal, open_runtime
from api.settings import Settings
from api.stack import StackInfo, start_postgres
from api.worker import running_worker
from persistence.db import create_engine, session_factory


async def _until_interrupted() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def run_dev(settings: Settings, console: Console) -> None:
    from api.app import create_app
    from api.stack import start_temporal

    data_dir = settings.data_dir
    if StackInfo.running(data_dir):
        raise SystemExit(f"a stack already runs in {data_dir.resolve()} (see stack.json)")
    console.print("starting PostgreSQL (embedded)…")
    url = settings.database_url or await asyncio.to_thread(start_postgres, data_dir)
    console.print("starting the Temporal dev server…")
    temporal = await asyncio.to_thread(
        start_temporal,
        data_dir,
        port=settings.temporal.dev_port,
        ui_port=settings.temporal.dev_ui_port,
        namespace=settings.temporal.namespace,
    )
    dev_settings = settings.model_copy(
        update={
            "database_url": url,
            "temporal": settings.temporal.model_copy(update={"address": temporal.address}),
        }
    )
    engine = create_engine(url)
    try:
        client = await connect_temporal(dev_settings, temporal.address, ready_timeout=60.0)
        sessions = session_factory(engine)
        api = create_app(dev_settings, sessions=sessions, client=client)
        server = uvicorn.Server(
            uvicorn.Config(
                api,
                host=settings.api.host,
                port=settings.api.port,
                log_level="warning",
                lifespan="off",
            )
        )
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        api_url = f"http://{settings.api.host}:{settings.api.port}"
        info = StackInfo(
            pid=os.getpid(),
            database_url=url,
            temporal_address=temporal.address,
            namespace=settings.temporal.namespace,
            task_queue=settings.temporal.task_queue,
            ui_url=temporal.ui_url,
            api_url=api_url,
        )
        info.save(data_dir)
        async with running_worker(client, dev_settings, sessions):
            serving = asyncio.create_task(server.serve())
            console.print(
                f"[bold green]MGE dev stack is up[/]\n"
                f"  Temporal Web UI  {temporal.ui_url}\n"
                f"  Temporal gRPC    {temporal.address} (namespace {settings.temporal.namespace})\n"
                f"  HTTP API         {api_url}  (docs: {api_url}/docs)\n"
                f"  PostgreSQL       {url}\n"
                f"  data             {data_dir.resolve()}\n"
                "Press Ctrl-C to stop."
            )
            await _until_interrupted()
            console.print("stopping…")
            server.should_exit = True
            await serving
    finally:
        StackInfo.clear(data_dir)
        await engine.dispose()
        temporal.stop()
    console.print("stopped")


async def run_worker_only(settings: Settings, console: Console) -> None:
    if not settings.temporal.address:
        raise SystemExit("set MGE_TEMPORAL__ADDRESS (and MGE_DATABASE_URL) to run a worker alone")
    async with open_runtime(settings, run_worker=True, ui=False) as rt:
        console.print(
            f"worker polling '{settings.temporal.task_queue}' on {rt.temporal_address}; "
            "Ctrl-C stops"
        )
        await _until_interrupted()
