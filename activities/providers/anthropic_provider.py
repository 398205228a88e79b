"""LLM provider on the Anthropic Messages API (the official ``anthropic`` SDK).

Why it looks the way it does:

- ``max_retries=0``: Temporal owns retries, so every attempt is visible in the workflow history
  and rate limits are not hidden inside one activity attempt.
- The shared plan context goes in ``system`` as one text block marked
  ``cache_control: ephemeral``: every atom of a run reuses it, so after the first call it is
  billed at the cache-read rate.
- Temperature: SDK 2.x speaks API version ``2026-10-21``, which rejects ``temperature``
  outright, and recent models (Opus 4.7+, Sonnet 5+, Haiku 5+, Fable, Mythos) reject it under
  any version. MGE's retry schedule lowers the temperature per attempt, so for models that
  still accept it the request pins ``anthropic-version: 2023-06-01`` and sends it; for the
  others it is left out and ``GenerationResponse.temperature`` is ``None`` so nobody records a
  temperature that was not used. ``temperature_mode`` overrides the choice.
- The API key lives only inside the SDK client and ``_secret`` (used to redact); it is never in
  ``repr()``, in error messages or in log lines.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any, Literal

import anthropic
from anthropic.types import Message, TextBlockParam

from activities.providers.base import GenerationRequest, GenerationResponse, extract_code
from activities.providers.errors import (
    ProviderEmptyAnswer,
    ProviderError,
    ProviderPermanentError,
    ProviderRateLimited,
    ProviderTransientError,
)
from activities.providers.pricing import DEFAULT_PRICE_TABLE, PriceTable

logger = logging.getLogger(__name__)

TemperatureMode = Literal["auto", "always", "never"]

# The last API version whose Messages endpoint accepts sampling parameters.
LEGACY_API_VERSION = "2023-06-01"

_FAMILY_VERSION = re.compile(r"(opus|sonnet|haiku)-(\d+)(?:-(\d))?(?!\d)")
# Newest version of each family that still accepts ``temperature``.
_LAST_WITH_TEMPERATURE = {"opus": (4, 6), "sonnet": (4, 6), "haiku": (4, 5)}


def model_accepts_temperature(model: str) -> bool:
    """Whether ``model`` is known to accept ``temperature`` (on API version 2023-06-01).

    Unknown models are assumed not to: leaving the parameter out costs the temperature
    schedule, while sending it to a model that rejects it fails every call with a 400.
    """
    wanted = model.lower()
    if "claude-3" in wanted or "claude-2" in wanted:
        return True
    match = _FAMILY_VERSION.search(wanted)
    if match is None:
        return False
    family, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    return (major, minor) <= _LAST_WITH_TEMPERATURE[family]


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class AnthropicProvider:
    """``LLMProvider`` backed by ``anthropic.AsyncAnthropic``."""

    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 120.0,
        prices: PriceTable | None = None,
        *,
        temperature_mode: TemperatureMode = "auto",
        traces: bool = False,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("AnthropicProvider needs a non-empty API key")
        self.model = model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self._prices = prices or DEFAULT_PRICE_TABLE
        self._secret = api_key
        if temperature_mode == "auto":
            self.sends_temperature = model_accepts_temperature(model)
        else:
            self.sends_temperature = temperature_mode == "always"
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout_s,
            max_retries=0,
            # The SDK's aiohttp transport (the `aiohttp` extra): half the client CPU per call
            # of the default httpx one, which counts with a hundred atoms in flight per worker.
            http_client=anthropic.DefaultAioHttpClient(timeout=timeout_s),
            # The SDK builds OpenTelemetry span attributes for every call even when nothing
            # records them: a tenth of its CPU per call. On when a tracer provider is wanted.
            open_telemetry=None if traces else False,
        )

    def __repr__(self) -> str:
        return (
            f"AnthropicProvider(model={self.model!r}, base_url={self.base_url!r}, "
            f"timeout_s={self.timeout_s!r})"
        )

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> AnthropicProvider:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        system: list[TextBlockParam] | anthropic.Omit = anthropic.omit
        if request.system:
            # An empty text block is a 400 on the API, so no system at all when there is none.
            system = [
                {"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}
            ]
        extra_body: dict[str, Any] | None = None
        extra_headers: dict[str, str] | None = None
        if self.sends_temperature:
            extra_body = {"temperature": request.temperature}
            extra_headers = {"anthropic-version": LEGACY_API_VERSION}
        error: ProviderError | None = None
        try:
            message = await self._client.messages.create(
                model=self.model,
                max_tokens=request.max_tokens,
                system=system,
                messages=[{"role": "user", "content": request.prompt}],
                extra_body=extra_body,
                extra_headers=extra_headers,
            )
            response = self._to_response(message, request)
        except anthropic.AnthropicError as exc:
            error = self._map_error(exc)
        except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
            # The SDK lets a 200 whose body is not a Message escape as a raw parsing error.
            # That is the far side misbehaving (a proxy, an outage page), so: transient.
            error = ProviderTransientError(
                f"malformed response from the Anthropic API ({type(exc).__name__})",
                error_type="invalid_response",
            )
        except ValueError as exc:
            # Raised by the SDK before sending (e.g. a max_tokens that needs streaming):
            # the request itself is wrong, and will be wrong again.
            error = ProviderPermanentError(self._redact(f"request refused by the SDK: {exc}"))
        if error is not None:
            logger.warning(
                "anthropic call failed for atom %s: %s %s",
                request.atom_id,
                type(error).__name__,
                error.message,
            )
            # Raised outside the ``except`` so the SDK exception is not even chained as
            # context: it holds the HTTP request, whose headers hold the API key.
            raise error
        logger.debug(
            "atom %s: %s in=%d out=%d cache_read=%d cache_write=%d cost=$%.6f",
            request.atom_id,
            response.model,
            response.input_tokens,
            response.output_tokens,
            response.cache_read_tokens,
            response.cache_write_tokens,
            response.cost_usd,
        )
        if not response.code:
            raise ProviderEmptyAnswer(
                f"the model's answer for atom {request.atom_id} holds no code "
                f"(stop_reason={response.stop_reason}, {len(response.text)} characters)",
                response=response,
            )
        return response

    def _to_response(self, message: Message, request: GenerationRequest) -> GenerationResponse:
        text = "".join(block.text for block in message.content if block.type == "text")
        usage = message.usage
        cache_read = usage.cache_read_input_tokens or 0
        cache_write = usage.cache_creation_input_tokens or 0
        billed_model = message.model or self.model
        return GenerationResponse(
            text=text,
            code=extract_code(text),
            model=billed_model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=cache_read,
            cache_write_tokens=cache_write,
            cost_usd=self._prices.cost(
                billed_model,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_read_tokens=cache_read,
                cache_write_tokens=cache_write,
            ),
            stop_reason=message.stop_reason,
            temperature=request.temperature if self.sends_temperature else None,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "[redacted]")

    def _map_error(self, exc: anthropic.AnthropicError) -> ProviderError:
        """Translate an SDK exception; the order matters (timeouts are connection errors,
        529 is a server error)."""
        if isinstance(exc, anthropic.APITimeoutError):
            return ProviderTransientError(
                f"anthropic request timed out (timeout {self.timeout_s:g}s)", error_type="timeout"
            )
        if isinstance(exc, anthropic.APIConnectionError):
            return ProviderTransientError(
                self._redact(f"cannot reach the Anthropic API: {type(exc).__name__}"),
                error_type="connection",
            )
        if isinstance(exc, anthropic.APIStatusError):
            return self._map_status_error(exc)
        if isinstance(exc, anthropic.APIResponseValidationError):
            return ProviderTransientError(
                f"unexpected response from the Anthropic API (HTTP {exc.status_code})",
                status_code=exc.status_code,
                error_type="invalid_response",
            )
        # Anything else the SDK raises (missing credentials, bad client setup) is ours to fix.
        return ProviderPermanentError(self._redact(f"anthropic client error: {type(exc).__name__}"))

    def _map_status_error(self, exc: anthropic.APIStatusError) -> ProviderError:
        status = exc.status_code
        error_type = str(exc.type) if exc.type else None
        detail = exc.api_message or ""
        text = f"anthropic HTTP {status} {error_type or 'error'}"
        if detail:
            text += f": {detail}"
        if exc.request_id:
            text += f" (request {exc.request_id})"
        text = self._redact(text)
        common: dict[str, Any] = {
            "status_code": status,
            "error_type": error_type,
            "request_id": exc.request_id,
        }
        if status == 429:
            retry_after = parse_retry_after(exc.response.headers)
            return ProviderRateLimited(text, retry_after=retry_after, overloaded=False, **common)
        if status == 529 or error_type == "overloaded_error":
            retry_after = parse_retry_after(exc.response.headers)
            return ProviderRateLimited(text, retry_after=retry_after, overloaded=True, **common)
        if status == 408 or status >= 500:
            return ProviderTransientError(text, **common)
        return ProviderPermanentError(text, **common)
