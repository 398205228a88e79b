"""Fakes for the outer edge only (the LLM API); everything of ours runs for real in tests."""

from tests.fakes.anthropic_server import (
    FakeAnthropicServer,
    FakeReply,
    RecordedRequest,
    echo_reference,
    running_fake_server,
)

__all__ = [
    "FakeAnthropicServer",
    "FakeReply",
    "RecordedRequest",
    "echo_reference",
    "running_fake_server",
]
