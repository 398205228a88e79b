"""A fake Anthropic Messages API: a real HTTP server on 127.0.0.1 that the real SDK talks to.

Nothing of ours is mocked in tests: the provider, the SDK and HTTP all run; only the far side
of the wire is scripted. The server runs in a background thread (``ThreadingHTTPServer``, one
thread per connection), so it serves sync and async tests alike, and concurrent requests really
overlap (``max_in_flight`` measures it).

How a request is answered, first match wins:

1. a reply scripted for a *marker* found in the request text (system + messages), e.g. an atom
   id, so concurrent requests for different atoms each get their own script;
2. the global script queue, in order;
3. the default rule, a callable ``(request_json) -> FakeReply | str``; the built-in
   ``echo_reference()`` answers with the code found between ``<reference>`` and
   ``</reference>`` in the messages, fenced, so benches run a whole plan unscripted;
   ``break_syntax_on_attempt(k, ...)`` answers like it but breaks the syntax of the code on the
   k-th request for each atom (the same ``<reference>`` block).

A plain ``str`` wherever a reply is expected means "answer with this code, fenced".

Like the real API it refuses requests without credentials (401), without ``model`` /
``max_tokens`` / ``messages`` (400), with an empty cached system block (400), and with
``temperature`` / ``top_p`` / ``top_k`` on any ``anthropic-version`` but ``2023-06-01`` (400),
before any script is consumed. Usage is deterministic: ``len(text) // 4`` tokens; a system
prefix marked ``cache_control`` is reported as ``cache_creation_input_tokens`` the first time
and ``cache_read_input_tokens`` afterwards, and is not counted in ``input_tokens``. The usage
of every message answered is kept (``usages``), so a test can add up what a run was billed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}

SAMPLING_API_VERSION = "2023-06-01"
_SECRET_HEADERS = ("x-api-key", "authorization")


def approx_tokens(text: str) -> int:
    return len(text) // 4


@dataclass(frozen=True)
class FakeReply:
    """One scripted answer. Build it with the class methods; fields are the wire details."""

    text: str | None = None
    status: int = 200
    error_type: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    delay_s: float = 0.0
    raw_body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    stop_reason: str = "end_turn"
    drop_connection: bool = False

    @classmethod
    def code(cls, code: str, *, language: str = "python", delay_s: float = 0.0) -> FakeReply:
        """An answer with ``code`` in a fenced block, as a well-behaved model gives it.

        The fence is longer than any run of backticks in the code, so a docstring holding
        a ``` line does not end the block early.
        """
        longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        return cls(text=f"{fence}{language}\n{code.rstrip()}\n{fence}\n", delay_s=delay_s)

    @classmethod
    def answer(cls, text: str, *, delay_s: float = 0.0, stop_reason: str = "end_turn") -> FakeReply:
        """An answer with exactly ``text``: prose, unfenced code, or "" for an empty one."""
        return cls(text=text, delay_s=delay_s, stop_reason=stop_reason)

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        error_type: str | None = None,
        retry_after: float | None = None,
        delay_s: float = 0.0,
    ) -> FakeReply:
        """An API error with the body shape and error type the real API uses for ``status``."""
        kind = error_type or ERROR_TYPES.get(status, "api_error")
        return cls(
            status=status,
            error_type=kind,
            error_message=message or f"fake {kind}",
            retry_after=retry_after,
            delay_s=delay_s,
        )

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1.0) -> FakeReply:
        return cls.error(
            429, "Number of requests has exceeded your rate limit", retry_after=retry_after
        )

    @classmethod
    def overloaded(cls, retry_after: float | None = None) -> FakeReply:
        return cls.error(529, "Overloaded", retry_after=retry_after)

    @classmethod
    def raw(cls, body: str, *, status: int = 200) -> FakeReply:
        """A body sent as-is (e.g. not JSON), to test response-parsing failures."""
        return cls(status=status, raw_body=body)

    @classmethod
    def disconnect(cls, *, delay_s: float = 0.0) -> FakeReply:
        """Close the connection without answering."""
        return cls(drop_connection=True, delay_s=delay_s)


Rule = Callable[[dict[str, Any]], "FakeReply | str"]


def _block_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
    return ""


def system_text(body: Mapping[str, Any]) -> str:
    return _block_text(body.get("system", ""))


def prompt_text(body: Mapping[str, Any]) -> str:
    """The text of every message, in order (what a marker or reference is looked up in)."""
    messages = body.get("messages") or []
    return "\n".join(_block_text(m.get("content")) for m in messages if isinstance(m, dict))


def _block_pattern(start: str, end: str) -> re.Pattern[str]:
    return re.compile(re.escape(start) + r"[^\n]*\n(.*?)\n?[ \t]*" + re.escape(end), re.S)


def reference_block(body: Mapping[str, Any]) -> str | None:
    """The code between ``<reference>`` and ``</reference>`` in the messages, if any: in the
    prompts MGE sends, the spec of the atom asked for."""
    found = _block_pattern("<reference>", "</reference>").search(prompt_text(body))
    return None if found is None else found.group(1)


def echo_reference(
    start: str = "<reference>", end: str = "</reference>", *, language: str = "python"
) -> Rule:
    """A rule answering with the code between ``start`` and ``end`` in the messages, fenced.

    Without such a block it answers 400, so a test that forgot to script a reply fails loudly
    and at once (a 400 is permanent: nothing retries it).
    """
    pattern = _block_pattern(start, end)

    def rule(body: dict[str, Any]) -> FakeReply | str:
        found = pattern.search(prompt_text(body))
        if found is None:
            return FakeReply.error(
                400, f"fake server: no scripted reply and no {start} block in the prompt"
            )
        return FakeReply.code(found.group(1), language=language)

    return rule


_HEADER = re.compile(
    r"^(\s*(?:async\s+def|def|class|if|elif|else|for|while|with|try|except|finally)\b.*):[ \t]*$",
    re.M,
)
_FENCED = re.compile(r"^(`{3,}|~{3,})([^\n]*)\n(.*?)\n\1[ \t]*$", re.S | re.M)


