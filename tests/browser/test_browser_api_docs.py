"""Every service's /docs and /redoc in a real browser (Chromium, driven by Playwright) that may
reach nothing but the service: the pages render the operations with assets from the service,
under a content-security policy that allows nothing from outside and no inline script.

Chromium comes from Debian (`apt-get install chromium`; `.ci/run` installs it). Without it the
tests are skipped on a developer's machine and fail under CI, so CI never passes without them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Route,
)
from playwright.async_api import TimeoutError as PlaywrightTimeout

from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from tests.browser.portal import axe_source
from tests.support import running_service, served_over_http, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERVICES = ["facilities", "booking", "notifications"]
# ReDoc's "API docs by Redocly" footer links its logo from the vendor's site; the policy
# refuses it, which is the point. Nothing else may be refused.
REDOC_LOGO = re.compile(r"^https://cdn\.redoc\.ly/")
PAGE_RULES = [
    "html-has-lang",
    "html-lang-valid",
    "document-title",
    "meta-viewport",
    "landmark-one-main",
    "region",
]

_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({directive: e.effectiveDirective, blocked: e.blockedURI});
});
"""


@dataclass
class OfflinePage:
    """A page that reaches only `base_url`; every other request is aborted and recorded."""

    page: Page
    base_url: str
    outside: list[str] = field(default_factory=list)

    async def open(self, path: str) -> httpx.Headers:
        response = await self.page.goto(self.base_url + path)
        assert response is not None, path
        assert response.status == 200, path
        return httpx.Headers(await response.all_headers())

    async def rendered(self, selector: str) -> Locator:
        found = self.page.locator(selector)
        try:
            await found.first.wait_for(state="visible", timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail(f"nothing rendered; requests to elsewhere refused: {self.outside}")
        return found

    async def violations(self) -> list[dict[str, str]]:
        found: list[dict[str, str]] = await self.page.evaluate("window.__cspViolations")
        return found


async def offline_page(context: BrowserContext, base_url: str) -> OfflinePage:
    page = await context.new_page()
    offline = OfflinePage(page, base_url)

    async def only_the_service(route: Route) -> None:
        if route.request.url.startswith(base_url + "/"):
            await route.continue_()
        else:
            offline.outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_the_service)
    await page.add_init_script(_RECORD_VIOLATIONS)
    return offline


@dataclass(frozen=True)
class Service:
    name: str
    base_url: str
    operations: int  # in the OpenAPI document


@pytest.fixture(params=SERVICES)
async def service(
    request: pytest.FixtureRequest,
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: Any,
) -> AsyncIterator[Service]:
    name: str = request.param
    settings = settings_for(
        name,
        database_url=await database_factory(f"docs_{name}"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service(name, settings) as running, served_over_http(running.app) as url:
        document = (await running.client.get("/openapi.json")).json()
        operations = sum(
            1
            for item in document["paths"].values()
            for method in item
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}
        )
        yield Service(name, url, operations)


def assert_strict_policy(headers: httpx.Headers) -> None:
    policy = headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert not re.search(r"https?:|\*", policy), policy


async def assert_page_rules_pass(browser: Browser, url: str) -> None:
    """axe-core's document-level rules (language, title, viewport) on the rendered page. Its
    script is added from outside the page, so this context sets the page's policy aside."""
    context = await browser.new_context(bypass_csp=True)
    try:
        page = await context.new_page()
        await page.goto(url)
        await page.add_script_tag(content=axe_source())
        result = await page.evaluate(
            "(rules) => axe.run(document, {runOnly: {type: 'rule', values: rules}})", PAGE_RULES
        )
        assert [v["id"] for v in result["violations"]] == []
        assert sorted(p["id"] for p in result["passes"]) == sorted(PAGE_RULES)
    finally:
        await context.close()


async def test_swagger_ui_renders_every_operation_offline(
    browser: Browser, service: Service
) -> None:
    context = await browser.new_context()
    try:
        offline = await offline_page(context, service.base_url)
        headers = await offline.open("/docs")
        operations = await offline.rendered(".opblock")
        assert await operations.count() == service.operations
        assert_strict_policy(headers)
        assert await offline.page.locator("html").get_attribute("lang") == "en"
        assert await offline.violations() == []
        assert offline.outside == []
    finally:
        await context.close()
    await assert_page_rules_pass(browser, service.base_url + "/docs")


async def test_redoc_renders_every_operation_offline(browser: Browser, service: Service) -> None:
    context = await browser.new_context()
    try:
        offline = await offline_page(context, service.base_url)
        headers = await offline.open("/redoc")
        operations = await offline.rendered("[data-section-id^='operation/']")
        assert await operations.count() == service.operations
        assert_strict_policy(headers)
        assert await offline.page.locator("html").get_attribute("lang") == "en"
        refused = await offline.violations()
        assert all(
            v["directive"] == "img-src" and REDOC_LOGO.match(v["blocked"]) for v in refused
        ), refused
        assert offline.outside == []
    finally:
        await context.close()
    await assert_page_rules_pass(browser, service.base_url + "/redoc")
