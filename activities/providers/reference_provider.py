"""A provider that answers with the atom's known-good reference code.

Used for dry runs, for migrating existing code through the pipeline, and for the offline demo:
the whole engine runs without a network or an API key, and costs nothing.
"""

from __future__ import annotations

from activities.providers.base import GenerationRequest, GenerationResponse
from activities.providers.errors import ProviderPermanentError


class ReferenceProvider:
    """Returns ``request.reference_code`` verbatim, with zero tokens and zero cost."""

    name = "reference"
    model = "reference"

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        code = request.reference_code
        if code is None or not code.strip():
            # Permanent: asking again cannot make a reference appear in the plan.
            raise ProviderPermanentError(
                f"atom {request.atom_id} has no reference code; the reference provider "
                "can only replay code the plan carries"
            )
        # Verbatim on purpose: the reference is code, not a model answer, so it is not run
        # through fence extraction (a docstring may well contain a ``` line).
        return GenerationResponse(
            text=code,
            code=code,
            model=self.model,
            input_tokens=0,
            output_tokens=0,
            cache_read_tokens=0,
            cache_write_tokens=0,
            cost_usd=0.0,
            stop_reason="end_turn",
            temperature=None,
        )

    def __repr__(self) -> str:
        return "ReferenceProvider()"
