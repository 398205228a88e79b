"""Errors raised by LLM providers.

The hierarchy is shaped by what the caller must *do*, not by HTTP status codes:

- ``ProviderRateLimited`` — back off and try again; this does not count as a quality attempt
  (HTTP 429, and 529 ``overloaded_error`` with ``overloaded=True``).
- ``ProviderTransientError`` — the call may succeed if repeated unchanged (HTTP 5xx, 408,
  timeouts, dropped connections).
- ``ProviderPermanentError`` — repeating cannot help (bad credentials, forbidden, invalid
  request, unknown model); activities turn it into a non-retryable ``ApplicationError``.
- ``ProviderEmptyAnswer`` — the model answered but there is no code in the answer; a quality
  failure the next attempt may fix. It carries the response so its tokens and cost are still
  recorded.

Messages never contain the API key: providers build them from status, error type, the server's
message and the request id only, and redact the key defensively on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from activities.providers.base import GenerationResponse


class ProviderError(Exception):
    """Base class for every failure of an LLM provider call."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_type = error_type
        self.request_id = request_id

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments break the default exception pickling; keep the
        # errors picklable so they survive process boundaries (worker pools, test runners).
        state = {
            "status_code": self.status_code,
            "error_type": self.error_type,
            "request_id": self.request_id,
            **self._extra_state(),
        }
        return (_rebuild, (type(self), self.message, state))


def _rebuild(cls: type[ProviderError], message: str, state: dict[str, Any]) -> ProviderError:
    return cls(message, **state)


class ProviderRateLimited(ProviderError):
    """The provider asked us to slow down (429) or is overloaded (529).

    ``retry_after`` is the server's hint in seconds, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        overloaded: bool = False,
        status_code: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, error_type=error_type, request_id=request_id
        )
        self.retry_after = retry_after
        self.overloaded = overloaded

    def _extra_state(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after, "overloaded": self.overloaded}


class ProviderTransientError(ProviderError):
    """A failure that may go away if the same call is repeated (5xx, timeout, connection)."""


class ProviderPermanentError(ProviderError):
    """A failure that repeating cannot fix (400/401/403/404...): never retry."""


class ProviderEmptyAnswer(ProviderError):
    """The model answered without any code."""

    def __init__(
        self,
        message: str,
        *,
        response: GenerationResponse | None = None,
        status_code: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, error_type=error_type, request_id=request_id
        )
        self.response = response

    def _extra_state(self) -> dict[str, Any]:
        return {"response": self.response}
