"""Turning our permanent errors into non-retryable Temporal failures."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio.exceptions import ApplicationError

from domain.errors import InvalidInputError, NotFoundError

P = ParamSpec("P")
R = TypeVar("R")


def permanent_errors_fail_fast(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Invalid input and unknown ids can never succeed: fail now instead of retrying."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except (InvalidInputError, NotFoundError) as err:
            raise ApplicationError(str(err), type=type(err).__name__, non_retryable=True) from err

    return wrapper