def break_syntax(code: str) -> str:
    """``code`` with a syntax error no parser misses, as a careless model makes it: the colon
    ending its first Python block header is dropped (``def f(x) -> int``); code without
    such a header (TypeScript, a bare expression) gets an unclosed ``(`` on a line of its own."""
    broken, count = _HEADER.subn(r"\1", code, count=1)
    if count:
        return broken
    return code.rstrip("\n") + "\n(\n"


def _broken_reply(reply: FakeReply | str) -> FakeReply | str:
    if isinstance(reply, str):
        return break_syntax(reply)
    if reply.status != 200 or not reply.text:
        return reply  # an error or an empty answer is broken enough already
    fenced = _FENCED.search(reply.text)
    if fenced is None:
        return replace(reply, text=break_syntax(reply.text))
    code = break_syntax(fenced.group(3))
    text = reply.text[: fenced.start(3)] + code.rstrip("\n") + reply.text[fenced.end(3) :]
    return replace(reply, text=text)


def break_syntax_on_attempt(
    *attempts: int,
    marker: str | None = None,
    base: Rule | None = None,
    key: Callable[[dict[str, Any]], str | None] = reference_block,
) -> Rule:
    """A rule answering like ``base`` (``echo_reference()`` by default), except that the
    k-th request it answers for one unit, for every k in ``attempts`` (1-based), gets its code
    with a syntax error (``break_syntax``).

    A unit is what ``key`` says a request is for: by default its ``<reference>`` block, the
    atom's spec, so every atom of a plan counts its own attempts. With ``marker``, only the
    requests containing it are counted and broken; ``base`` answers the others untouched.
    Requests answered by a script never reach the rule, so they are not counted.
    """
    if not attempts or min(attempts) < 1:
        raise ValueError("attempts are 1-based: give at least one k >= 1")
    answer = base or echo_reference()
    wanted = frozenset(attempts)
    seen: dict[str | None, int] = {}
    lock = threading.Lock()

    def rule(body: dict[str, Any]) -> FakeReply | str:
        reply = answer(body)
        if marker is not None and marker not in system_text(body) + "\n" + prompt_text(body):
            return reply
        unit = key(body)
        with lock:
            seen[unit] = seen.get(unit, 0) + 1
            attempt = seen[unit]
        return _broken_reply(reply) if attempt in wanted else reply

    return rule


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it; secret header values are replaced by ``<redacted>``."""

    seq: int
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    raw: str
    received_at: float
    answered_by: str

    @property
    def system(self) -> str:
        return system_text(self.body or {})

    @property
    def prompt(self) -> str:
        return prompt_text(self.body or {})

    @property
    def model(self) -> str | None:
        return (self.body or {}).get("model")

    @property
    def temperature(self) -> float | None:
        return (self.body or {}).get("temperature")

    @property
    def api_version(self) -> str | None:
        return self.headers.get("anthropic-version")

    def contains(self, marker: str) -> bool:
        return marker in self.system or marker in self.prompt


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a handler asleep in a scripted delay must not block shutdown
    fake: FakeAnthropicServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or disconnect on purpose are part of the script, not news;
        # anything else is a bug of the fake and is printed as usual.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the SDK keeps connections alive; so do we
    server: _HTTPServer

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
        pass


class FakeAnthropicServer:
    """The fake API. Use as a context manager, or ``start()`` / ``stop()``.

    ``latency_s`` is added to every answer (benches); ``output_tokens_per_s``, when set, adds
    the time a model takes to write its answer at that speed (a real model's latency grows with
    what it writes, which is what makes one big answer slower than several small ones);
    ``api_key``, when set, is the only key accepted (others get 401); ``default_rule`` answers
    what no script does.
    """

    def __init__(
        self,
        *,
        latency_s: float = 0.0,
        output_tokens_per_s: float | None = None,
        default_rule: Rule | None = None,
        api_key: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.latency_s = latency_s
        self.output_tokens_per_s = output_tokens_per_s
        self._default_rule: Rule = default_rule or echo_reference()
        self._api_key = api_key
        self._host = host
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._queue: deque[FakeReply] = deque()
        self._by_marker: dict[str, deque[FakeReply]] = {}
        self._requests: list[RecordedRequest] = []
        self._usages: dict[int, dict[str, int]] = {}
        self._seen_cache_keys: set[str] = set()
        self._seq = itertools.count(1)
        self._in_flight = 0
        self._max_in_flight = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self._host, 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a scripted delay
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # -- scripting ---------------------------------------------------------------------------

    def script(self, *replies: FakeReply | str, marker: str | None = None) -> None:
        """Queue replies, consumed in order; with ``marker``, only by requests containing it.

        Pick markers that cannot occur inside one another's requests (``atom-1`` is found in
        a request for ``atom-10``); the longest matching marker is tried first.
        """
        items = [FakeReply.code(r) if isinstance(r, str) else r for r in replies]
        with self._lock:
            if marker is None:
                self._queue.extend(items)
            else:
                self._by_marker.setdefault(marker, deque()).extend(items)

    def set_default(self, rule: Rule) -> None:
        with self._lock:
            self._default_rule = rule

    def pending(self) -> dict[str | None, int]:
        """Scripted replies not consumed yet, per marker (``None`` = the global queue)."""
        with self._lock:
            left: dict[str | None, int] = {m: len(q) for m, q in self._by_marker.items() if q}
            if self._queue:
                left[None] = len(self._queue)
            return left

    def reset(self) -> None:
        """Forget scripts, recorded requests, counters and the prompt cache."""
        with self._lock:
            self._queue.clear()
            self._by_marker.clear()
            self._requests.clear()
            self._seen_cache_keys.clear()
            self._usages.clear()
            self._max_in_flight = self._in_flight

    # -- observation -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_with(self, marker: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.contains(marker)]

    @property
    def usages(self) -> list[dict[str, int]]:
        """The ``usage`` of every message answered (errors bill nothing), in request order:
        what the run was billed for, token by token."""
        with self._lock:
            return [dict(self._usages[seq]) for seq in sorted(self._usages)]

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    # -- serving (handler threads) -----------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        body: dict[str, Any] | None
        try:
            parsed = json.loads(raw) if raw else None
            body = parsed if isinstance(parsed, dict) else None
        except json.JSONDecodeError:
            body = None

        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        counted = True
        try:
            refusal = self._refuse(handler, headers, body)
            with self._lock:
                # Refused requests consume no script, as a real 4xx consumes no model time.
                reply, answered_by = refusal if refusal else self._choose(body or {})
                seq = next(self._seq)
                self._requests.append(
                    RecordedRequest(
                        seq=seq,
                        method=handler.command,
                        path=handler.path,
                        headers=_redacted(headers),
                        body=body,
                        raw=_redact_text(raw, headers),
                        received_at=time.monotonic(),
                        answered_by=answered_by,
                    )
                )
            if isinstance(reply, str):
                reply = FakeReply.code(reply)
            delay = self.latency_s + reply.delay_s + self._writing_time(reply)
            if delay > 0 and self._stopping.wait(delay):
                handler.close_connection = True
                return
            rendered = self._render(reply, body or {}, seq)
            # Leave the in-flight count before the last byte goes out: a client that has its
            # answer must never observe this request as still in flight.
            with self._lock:
                self._in_flight -= 1
            counted = False
            self._write(handler, rendered)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (its timeout): nothing to do
        finally:
            if counted:
                with self._lock:
                    self._in_flight -= 1

    def _writing_time(self, reply: FakeReply) -> float:
        if not self.output_tokens_per_s or reply.status != 200 or not reply.text:
            return 0.0
        return approx_tokens(reply.text) / self.output_tokens_per_s

    def _refuse(
        self, handler: _Handler, headers: Mapping[str, str], body: dict[str, Any] | None
    ) -> tuple[FakeReply, str] | None:
        path = handler.path.split("?", 1)[0]
        if handler.command != "POST" or path != "/v1/messages":
            return FakeReply.error(
                404, f"fake server: no route {handler.command} {path}"
            ), "refused"
        key = headers.get("x-api-key") or _bearer(headers.get("authorization"))
        if not key:
            return FakeReply.error(401, "x-api-key header is required"), "refused"
        if self._api_key is not None and key != self._api_key:
            return FakeReply.error(401, "invalid x-api-key"), "refused"
        if body is None:
            return FakeReply.error(400, "request body is not a JSON object"), "refused"
        for name in ("model", "max_tokens", "messages"):
            if name not in body:
                return FakeReply.error(400, f"{name}: Field required"), "refused"
        if not isinstance(body["messages"], list) or not body["messages"]:
            return FakeReply.error(400, "messages: at least one message is required"), "refused"
        if body.get("stream"):
            return FakeReply.error(400, "fake server: streaming is not supported"), "refused"
        system = body.get("system")
        if isinstance(system, list) and any(
            isinstance(b, dict) and not str(b.get("text", "")) for b in system
        ):
            return FakeReply.error(400, "system: text content blocks must be non-empty"), "refused"
        version = headers.get("anthropic-version")
        for name in ("temperature", "top_p", "top_k"):
            if name in body and version != SAMPLING_API_VERSION:
                message = f"`{name}` is not supported on anthropic-version {version}"
                return FakeReply.error(400, message), "refused"
        return None

    def _choose(self, body: dict[str, Any]) -> tuple[FakeReply | str, str]:
        # Called with the lock held: scripts are consumed in arrival order.
        if self._by_marker:
            text = system_text(body) + "\n" + prompt_text(body)
            for marker in sorted(self._by_marker, key=len, reverse=True):
                queue = self._by_marker[marker]
                if queue and marker in text:
                    return queue.popleft(), f"marker:{marker}"
        if self._queue:
            return self._queue.popleft(), "queue"
        return self._default_rule(body), "default"

    def _render(
        self, reply: FakeReply, body: Mapping[str, Any], seq: int
    ) -> tuple[int, dict[str, str], bytes] | None:
        """Status, headers and body of the answer; ``None`` to drop the connection."""
        if reply.drop_connection:
            return None
        headers = {"request-id": f"req_fake_{seq:06d}", **reply.headers}
        if reply.retry_after is not None:
            headers["retry-after"] = f"{reply.retry_after:g}"
        if reply.raw_body is not None:
            payload = reply.raw_body
        elif reply.status != 200:
            payload = json.dumps(
                {
                    "type": "error",
                    "error": {"type": reply.error_type, "message": reply.error_message},
                    "request_id": headers["request-id"],
                }
            )
        else:
            payload = json.dumps(self._message(body, reply, seq))
        return reply.status, headers, payload.encode("utf-8")

    @staticmethod
    def _write(handler: _Handler, rendered: tuple[int, dict[str, str], bytes] | None) -> None:
        if rendered is None:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, data = rendered
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()

    def _message(self, body: Mapping[str, Any], reply: FakeReply, seq: int) -> dict[str, Any]:
        text = reply.text or ""
        cached, uncached_system = _split_cached_system(body.get("system"))
        cache_write = cache_read = 0
        if cached:
            key = hashlib.sha256(f"{body.get('model')}\0{cached}".encode()).hexdigest()
            with self._lock:
                seen = key in self._seen_cache_keys
                self._seen_cache_keys.add(key)
            if seen:
                cache_read = approx_tokens(cached)
            else:
                cache_write = approx_tokens(cached)
        input_tokens = max(1, approx_tokens(uncached_system + prompt_text(body)))
        usage = {
            "input_tokens": input_tokens,
            "output_tokens": max(1, approx_tokens(text)),
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
        }
        with self._lock:
            self._usages[seq] = usage
        return {
            "id": f"msg_fake_{seq:06d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "fake-model"),
            "content": [{"type": "text", "text": text}] if text else [],
            "stop_reason": reply.stop_reason,
            "stop_sequence": None,
            "usage": dict(usage),
        }


def _split_cached_system(system: Any) -> tuple[str, str]:
    """(text up to and including the last ``cache_control`` block, the rest)."""
    if not isinstance(system, list):
        return "", _block_text(system)
    blocks = [b for b in system if isinstance(b, dict)]
    last = max((i for i, b in enumerate(blocks) if b.get("cache_control")), default=-1)
    cached = "\n".join(str(b.get("text", "")) for b in blocks[: last + 1])
    rest = "\n".join(str(b.get("text", "")) for b in blocks[last + 1 :])
    return cached, rest


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k in _SECRET_HEADERS else v) for k, v in headers.items()}


def _redact_text(raw: str, headers: Mapping[str, str]) -> str:
    for name in _SECRET_HEADERS:
        value = headers.get(name)
        if value:
            raw = raw.replace(value, "<redacted>")
            secret = _bearer(value)
            if secret:
                raw = raw.replace(secret, "<redacted>")
    return raw


def running_fake_server(**kwargs: Any) -> Iterator[FakeAnthropicServer]:
    """For fixtures: ``yield from running_fake_server(latency_s=0.05)``."""
    with FakeAnthropicServer(**kwargs) as server:
        yield server


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropicServer]:
    """A running fake per test. Re-export it from a conftest (``from tests.fakes.anthropic_server
    import fake_anthropic``) or list this module in ``pytest_plugins`` of the root conftest."""
    yield from running_fake_server()
