"""Browser tests: the review page in headless Chromium against the real stack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.harness import CHROMIUM, new_browser

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Playwright


def pytest_configure(config: pytest.Config) -> None:
    # Registered here as well as in pyproject, so the suite runs under --strict-markers either way.
    config.addinivalue_line("markers", "browser: drives a page in headless Chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    from playwright.async_api import async_playwright

    driver = await async_playwright().start()
    yield driver
    await driver.stop()


@pytest.fixture
async def browser_context(playwright: Playwright, tmp_path: Path) -> AsyncIterator[BrowserContext]:
    context = await new_browser(playwright, tmp_path / "chromium-profile")
    yield context
    await context.close()
