"""AnthropicProvider driven through the real ``anthropic`` SDK against the fake server."""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from activities.providers import (
    DEFAULT_PRICE_TABLE,
    AnthropicProvider,
    GenerationRequest,
    LLMProvider,
    ProviderEmptyAnswer,
    ProviderError,
    ProviderPermanentError,
    ProviderRateLimited,
    ProviderTransientError,
)
from activities.providers.anthropic_provider import model_accepts_temperature, parse_retry_after
from tests.fakes.anthropic_server import FakeAnthropicServer, FakeReply, running_fake_server

KEY = "sk-ant-test-NEVER-LOG-THIS-0123456789"
MODEL = "claude-sonnet-4-6"  # still accepts temperature (on the 2023-06-01 API version)
CONTEXT = "Plan: todo-service. Shared context for every atom. " * 20

MakeProvider = Callable[..., AnthropicProvider]


@pytest.fixture
def fake() -> Iterator[FakeAnthropicServer]:
    yield from running_fake_server()


@pytest.fixture
async def make_provider(fake: FakeAnthropicServer) -> AsyncIterator[MakeProvider]:
    made: list[AnthropicProvider] = []

    def make(**kwargs: Any) -> AnthropicProvider:
        options: dict[str, Any] = {"api_key": KEY, "model": MODEL, "base_url": fake.base_url}
        options.update(kwargs)
        provider = AnthropicProvider(**options)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        await provider.aclose()


def request(
    atom_id: str = "atom-1", *, system: str = CONTEXT, temperature: float = 0.7
) -> GenerationRequest:
    return GenerationRequest(
        atom_id=atom_id,
        system=system,
        prompt=f"Generate {atom_id}: def add(a, b)",
        temperature=temperature,
        max_tokens=512,
    )


