"""What activity classes are built with, once, in the worker."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.config import ActivityConfig
from activities.providers.base import LLMProvider


class UsesDeps:
    """Base of the activity classes that need the database and an LLM provider."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        providers: Mapping[str, LLMProvider],
        config: ActivityConfig,
    ) -> None:
        self._sessions = sessions
        self._providers = providers
        self._config = config
