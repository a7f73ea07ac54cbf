"""The frame every portal page shares, in Chromium: the front page in both languages with no
WCAG 2.1 A/AA violation, the skip link and menu by keyboard, the language remembered, login
at the identity provider and logout that ends the session."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    log_in,
    new_context,
    screenshots,
    someone,
    switch_language,
    tab_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_front_page_is_accessible_in_both_languages(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    page = await portal.new_page(browser, language=language)
    await page.goto(portal.url + "/")
    await expect(page.locator("h1")).to_have_count(1)
    await assert_accessible(page)
    await screenshots(page, f"front-page-{language}")
    await page.context.close()


async def test_language_choice_is_remembered(browser: Browser, portal: PortalStack) -> None:
    page = await portal.new_page(browser)
    await page.goto(portal.url + "/")
    await expect(page.locator("h1")).to_have_text("Lokaler og utstyr for alle i Lillestrøm")
    await switch_language(page, "en")
    await page.goto(portal.url + "/")
    await expect(page.locator("h1")).to_have_text("Halls and equipment for everyone in Lillestrøm")
    await page.context.close()


async def test_skip_link_and_menu_by_keyboard(browser: Browser, portal: PortalStack) -> None:
    page = await portal.new_page(browser)
    await page.goto(portal.url + "/")
    await page.keyboard.press("Tab")
    skip = page.locator("a.ds-skip-link")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    assert page.url.endswith("#innhold")
    await tab_to(page, page.get_by_role("link", name="Finn ledig lokale").first)
    await page.context.close()


async def test_log_in_and_out(browser: Browser, portal: PortalStack) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    await log_in(page, portal, someone("frame"))
    session = next(c for c in await context.cookies() if c["name"] == "samspill_session")
    assert session["httpOnly"]
    assert session["secure"]
    assert session["sameSite"] == "Lax"
    await expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    await page.get_by_role("button", name="Logg ut").click()
    await expect(page.get_by_role("status")).to_contain_text("Du er logget ut")
    assert not [c for c in await context.cookies() if c["name"] == "samspill_session"]
    # The old session id no longer logs anyone in.
    await context.add_cookies([{**session, "expires": -1}])
    await page.goto(portal.url + "/")
    await expect(page.get_by_role("link", name="Logg inn")).to_be_visible()
    await context.close()


async def test_a_form_without_its_token_is_refused(browser: Browser, portal: PortalStack) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(portal.url + "/")
    answer = await page.request.post(portal.url + "/sprak", form={"lang": "en", "neste": "/"})
    assert answer.status == 403
    assert "Skjemaet er utløpt" in await answer.text()
    await page.goto(portal.url + "/")
    assert await page.locator("html").get_attribute("lang") == "nb"
    await context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_staff_find_their_pages(browser: Browser, portal: PortalStack, language: str) -> None:
    """The demo data makes demo-facility-manager manager of Kjeller skole: the menu offers the
    staff pages, which list the site; a resident gets no such link."""
    context = await new_context(browser)
    page = await context.new_page()
    await log_in(page, portal, "demo-facility-manager")
    await switch_language(page, language)
    staff = {"nb": "For ansatte", "en": "For staff"}[language]
    await page.get_by_role("link", name=staff).click()
    await expect(page.locator("h1")).to_have_text(staff)
    await expect(page.get_by_role("link", name="Kjeller skole")).to_be_visible()
    await assert_accessible(page)
    await screenshots(page, f"staff-home-{language}")
    await context.close()

    resident = await (await new_context(browser)).new_page()
    await log_in(resident, portal, someone("resident"))
    menu = resident.get_by_role("navigation", name="Hovedmeny")
    await expect(menu.get_by_role("link", name="Min side")).to_be_visible()
    await expect(menu.get_by_role("link", name="For ansatte")).to_have_count(0)
    await resident.context.close()
