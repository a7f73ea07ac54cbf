"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and the portal with
the three services, the identity provider and a mailbox behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from tests.browser.portal import PortalStack, chromium_path, portal_stack


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
async def portal(
    infra: Infrastructure,
    kafka_config: KafkaConfig,
    database_factory: Callable[[str], Awaitable[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[PortalStack]:
    """One portal stack for every browser test; each test uses people and clubs of its own."""
    logs: Path = tmp_path_factory.mktemp("portal-stack")
    async with portal_stack(infra, kafka_config, database_factory, logs) as running:
        yield running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts the portal stack (three services, the provider, demo data, the
    portal: a minute or more on a busy machine) gets a longer bound than the suite's default."""
    for item in items:
        if "portal" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(300))
