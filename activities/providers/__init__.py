"""LLM providers behind one port (``LLMProvider``): Anthropic and the reference replayer."""

from activities.providers.anthropic_provider import AnthropicProvider, model_accepts_temperature
from activities.providers.base import (
    GenerationRequest,
    GenerationResponse,
    LLMProvider,
    extract_code,
)
from activities.providers.errors import (
    ProviderEmptyAnswer,
    ProviderError,
    ProviderPermanentError,
    ProviderRateLimited,
    ProviderTransientError,
)
from activities.providers.pricing import DEFAULT_PRICE_TABLE, ModelPrice, PriceTable
from activities.providers.reference_provider import ReferenceProvider

__all__ = [
    "DEFAULT_PRICE_TABLE",
    "AnthropicProvider",
    "GenerationRequest",
    "GenerationResponse",
    "LLMProvider",
    "ModelPrice",
    "PriceTable",
    "ProviderEmptyAnswer",
    "ProviderError",
    "ProviderPermanentError",
    "ProviderRateLimited",
    "ProviderTransientError",
    "ReferenceProvider",
    "extract_code",
    "model_accepts_temperature",
]
