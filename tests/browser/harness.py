"""What browser tests need: an app served over real HTTP, and a headless Chromium.

The app runs under uvicorn in a background thread with its own event loop. The full API gets
its own database engine and Temporal client there, like a separate API process in production:
asyncpg connections and Temporal calls belong to the event loop that made them, and the test's
loop keeps running the worker and the assertions.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from temporalio.client import Client

from api.settings import Settings
from persistence.db import create_engine, session_factory

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Playwright

# Debian's chromium (CI installs it with apt). Never a browser downloaded by Playwright.
CHROMIUM = Path(os.environ.get("MGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_S = 30.0

AppFactory = Callable[[], AbstractAsyncContextManager[Any]]


class _Server(uvicorn.Server):
    """uvicorn that says when it accepts connections (it has no hook of its own for that)."""

    def __init__(self, config: uvicorn.Config, listening: threading.Event) -> None:
        super().__init__(config)
        self._listening = listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._listening.set()


class UvicornThread(threading.Thread):
    """Serves the ASGI app that ``make_app`` yields on 127.0.0.1 and a free port."""

    def __init__(self, make_app: AppFactory) -> None:
        super().__init__(name="uvicorn-under-test", daemon=True)
        self._make_app = make_app
        # Bound before the thread starts: the URL is known at once, and no other process can
        # take the port in between.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._ready = threading.Event()
        self._server: _Server | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the test by wait_ready
            self.error = exc
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        async with self._make_app() as app:
            config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
            self._server = _Server(config, self._ready)
            await self._server.serve(sockets=[self._socket])

    async def wait_ready(self) -> None:
        if not await asyncio.to_thread(self._ready.wait, STARTUP_S):
            raise TimeoutError(f"the app did not start within {STARTUP_S} s")
        if self.error is not None or not self.is_alive():
            raise RuntimeError(f"the app failed to start: {self.error!r}")

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        await asyncio.to_thread(self.join, 15)
        self._socket.close()


@asynccontextmanager
async def served(make_app: AppFactory) -> AsyncIterator[UvicornThread]:
    server = UvicornThread(make_app)
    server.start()
    try:
        await server.wait_ready()
        yield server
    finally:
        await server.stop()


def full_api(
    settings: Settings, database_url: str, temporal_target: str, namespace: str
) -> AppFactory:
    """``create_app`` with its own engine and Temporal client, made in the server's loop."""

    @asynccontextmanager
    async def make() -> AsyncIterator[Any]:
        from api.app import create_app

        engine = create_engine(database_url, pool_size=4)
        try:
            client = await Client.connect(temporal_target, namespace=namespace)
            yield create_app(settings, sessions=session_factory(engine), client=client)
        finally:
            await engine.dispose()

    return make


@asynccontextmanager
async def running_api(
    settings: Settings, database_url: str, temporal_client: Client
) -> AsyncIterator[UvicornThread]:
    """The whole API, talking to the test's database and Temporal server."""
    target = temporal_client.service_client.config.target_host
    async with served(full_api(settings, database_url, target, temporal_client.namespace)) as api:
        async with httpx.AsyncClient(base_url=api.base_url) as http:
            page = await http.get("/review")
        if page.status_code != 200:
            raise RuntimeError(
                f"GET /review answered {page.status_code}: create_app must include "
                "api.review_page.router"
            )
        yield api


async def new_browser(playwright: Playwright, profile_dir: Path) -> BrowserContext:
    """A headless Chromium with a fresh profile (no cookies, no storage from other runs)."""
    return await playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000},
    )
