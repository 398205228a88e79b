"""ReferenceProvider: replays the plan's reference code, free and offline."""

from __future__ import annotations

import pytest

from activities.providers import (
    GenerationRequest,
    LLMProvider,
    ProviderPermanentError,
    ReferenceProvider,
)

CODE = (
    "def greet(name: str) -> str:\n"
    '    """Say hello.\n'
    "\n"
    "    ```\n"
    '    greet("x")\n'
    "    ```\n"
    '    """\n'
    '    return f"hi {name}"\n'
)


def make_request(reference: str | None) -> GenerationRequest:
    return GenerationRequest(
        atom_id="todo/models.py:greet#1",
        system="plan context",
        prompt="write greet",
        temperature=0.7,
        reference_code=reference,
    )


async def test_returns_the_reference_verbatim_for_free() -> None:
    provider = ReferenceProvider()
    assert isinstance(provider, LLMProvider)
    assert provider.name == "reference"
    response = await provider.generate(make_request(CODE))
    # Verbatim: the ``` inside the docstring must not be taken for a fence.
    assert response.code == CODE
    assert response.text == CODE
    assert response.model == "reference"
    assert (response.input_tokens, response.output_tokens) == (0, 0)
    assert (response.cache_read_tokens, response.cache_write_tokens) == (0, 0)
    assert response.cost_usd == 0.0
    assert response.temperature is None


@pytest.mark.parametrize("reference", [None, "", "  \n"])
async def test_no_reference_is_permanent(reference: str | None) -> None:
    with pytest.raises(ProviderPermanentError, match=r"todo/models\.py:greet#1"):
        await ReferenceProvider().generate(make_request(reference))
