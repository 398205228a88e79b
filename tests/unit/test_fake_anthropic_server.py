"""The fake Anthropic server's own rules: scripting, matching, errors, usage, counters."""

from __future__ import annotations

import ast
import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.anthropic_server import (
    FakeAnthropicServer,
    FakeReply,
    break_syntax,
    break_syntax_on_attempt,
    echo_reference,
    running_fake_server,
)

KEY = "sk-test-fake-server-key"


@pytest.fixture
def server() -> Iterator[FakeAnthropicServer]:
    yield from running_fake_server()


def post(
    server: FakeAnthropicServer,
    body: dict[str, Any] | None = None,
    *,
    prompt: str = "hello",
    system: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    if body is None:
        body = {
            "model": "claude-sonnet-4-6",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": prompt}],
        }
        if system is not None:
            body["system"] = system
    sent = {"x-api-key": KEY, "content-type": "application/json", **(headers or {})}
    req = urllib.request.Request(
        f"{server.base_url}/v1/messages", data=json.dumps(body).encode(), headers=sent
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def answer_text(payload: dict[str, Any]) -> str:
    return "".join(block["text"] for block in payload["content"])


def test_message_shape(server: FakeAnthropicServer) -> None:
    server.script("x = 1")
    status, headers, payload = post(server)
    assert status == 200
    assert payload["type"] == "message"
    assert payload["role"] == "assistant"
    assert payload["model"] == "claude-sonnet-4-6"
    assert payload["stop_reason"] == "end_turn"
    assert payload["stop_sequence"] is None
    assert payload["id"].startswith("msg_")
    assert answer_text(payload) == "```python\nx = 1\n```\n"
    assert set(payload["usage"]) == {
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    }
    assert headers["request-id"]


def test_queue_is_consumed_in_order_then_the_default_rule_answers(
    server: FakeAnthropicServer,
) -> None:
    server.script("a = 1", FakeReply.answer("just prose"))
    assert answer_text(post(server)[2]) == "```python\na = 1\n```\n"
    assert answer_text(post(server)[2]) == "just prose"
    reply = post(server, prompt="write it\n<reference>\ndef f():\n    return 2\n</reference>\n")
    assert answer_text(reply[2]) == "```python\ndef f():\n    return 2\n```\n"
    assert [r.answered_by for r in server.requests] == ["queue", "queue", "default"]
    assert server.pending() == {}


def test_default_rule_without_a_reference_is_a_loud_400(server: FakeAnthropicServer) -> None:
    status, _, payload = post(server, prompt="nothing scripted here")
    assert status == 400
    assert payload["error"]["type"] == "invalid_request_error"
    assert "no scripted reply" in payload["error"]["message"]


def test_code_with_backticks_gets_a_longer_fence(server: FakeAnthropicServer) -> None:
    code = 'def f():\n    """Example:\n\n    ```\n    f()\n    ```\n    """'
    server.script(code)
    assert answer_text(post(server)[2]) == f"````python\n{code}\n````\n"


def test_echo_reference_with_the_prompt_layout_of_domain_prompts(
    server: FakeAnthropicServer,
) -> None:
    # domain.prompts puts the spec right before the closing tag, without a newline of its own.
    prompt = "Atom a1.\n\nSpec:\n<reference>\n    def f(self):\n        ...\n</reference>"
    assert answer_text(post(server, prompt=prompt)[2]) == (
        "```python\n    def f(self):\n        ...\n```\n"
    )


def test_echo_reference_with_custom_markers_and_language() -> None:
    rule = echo_reference("<<CODE>>", "<</CODE>>", language="typescript")
    with FakeAnthropicServer(default_rule=rule) as server:
        _, _, payload = post(server, prompt="<<CODE>>\nexport const a = 1;\n<</CODE>>")
    assert answer_text(payload) == "```typescript\nexport const a = 1;\n```\n"


def test_custom_default_rule_sees_the_request_and_may_return_plain_code() -> None:
    seen: list[dict[str, Any]] = []

    def rule(body: dict[str, Any]) -> str:
        seen.append(body)
        return f"model = {body['model']!r}"

    with FakeAnthropicServer(default_rule=rule) as server:
        _, _, payload = post(server)
    assert answer_text(payload) == "```python\nmodel = 'claude-sonnet-4-6'\n```\n"
    assert seen[0]["messages"][0]["content"] == "hello"


def test_marker_scripts_win_over_the_queue_and_longest_marker_first(
    server: FakeAnthropicServer,
) -> None:
    server.script("queued = 1")
    server.script("one = 1", marker="atom-1")
    server.script("ten = 10", marker="atom-10")
    assert "ten = 10" in answer_text(post(server, prompt="generate atom-10 now")[2])
    assert "one = 1" in answer_text(post(server, prompt="generate atom-1 now")[2])
    # atom-10's queue is empty now: the request falls through to the global queue.
    assert "queued = 1" in answer_text(post(server, prompt="generate atom-10 again")[2])
    assert [r.answered_by for r in server.requests] == ["marker:atom-10", "marker:atom-1", "queue"]


def test_marker_is_also_found_in_the_system_blocks(server: FakeAnthropicServer) -> None:
    server.script("found = True", marker="[plan-7]")
    system = [{"type": "text", "text": "plan [plan-7]", "cache_control": {"type": "ephemeral"}}]
    assert "found = True" in answer_text(post(server, system=system)[2])


def test_concurrent_requests_get_their_own_scripts(server: FakeAnthropicServer) -> None:
    atoms = [f"<atom:{i}>" for i in range(8)]
    for i, marker in enumerate(atoms):
        # Later atoms answer faster, so replies come back out of request order.
        server.script(
            FakeReply.code(f"value = {i}", delay_s=0.05 * (len(atoms) - i)), marker=marker
        )
    results: dict[str, str] = {}

    def call(marker: str) -> None:
        results[marker] = answer_text(post(server, prompt=f"generate {marker}")[2])

    threads = [threading.Thread(target=call, args=(m,)) for m in atoms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, marker in enumerate(atoms):
        assert results[marker] == f"```python\nvalue = {i}\n```\n"
    assert server.max_in_flight >= 2
    assert server.request_count == len(atoms)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (529, "overloaded_error"),
    ],
)
def test_error_replies_have_the_api_shape(
    server: FakeAnthropicServer, status: int, error_type: str
) -> None:
    server.script(FakeReply.error(status, "scripted failure"))
    got, _, payload = post(server)
    assert got == status
    assert payload["type"] == "error"
    assert payload["error"] == {"type": error_type, "message": "scripted failure"}


def test_rate_limited_and_overloaded_carry_retry_after(server: FakeAnthropicServer) -> None:
    server.script(FakeReply.rate_limited(retry_after=7), FakeReply.overloaded(retry_after=0.5))
    status, headers, payload = post(server)
    assert (status, headers["retry-after"], payload["error"]["type"]) == (
        429,
        "7",
        "rate_limit_error",
    )
    status, headers, payload = post(server)
    assert (status, headers["retry-after"], payload["error"]["type"]) == (
        529,
        "0.5",
        "overloaded_error",
    )


def test_cache_tokens_first_write_then_read(server: FakeAnthropicServer) -> None:
    context = "shared plan context " * 40  # 800 characters -> 200 tokens
    system = [{"type": "text", "text": context, "cache_control": {"type": "ephemeral"}}]
    server.script("a = 1", "b = 2", "c = 3", "d = 4")
    first = post(server, system=system, prompt="atom one")[2]["usage"]
    second = post(server, system=system, prompt="atom two")[2]["usage"]
    other = [{"type": "text", "text": context + "!", "cache_control": {"type": "ephemeral"}}]
    third = post(server, system=other, prompt="atom one")[2]["usage"]
    uncached = post(server, system=context, prompt="atom one")[2]["usage"]
    assert (first["cache_creation_input_tokens"], first["cache_read_input_tokens"]) == (200, 0)
    assert (second["cache_creation_input_tokens"], second["cache_read_input_tokens"]) == (0, 200)
    assert third["cache_creation_input_tokens"] == len(context + "!") // 4
    assert (uncached["cache_creation_input_tokens"], uncached["cache_read_input_tokens"]) == (0, 0)
    # Cached tokens are not counted again as input, as on the real API.
    assert first["input_tokens"] == len("atom one") // 4
    assert uncached["input_tokens"] == len(context + "atom one") // 4
    assert first["output_tokens"] == len("```python\na = 1\n```\n") // 4


def test_requests_refused_like_the_real_api_consume_no_script(
    server: FakeAnthropicServer,
) -> None:
    server.script("kept = 1")
    no_key = post(server, headers={"x-api-key": ""})
    assert (no_key[0], no_key[2]["error"]["type"]) == (401, "authentication_error")
    missing = post(server, {"model": "m", "messages": [{"role": "user", "content": "x"}]})
    assert missing[0] == 400
    assert "max_tokens" in missing[2]["error"]["message"]
    empty_system = [{"type": "text", "text": "", "cache_control": {"type": "ephemeral"}}]
    assert post(server, system=empty_system)[0] == 400
    sampling = {
        "model": "m",
        "max_tokens": 5,
        "temperature": 0.5,
        "messages": [{"role": "user", "content": "x"}],
    }
    refused = post(server, sampling, headers={"anthropic-version": "2026-10-21"})
    assert refused[0] == 400
    assert "temperature" in refused[2]["error"]["message"]
    assert server.pending() == {None: 1}
    allowed = post(server, sampling, headers={"anthropic-version": "2023-06-01"})
    assert allowed[0] == 200
    assert server.pending() == {}


def test_only_the_configured_key_is_accepted() -> None:
    with FakeAnthropicServer(api_key=KEY) as server:
        server.script("ok = True")
        assert post(server, headers={"x-api-key": "sk-wrong"})[0] == 401
        bearer = {"x-api-key": "", "authorization": f"Bearer {KEY}"}
        assert post(server, headers=bearer)[0] == 200


def test_recorded_requests_never_hold_the_key(server: FakeAnthropicServer) -> None:
    server.script("a = 1", "b = 2")
    post(server, prompt="first")
    post(server, prompt="second", headers={"x-api-key": "", "authorization": f"Bearer {KEY}"})
    recorded = server.requests
    assert [r.prompt for r in recorded] == ["first", "second"]
    assert [r.seq for r in recorded] == [1, 2]
    for request in recorded:
        assert KEY not in repr(request)
        assert request.body is not None
        assert request.model == "claude-sonnet-4-6"
    assert recorded[0].headers["x-api-key"] == "<redacted>"
    assert recorded[1].headers["authorization"] == "<redacted>"
    assert server.requests_with("second") == [recorded[1]]


def test_latency_and_max_in_flight() -> None:
    with FakeAnthropicServer(latency_s=0.3) as server:
        prompts = [f"<reference>\nx = {i}\n</reference>" for i in range(5)]
        threads = [
            threading.Thread(target=post, args=(server,), kwargs={"prompt": p}) for p in prompts
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        assert server.request_count == 5
        assert server.max_in_flight == 5
        assert server.in_flight == 0
    # Five answers of 0.3 s each overlapped instead of queueing (generous bound for CI).
    assert elapsed < 1.2


def test_raw_body_and_disconnect(server: FakeAnthropicServer) -> None:
    server.script(FakeReply.raw("<html>gateway</html>", status=200), FakeReply.disconnect())
    req = urllib.request.Request(
        f"{server.base_url}/v1/messages",
        data=json.dumps(
            {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]}
        ).encode(),
        headers={"x-api-key": KEY},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.read() == b"<html>gateway</html>"
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(req, timeout=5)


def test_unknown_route_is_404(server: FakeAnthropicServer) -> None:
    req = urllib.request.Request(f"{server.base_url}/v1/models", headers={"x-api-key": KEY})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=5)
    assert caught.value.code == 404


def test_stop_does_not_wait_for_a_slow_scripted_answer() -> None:
    server = FakeAnthropicServer().start()
    server.script(FakeReply.code("late = 1", delay_s=30))
    caller = threading.Thread(target=lambda: _swallow(lambda: post(server, timeout=10)))
    caller.start()
    deadline = time.monotonic() + 5
    while server.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    caller.join(timeout=10)
    assert time.monotonic() - started < 3
    assert not caller.is_alive()


def test_reset_forgets_everything(server: FakeAnthropicServer) -> None:
    server.script("a = 1", "b = 2")
    server.script("c = 3", marker="m")
    post(server)
    server.reset()
    assert server.requests == []
    assert server.pending() == {}
    assert server.max_in_flight == 0


def _swallow(call: Any) -> None:
    with contextlib.suppress(Exception):
        call()


def fenced_code(payload: dict[str, Any]) -> str:
    text = answer_text(payload)
    assert text.startswith("```python\n") and text.endswith("\n```\n"), text
    return text[len("```python\n") : -len("\n```\n")]


def parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def test_break_syntax_drops_the_first_header_colon_or_leaves_a_parenthesis_open() -> None:
    code = 'def f(x: int) -> int:\n    """Example: twice."""\n    return 2 * x\n'
    broken = break_syntax(code)
    assert broken == code.replace("-> int:", "-> int", 1)
    assert parses(code) and not parses(broken)
    assert break_syntax("x = 1\n") == "x = 1\n(\n" and not parses("x = 1\n(\n")
    assert break_syntax("export const a = 1;").endswith("\n(\n")


def test_break_syntax_on_attempt_counts_per_atom(server: FakeAnthropicServer) -> None:
    server.set_default(break_syntax_on_attempt(2, 3))
    f = "<reference>\ndef f() -> int:\n    return 1\n</reference>"
    g = "<reference>\ndef g() -> int:\n    return 2\n</reference>"
    answers = [fenced_code(post(server, prompt=f"attempt {n}\n{f}")[2]) for n in (1, 2)]
    answers.append(fenced_code(post(server, prompt=f"atom g\n{g}")[2]))
    answers += [fenced_code(post(server, prompt=f"attempt {n}\n{f}")[2]) for n in (3, 4)]
    # f: fine, broken, broken, fine; g's first request is its own attempt 1, so it is fine.
    assert [parses(a) for a in answers] == [True, False, True, False, True]
    assert answers[1] == "def f() -> int\n    return 1"
    assert [r.answered_by for r in server.requests] == ["default"] * 5


def test_break_syntax_on_attempt_with_a_marker_and_scripts_first(
    server: FakeAnthropicServer,
) -> None:
    server.set_default(break_syntax_on_attempt(1, marker="def f("))
    server.script(FakeReply.rate_limited(retry_after=0), marker="def f(")
    f = "<reference>\ndef f() -> int:\n    return 1\n</reference>"
    g = "<reference>\ndef g() -> int:\n    return 2\n</reference>"
    assert post(server, prompt=f)[0] == 429, "the script answers first and is not counted"
    assert not parses(fenced_code(post(server, prompt=f)[2])), "attempt 1 of f is broken"
    assert parses(fenced_code(post(server, prompt=f)[2]))
    assert parses(fenced_code(post(server, prompt=g)[2])), "g has no marker: never broken"


def test_break_syntax_on_attempt_breaks_the_code_of_a_custom_rule(
    server: FakeAnthropicServer,
) -> None:
    server.set_default(break_syntax_on_attempt(1, base=lambda body: "def h():\n    return 3"))
    assert fenced_code(post(server)[2]) == "def h()\n    return 3"
    assert fenced_code(post(server)[2]) == "def h():\n    return 3"
    with pytest.raises(ValueError):
        break_syntax_on_attempt(0)


def test_usages_add_up_what_was_billed(server: FakeAnthropicServer) -> None:
    server.script("a = 1", FakeReply.rate_limited(retry_after=0), "bb = 22")
    billed = [post(server, prompt=p)[2].get("usage") for p in ("one", "two", "three")]
    assert billed[1] is None, "an error bills nothing"
    assert server.usages == [billed[0], billed[2]]
    server.reset()
    assert server.usages == []
