"""Fixtures of the workflow tests that generate with the fake Anthropic server."""

from __future__ import annotations

import pytest

from api.settings import Settings
from tests.llm_stack import stack_settings


@pytest.fixture
def llm_settings(settings: Settings) -> Settings:
    # These tests are about generation; the review step has tests of its own.
    return stack_settings(settings, review={"mode": "off"}, max_parallel_atoms=4)