async def test_success_extracts_code_and_prices_the_usage(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script(
        FakeReply.answer("Here it is:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.")
    )
    provider = make_provider()
    assert isinstance(provider, LLMProvider)

    response = await provider.generate(request())

    assert response.code == "def add(a, b):\n    return a + b"
    assert response.text.startswith("Here it is:")
    assert response.model == MODEL
    assert response.stop_reason == "end_turn"
    assert response.output_tokens == len(response.text) // 4
    assert response.input_tokens == len(request().prompt) // 4
    assert response.cache_write_tokens == len(CONTEXT) // 4
    assert response.cache_read_tokens == 0
    expected = DEFAULT_PRICE_TABLE.cost(
        MODEL,
        input_tokens=response.input_tokens,
        output_tokens=response.output_tokens,
        cache_write_tokens=response.cache_write_tokens,
    )
    assert response.cost_usd == pytest.approx(expected)
    assert response.cost_usd > 0


async def test_request_shape_on_the_wire(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script("x = 1")
    await make_provider().generate(request(temperature=0.5))
    [sent] = fake.requests
    assert sent.body is not None
    assert sent.body["model"] == MODEL
    assert sent.body["max_tokens"] == 512
    assert sent.body["system"] == [
        {"type": "text", "text": CONTEXT, "cache_control": {"type": "ephemeral"}}
    ]
    assert sent.body["messages"] == [{"role": "user", "content": request().prompt}]
    assert sent.temperature == 0.5
    assert sent.api_version == "2023-06-01"
    # The SDK's own retries are off: Temporal must see every attempt.
    assert sent.headers.get("x-stainless-retry-count") == "0"


async def test_models_that_reject_temperature_do_not_get_it(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script("x = 1", "y = 2")
    modern = make_provider(model="claude-sonnet-5-5")
    response = await modern.generate(request())
    assert response.temperature is None
    forced_off = make_provider(temperature_mode="never")
    assert (await forced_off.generate(request())).temperature is None
    for sent in fake.requests:
        assert sent.body is not None
        assert "temperature" not in sent.body
    assert fake.requests[0].api_version != "2023-06-01"


@pytest.mark.parametrize(
    ("model", "accepts"),
    [
        ("claude-3-5-haiku-20241022", True),
        ("claude-opus-4-1-20250805", True),
        ("claude-opus-4-20250514", True),
        ("claude-sonnet-4-5-20250929", True),
        ("claude-sonnet-4-6", True),
        ("claude-haiku-4-5", True),
        ("claude-opus-4-7", False),
        ("claude-sonnet-5", False),
        ("claude-haiku-5-5", False),
        ("claude-fable-5-1", False),
        ("some-unknown-model", False),
    ],
)
def test_which_models_accept_temperature(model: str, accepts: bool) -> None:
    assert model_accepts_temperature(model) is accepts


async def test_shared_context_is_cached_after_the_first_call(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script("a = 1", "b = 2")
    provider = make_provider()
    first = await provider.generate(request("atom-1"))
    second = await provider.generate(request("atom-2"))
    assert (first.cache_write_tokens, first.cache_read_tokens) == (len(CONTEXT) // 4, 0)
    assert (second.cache_write_tokens, second.cache_read_tokens) == (0, len(CONTEXT) // 4)
    # A cache read costs a tenth of the input price, a write 1.25 times: the second is cheaper.
    assert second.cost_usd < first.cost_usd


async def test_no_system_block_when_there_is_no_shared_context(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script("a = 1")
    response = await make_provider().generate(request(system=""))
    assert response.cache_write_tokens == 0
    assert fake.requests[0].body is not None
    assert "system" not in fake.requests[0].body


async def test_429_is_rate_limited_with_retry_after(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script(FakeReply.rate_limited(retry_after=7))
    with pytest.raises(ProviderRateLimited) as caught:
        await make_provider().generate(request())
    assert caught.value.retry_after == 7.0
    assert caught.value.overloaded is False
    assert caught.value.status_code == 429
    assert caught.value.error_type == "rate_limit_error"
    assert fake.request_count == 1  # no hidden SDK retry


async def test_529_is_rate_limited_and_overloaded(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script(FakeReply.overloaded(retry_after=2.5), FakeReply.overloaded(retry_after=None))
    provider = make_provider()
    with pytest.raises(ProviderRateLimited) as caught:
        await provider.generate(request())
    assert (caught.value.overloaded, caught.value.retry_after) == (True, 2.5)
    with pytest.raises(ProviderRateLimited) as caught:
        await provider.generate(request())
    assert (caught.value.overloaded, caught.value.retry_after) == (True, None)
    assert fake.request_count == 2


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_transient(
    fake: FakeAnthropicServer, make_provider: MakeProvider, status: int
) -> None:
    fake.script(FakeReply.error(status, "internal trouble"))
    with pytest.raises(ProviderTransientError) as caught:
        await make_provider().generate(request())
    assert caught.value.status_code == status
    assert "internal trouble" in str(caught.value)
    assert fake.request_count == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_client_errors_are_permanent(
    fake: FakeAnthropicServer, make_provider: MakeProvider, status: int
) -> None:
    fake.script(FakeReply.error(status))
    with pytest.raises(ProviderPermanentError) as caught:
        await make_provider().generate(request())
    assert caught.value.status_code == status
    assert not isinstance(caught.value, ProviderRateLimited | ProviderTransientError)


async def test_wrong_key_is_permanent() -> None:
    with FakeAnthropicServer(api_key="sk-the-right-one") as server:
        async with AnthropicProvider(KEY, MODEL, base_url=server.base_url) as provider:
            with pytest.raises(ProviderPermanentError) as caught:
                await provider.generate(request())
    assert caught.value.error_type == "authentication_error"
    assert KEY not in str(caught.value)


async def test_slow_answer_beyond_the_timeout_is_transient(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script(FakeReply.code("late = True", delay_s=5))
    started = time.monotonic()
    with pytest.raises(ProviderTransientError) as caught:
        await make_provider(timeout_s=0.3).generate(request())
    assert time.monotonic() - started < 3
    assert caught.value.error_type == "timeout"
    assert "timed out" in str(caught.value)


async def test_dropped_connection_is_transient(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script(FakeReply.disconnect())
    with pytest.raises(ProviderTransientError) as caught:
        await make_provider().generate(request())
    assert caught.value.error_type == "connection"


async def test_unreachable_server_is_transient() -> None:
    with FakeAnthropicServer() as server:
        base_url = server.base_url
    async with AnthropicProvider(KEY, MODEL, base_url=base_url, timeout_s=2) as provider:
        with pytest.raises(ProviderTransientError):
            await provider.generate(request())


@pytest.mark.parametrize("body", ["<html>bad gateway</html>", '{"unexpected": true}'])
async def test_malformed_200_is_transient(
    fake: FakeAnthropicServer, make_provider: MakeProvider, body: str
) -> None:
    fake.script(FakeReply.raw(body))
    with pytest.raises(ProviderTransientError) as caught:
        await make_provider().generate(request())
    assert caught.value.error_type == "invalid_response"


@pytest.mark.parametrize("answer", ["", "   \n\n", "```python\n```", "Sure!\n```\n\n```\n"])
async def test_empty_answer_raises_with_the_billed_response(
    fake: FakeAnthropicServer, make_provider: MakeProvider, answer: str
) -> None:
    fake.script(FakeReply.answer(answer))
    with pytest.raises(ProviderEmptyAnswer) as caught:
        await make_provider().generate(request())
    billed = caught.value.response
    assert billed is not None
    assert billed.code == ""
    assert billed.output_tokens >= 1
    assert billed.cost_usd > 0  # the attempt still cost money; the caller records it


async def test_prose_answer_is_passed_on_as_is(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    # No fence: the whole text is the candidate code, and level-1 validation rejects it.
    fake.script(FakeReply.answer("I am sorry, I cannot write that function."))
    response = await make_provider().generate(request())
    assert response.code == "I am sorry, I cannot write that function."


async def test_answer_cut_at_max_tokens_keeps_the_partial_code(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script(
        FakeReply.answer("```python\ndef add(a, b):\n    return a +", stop_reason="max_tokens")
    )
    response = await make_provider().generate(request())
    assert response.code == "def add(a, b):\n    return a +"
    assert response.stop_reason == "max_tokens"


async def test_unknown_model_gets_the_default_price(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.script("x = 1")
    response = await make_provider(model="claude-next-generation").generate(request())
    assert not DEFAULT_PRICE_TABLE.is_known("claude-next-generation")
    assert response.cost_usd == pytest.approx(
        DEFAULT_PRICE_TABLE.default.cost(
            input_tokens=response.input_tokens,
            output_tokens=response.output_tokens,
            cache_write_tokens=response.cache_write_tokens,
        )
    )


async def test_unscripted_atoms_echo_their_spec_with_its_indentation(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    # What benches rely on: the default rule answers with the spec between the markers.
    spec = "    def total(self) -> int:\n        return sum(self.items)\n"
    generation = GenerationRequest(
        atom_id="a-7",
        system=CONTEXT,
        prompt=f"Atom a-7.\n\nSpec:\n<reference>\n{spec}</reference>",
        temperature=0.7,
    )
    response = await make_provider().generate(generation)
    assert response.code == spec.rstrip()
    assert fake.requests[0].answered_by == "default"


async def test_concurrent_calls_share_one_client(
    fake: FakeAnthropicServer, make_provider: MakeProvider
) -> None:
    fake.latency_s = 0.2
    for i in range(6):
        fake.script(f"value = {i}", marker=f"<atom-{i}>")
    provider = make_provider()
    responses = await asyncio.gather(*(provider.generate(request(f"<atom-{i}>")) for i in range(6)))
    assert [r.code for r in responses] == [f"value = {i}" for i in range(6)]
    assert fake.max_in_flight == 6


async def test_the_key_never_shows(
    fake: FakeAnthropicServer, make_provider: MakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(
        FakeReply.error(401, "invalid x-api-key"),
        FakeReply.error(400, "bad request"),
        FakeReply.rate_limited(retry_after=1),
        FakeReply.overloaded(),
        FakeReply.error(500),
        FakeReply.code("late = 1", delay_s=3),
        FakeReply.disconnect(),
        FakeReply.raw("garbage"),
        FakeReply.answer(""),
        "fine = True",
    )
    provider = make_provider(timeout_s=0.5)
    assert KEY not in repr(provider)
    assert KEY not in str(provider)
    errors: list[ProviderError] = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(9):
            with pytest.raises(ProviderError) as caught:
                await provider.generate(request())
            errors.append(caught.value)
        await provider.generate(request())
    assert len({type(e) for e in errors}) == 4
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY.encode() not in pickle.dumps(error)
        # Nothing chains the SDK exception, whose request headers carry the key.
        assert error.__cause__ is None
        assert error.__context__ is None
    assert caplog.records, "the SDK and provider log at DEBUG; the check must see lines"
    for record in caplog.records:
        assert KEY not in record.getMessage()
    assert KEY not in caplog.text
    for sent in fake.requests:
        assert KEY not in sent.raw
        assert KEY not in str(sent.headers)


def test_an_empty_key_is_refused_without_echoing_anything() -> None:
    with pytest.raises(ValueError, match="non-empty API key"):
        AnthropicProvider("  ", MODEL)


def test_errors_survive_pickling() -> None:
    error = ProviderRateLimited("slow down", retry_after=3.0, overloaded=True, status_code=529)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, ProviderRateLimited)
    assert (copy.message, copy.retry_after, copy.overloaded, copy.status_code) == (
        "slow down",
        3.0,
        True,
        529,
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "12"}, 12.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected
