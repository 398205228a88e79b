"""Choosing the provider a plan asked for among those this worker has."""

from __future__ import annotations

from collections.abc import Mapping

from activities.providers.base import LLMProvider
from domain.errors import InvalidInputError


def choose_provider(
    providers: Mapping[str, LLMProvider], name: str | None, default: str
) -> LLMProvider:
    wanted = name or default
    provider = providers.get(wanted)
    if provider is None:
        configured = ", ".join(sorted(providers)) or "none"
        raise InvalidInputError(
            f"provider '{wanted}' is not configured on this worker (configured: {configured})"
        )
    return provider
