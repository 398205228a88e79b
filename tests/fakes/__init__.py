"""Fakes for the outer edge only (the LLM API); everything of ours runs for real in tests."""

from tests.fakes.anthropic_server import (
    FakeAnthropicServer,
    FakeReply,
    RecordedRequest,
    break_syntax,
    break_syntax_on_attempt,
    echo_reference,
    running_fake_server,
)

__all__ = [
    "FakeAnthropicServer",
    "FakeReply",
    "RecordedRequest",
    "break_syntax",
    "break_syntax_on_attempt",
    "echo_reference",
    "running_fake_server",
]
