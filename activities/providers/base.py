"""The provider port: what generation asks of an LLM, and what it gets back.

Providers are interchangeable behind ``LLMProvider``; the generation activity depends on this
module only, never on a concrete SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class GenerationRequest:
    """One generation call for one atom.

    ``system`` is the plan context shared by every atom of a run: providers that support prompt
    caching mark it cacheable, so it must not contain anything atom-specific.
    """

    atom_id: str
    system: str
    prompt: str
    temperature: float
    max_tokens: int = 2048
    reference_code: str | None = None
    language: str = "python"


@dataclass(frozen=True)
class GenerationResponse:
    """The answer of one call, with the usage it was billed for.

    ``input_tokens`` are the uncached input tokens, as the Messages API reports them; cached
    tokens are counted apart in ``cache_read_tokens`` / ``cache_write_tokens``.
    ``temperature`` is the sampling temperature actually sent, ``None`` when the model's
    default was used (recent models reject the parameter).
    """

    text: str
    code: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float
    stop_reason: str | None = None
    temperature: float | None = None

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


@runtime_checkable
class LLMProvider(Protocol):
    """Anything that can turn a ``GenerationRequest`` into a ``GenerationResponse``.

    Implementations raise only ``activities.providers.errors.ProviderError`` subclasses.
    """

    name: str

    async def generate(self, request: GenerationRequest) -> GenerationResponse: ...


_FENCE_CHARS = ("```", "~~~")


def _fence_of(line: str) -> str | None:
    stripped = line.lstrip()
    for char in _FENCE_CHARS:
        if stripped.startswith(char):
            return stripped[: len(stripped) - len(stripped.lstrip(char[0]))]
    return None


def _trim(code: str) -> str:
    # Drop blank lines around the code but keep the first line's indentation: a method
    # body atom is indented, and that indentation is meaningful.
    lines = code.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines).rstrip()


def extract_code(text: str) -> str:
    """The code in a model answer.

    The first non-empty fenced block (``` or ~~~, any info string); an unterminated fence
    (answer cut at ``max_tokens``) runs to the end. Without any fence the whole text is taken:
    deciding whether it is code is validation's job. Returns ``""`` when there is nothing.
    """
    lines = text.splitlines()
    saw_fence = False
    i = 0
    while i < len(lines):
        fence = _fence_of(lines[i])
        if fence is None:
            i += 1
            continue
        saw_fence = True
        indent = len(lines[i]) - len(lines[i].lstrip())
        body: list[str] = []
        i += 1
        while i < len(lines):
            closing = _fence_of(lines[i])
            if (
                closing is not None
                and closing[0] == fence[0]
                and len(closing) >= len(fence)
                and lines[i].strip() == closing
            ):
                break
            body.append(_dedent_line(lines[i], indent))
            i += 1
        i += 1
        code = _trim("\n".join(body))
        if code:
            return code
    if saw_fence:
        return ""
    return _trim(text)


def _dedent_line(line: str, indent: int) -> str:
    # A fence indented inside a list item indents its code by the same amount; undo only that.
    prefix = line[:indent]
    return line[indent:] if prefix.strip() == "" else line.lstrip()
