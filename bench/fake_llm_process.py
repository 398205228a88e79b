"""The fake Anthropic server of ``tests/fakes`` in a process of its own, driven over a pipe.

Why a separate process: the fake is a threaded Python HTTP server. In the bench's process it
would parse and render hundreds of concurrent requests under the same GIL as the worker being
measured, and charge that CPU to orchestration. A real LLM endpoint costs the worker nothing but
its own HTTP client, so the fake runs beside it, as the API would.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from typing import Any

# socketserver's default listen backlog is 5: a burst of 100+ new keep-alive connections
# overflows it and the kernel drops SYNs, which the client retries only after ~1 s. A real
# API front end does not do that, so the bench's fake gets a deep backlog.
_LISTEN_BACKLOG = 4096


def _serve(latency_s: float, conn: Connection) -> None:
    from tests.fakes import anthropic_server as fakes

    fakes._HTTPServer.request_queue_size = _LISTEN_BACKLOG
    with fakes.FakeAnthropicServer(latency_s=latency_s) as fake:
        conn.send(fake.base_url)
        while True:
            command, argument = conn.recv()
            if command == "stop":
                conn.send(None)
                return
            if command == "reset":
                fake.reset()
                conn.send(None)
            elif command == "latency":
                fake.latency_s, fake.output_tokens_per_s = argument
                conn.send(None)
            elif command == "stats":
                conn.send({"max_in_flight": fake.max_in_flight, "requests": fake.request_count})


class FakeLLMProcess:
    """Start with ``with FakeLLMProcess(latency_s=1.0) as fake: fake.base_url``."""

    def __init__(self, latency_s: float) -> None:
        self._latency_s = latency_s
        self._conn: Connection | None = None
        self._process: Any = None
        self.base_url = ""

    def __enter__(self) -> FakeLLMProcess:
        context = mp.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(self._latency_s, theirs), name="fake-anthropic", daemon=True
        )
        self._process.start()
        self._conn = ours
        self.base_url = ours.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._conn is not None:
            self._call("stop")
        if self._process is not None:
            self._process.join(timeout=10)

    @property
    def pid(self) -> int:
        return int(self._process.pid)

    def _call(self, command: str, argument: object = None) -> Any:
        assert self._conn is not None, "the fake is not running"
        self._conn.send((command, argument))
        return self._conn.recv()

    def reset(self) -> None:
        """Forget recorded requests and start counting max_in_flight afresh."""
        self._call("reset")

    def set_latency(self, latency_s: float, output_tokens_per_s: float | None = None) -> None:
        """Every answer takes ``latency_s``, plus its length at ``output_tokens_per_s``."""
        self._call("latency", (latency_s, output_tokens_per_s))

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = self._call("stats")
        return stats
