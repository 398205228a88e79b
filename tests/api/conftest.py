"""Fixtures of the review API and `mge review` tests."""

from __future__ import annotations

import pytest

from api.settings import Settings
from tests.llm_stack import stack_settings


@pytest.fixture
def review_settings(settings: Settings) -> Settings:
    # First attempts score 0.9, a second attempt 0.75, a failed atom is critical: under
    # this threshold every atom of the plan is reviewed, at three different priorities.
    return stack_settings(settings, review={"threshold": 0.95})
