"""The portal in a real browser: the stack behind it, logging in at the identity provider,
accessibility checks with axe-core, keyboard-only moves and the journeys' screenshots.

The stack is the three services, the embedded identity provider (its own, so the portal's
callback on its port is a registered redirect URI), an SMTP server that keeps what it gets,
and the portal, each a real process; the facilities demo data (Lillestrøm's schools, halls and
equipment centre) is loaded as `make dev` does. Tests log in as made-up people (the provider's
development login takes any name) so they never share a club or a loan.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page

from samspill.identity_provider import (
    IdentityProvider,
    generate_signing_key,
    oidc_issuers_env,
    start_identity_provider,
    write_keys,
)
from samspill.infra import Infrastructure, free_port
from samspill.kafka import KafkaConfig
from samspill.processes import ServiceProcess, service_env, stop_all
from tests.e2e.stack import Stack, stack, token
from tests.identity import TEST_REDIRECT_URI
from tests.integration.notifications.builders import Mailbox, smtp_server

ROOT = Path(__file__).parents[2]
AXE_SCRIPT = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "portal"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
LANGUAGES = ("nb", "en")


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run the browser tests", pytrace=False)
        pytest.skip(message)
    return found


def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        message = "axe-core is not installed (make install runs npm ci in tests/js)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run the accessibility check", pytrace=False)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def someone(role: str) -> str:
    """A login name nobody else in the run uses (the provider accepts any)."""
    return f"{role}-{uuid.uuid4().hex[:8]}"


@dataclass
class PortalStack:
    url: str
    api: Stack  # the services, for setup and checks through their APIs
    identity: IdentityProvider
    mailbox: Mailbox
    logs: Path

    def admin(self) -> str:
        """A municipal admin's development-key token, for setting up what a test needs."""
        return token("portal-test-admin", admin=True)

    async def new_page(
        self, browser: Browser, *, language: str = "nb", width: str = "desktop"
    ) -> Page:
        """A page in a fresh context (no cookies) at `width`, in `language`."""
        context = await new_context(browser, width=width)
        page = await context.new_page()
        if language != "nb":
            await page.goto(self.url + "/")
            await switch_language(page, language)
        return page


_RECORD_POLICY_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({directive: e.effectiveDirective, blocked: e.blockedURI});
});
"""


async def new_context(browser: Browser, *, width: str = "desktop") -> BrowserContext:
    """A fresh context (no cookies) that records every content-security-policy violation."""
    w, h = WIDTHS[width]
    context = await browser.new_context(viewport={"width": w, "height": h}, locale="nb-NO")
    await context.add_init_script(_RECORD_POLICY_VIOLATIONS)
    return context


async def policy_violations(page: Page) -> list[dict[str, str]]:
    found: list[dict[str, str]] = await page.evaluate("window.__cspViolations || []")
    return found


@contextlib.asynccontextmanager
async def portal_stack(
    infra: Infrastructure,
    kafka: KafkaConfig,
    database_factory: Callable[[str], Awaitable[str]],
    logs: Path,
) -> AsyncIterator[PortalStack]:
    portal_port = free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    keys = write_keys(logs / "jwks.json", [generate_signing_key("portal-test")])
    identity = start_identity_provider(
        keys_file=keys,
        # The tests' own redirect URI lets a test get a person's token without the portal.
        redirect_uris=[f"{portal_url}/auth/callback", TEST_REDIRECT_URI],
        log_path=logs / "identity-provider.log",
    )
    mailbox = Mailbox()
    # PORTAL_URL: notifications puts it in invitation emails' links.
    env = {"OIDC_ISSUERS": oidc_issuers_env(identity.issuer), "PORTAL_URL": portal_url}
    try:
        async with (
            smtp_server(mailbox) as smtp_port,
            stack(infra, kafka, database_factory, smtp_port, logs, label="portal", env=env) as api,
        ):
            await asyncio.to_thread(_seed_demo, api.urls["facilities"], identity.issuer, logs)
            portal = ServiceProcess(
                "portal",
                portal_port,
                service_env(
                    "postgresql://unused",
                    kafka,
                    infra.redis.url,
                    FACILITIES_URL=api.urls["facilities"],
                    BOOKING_URL=api.urls["booking"],
                    NOTIFICATIONS_URL=api.urls["notifications"],
                    PUBLIC_URL=portal_url,
                    OIDC_ISSUERS=env["OIDC_ISSUERS"],
                    LOG_LEVEL="WARNING",
                ),
                logs / "portal.log",
            )
            portal.start()
            try:
                await portal.wait_ready(timeout=60)
                yield PortalStack(portal_url, api, identity, mailbox, logs)
            finally:
                await asyncio.to_thread(stop_all, [portal])
    finally:
        identity.stop()


def _seed_demo(facilities_url: str, issuer: str, logs: Path) -> None:
    command = [sys.executable, "-m", "facilities", "seed-demo", "--url", facilities_url]
    result = subprocess.run(
        [*command, "--issuer", issuer], capture_output=True, text=True, check=False, timeout=300
    )
    (logs / "seed-demo.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr


# --- moving through pages ---------------------------------------------------------------------


LOGIN_POLL_MS = 200
LOGIN_POLLS = 300  # up to a minute for the provider and the portal to answer


async def log_in(page: Page, portal: PortalStack, login: str, *, next_path: str = "/") -> None:
    """Log in through the portal's login link and the provider's development forms."""
    await page.goto(f"{portal.url}/logg-inn?neste={next_path}&login_hint={login}")
    await page.locator("input[name=password]").fill("any")
    await page.locator("button[type=submit]").click()
    # The provider asks for consent the first time a person uses the portal: answer it if it
    # comes, however long the provider takes, and go on as soon as the portal page is there.
    arrived = f"{portal.url}{next_path}"
    consent = page.locator("button[type=submit]", has_text="Continue")
    for _ in range(LOGIN_POLLS):
        if page.url.startswith(arrived):
            break
        with contextlib.suppress(Exception):
            if await consent.is_visible():
                await consent.click()
        await page.wait_for_timeout(LOGIN_POLL_MS)
    await page.wait_for_url(f"{arrived}*")


async def switch_language(page: Page, language: str) -> None:
    current = await page.locator("html").get_attribute("lang")
    if current != language:
        await page.locator("form[action='/sprak'] button").click()
        await page.wait_for_load_state()
    assert await page.locator("html").get_attribute("lang") == language


async def tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would (fails if it never
    does: the element is not reachable by keyboard)."""
    handle = await target.element_handle()
    assert handle is not None, "the element to tab to is not on the page"
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await handle.evaluate("(el) => el === document.activeElement"):
            return
    pytest.fail(f"could not reach {target} with Tab in {limit} presses", pytrace=False)


async def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now.

    axe is evaluated through the browser's debugging protocol, which the page's strict
    content-security policy does not govern, so the policy stays on for the page itself.
    """
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(axe_source())
    result = await page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


async def assert_accessible(page: Page) -> None:
    """No WCAG 2.1 A/AA violation, and nothing the content-security policy had to refuse."""
    violations = await accessibility_violations(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    assert await policy_violations(page) == []


async def screenshots(page: Page, name: str) -> list[Path]:
    """The page at phone and desktop widths, under test-artifacts/portal/ (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    written = []
    original = page.viewport_size
    for width, (w, h) in WIDTHS.items():
        await page.set_viewport_size({"width": w, "height": h})
        path = ARTIFACTS / f"{name}-{width}.png"
        await page.screenshot(path=str(path), full_page=True)
        written.append(path)
    if original is not None:
        await page.set_viewport_size(original)
    return written
