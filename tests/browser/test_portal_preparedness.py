"""Emergency preparedness in Chromium: a person the admin makes emergency staff (facilities'
`PUT /emergency-staff/{person}`) sees `/beredskap` with the overview, requisitions a site of
their own for a period from tomorrow and lifts it; the admin records the site's preparedness
facts (a refused number keeps the form); a club's administrator fills in the club's
preparedness form (a refused phone keeps the form, then it is saved) and never sees the 24/7
contact back; anyone else gets the 403 page. Every page without a WCAG 2.1 A/AA violation in
bokmål and English."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from samspill.identity_provider import log_in as provider_log_in
from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    log_in,
    new_context,
    screenshots,
    someone,
    switch_language,
)
from tests.browser.test_portal_bookings import person_with_club
from tests.dates import ordinary_day
from tests.identity import TEST_REDIRECT_URI
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "demo-admin"


async def new_site(portal: PortalStack) -> dict[str, str]:
    """A site of this test's own, so requisitioning it cancels nobody else's bookings."""
    name = f"Beredskapshallen {uuid.uuid4().hex[:6]}"
    site: dict[str, str] = await portal.api.call(
        "POST",
        "facilities",
        "/sites",
        portal.admin(),
        json={
            "kind": "sports_hall",
            "name": name,
            "address": "Storgata 1",
            "district": "kjeller",
            "contact": {"name": "Driftskontoret"},
        },
    )
    return site


async def emergency_staff(portal: PortalStack) -> str:
    """A new person granted the emergency role by the admin; returns their login once booking
    knows the grant (it travels as an event)."""
    login = someone("beredskap")
    tokens = await asyncio.to_thread(
        provider_log_in, portal.identity.issuer, login=login, redirect_uri=TEST_REDIRECT_URI
    )
    me = await portal.api.call("GET", "booking", "/me", tokens.access_token)
    path = f"/emergency-staff/{me['person_id']}"
    await portal.api.call("PUT", "facilities", path, portal.admin())

    async def granted() -> bool:
        found = await portal.api.call("GET", "booking", "/me", tokens.access_token)
        return bool(found.get("is_emergency_staff"))

    await eventually(granted, timeout=60, interval=0.5)
    return login


async def page_of(browser: Browser, portal: PortalStack, login: str, path: str) -> Page:
    page = await (await new_context(browser)).new_page()
    await log_in(page, portal, login, next_path=path)
    return page


async def every_language(page: Page, name: str) -> None:
    """The page (a GET) in bokmål and English, without an accessibility violation."""
    for language in LANGUAGES:
        await switch_language(page, language)
        await expect(page.locator("h1")).to_have_count(1)
        await assert_accessible(page)
    await screenshots(page, name)
    await switch_language(page, "nb")


async def refused_in_english(page: Page, url: str, refuse: Callable[[], Awaitable[None]]) -> None:
    """The refusal shown again in English (a refused form is the answer to a POST, so the
    language switch cannot reload it): without an accessibility violation, then back to
    bokmål on the page at `url`."""
    await switch_language(page, "en")
    await page.goto(url)
    await refuse()
    await expect(page.get_by_role("alert")).to_be_visible()
    await assert_accessible(page)
    await switch_language(page, "nb")
    await page.goto(url)


async def test_the_emergency_staff_requisitions_a_site_and_lifts_it(
    browser: Browser, portal: PortalStack
) -> None:
    site = await new_site(portal)
    login = await emergency_staff(portal)
    page = await page_of(browser, portal, login, "/beredskap")
    await expect(page.locator("h1")).to_have_text("Beredskap")
    await expect(page.get_by_role("heading", name="Organisasjonenes ressurser")).to_be_visible()
    await every_language(page, "preparedness-overview")

    # An end before the start is facilities' refusal, shown with what was typed kept.
    first = ordinary_day(1)
    start = f"{first.isoformat()}T08:00"
    end = f"{(first + timedelta(days=2)).isoformat()}T20:00"
    form = page.locator("form[action='/beredskap/rekvisisjoner']")

    async def requisition(first: str, last: str) -> None:
        await form.locator("[name=site_id]").select_option(str(site["site_id"]))
        await form.locator("[name=start]").fill(first)
        await form.locator("[name=end]").fill(last)
        await form.locator("[name=reason]").fill("Flom i sentrum")
        await form.locator("button[type=submit]").click()

    await requisition(end, start)
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(form.locator("[name=reason]")).to_have_value("Flom i sentrum")
    await expect(form.locator("[name=site_id]")).to_have_value(str(site["site_id"]))
    await expect(form.locator("[name=start]")).to_have_value(end)
    await assert_accessible(page)
    await screenshots(page, "preparedness-refused")
    await refused_in_english(page, portal.url + "/beredskap", lambda: requisition(end, start))

    await form.locator("[name=site_id]").select_option(str(site["site_id"]))
    await form.locator("[name=reason]").fill("Flom i sentrum")
    await form.locator("[name=start]").fill(start)
    await form.locator("[name=end]").fill(end)
    await form.get_by_role("button", name="Rekvirer").click()
    await expect(page.get_by_role("status")).to_contain_text("Stedet er rekvirert")
    row = page.locator("#rekvirert").locator("..").get_by_role("row").filter(has_text=site["name"])
    await expect(row).to_contain_text("Flom i sentrum")
    await every_language(page, "preparedness-requisitioned")

    await row.get_by_role("button", name="Opphev").click()
    await expect(page.get_by_role("status")).to_contain_text("Rekvisisjonen er opphevet")
    await expect(
        page.locator("#rekvirert").locator("..").get_by_role("row").filter(has_text=site["name"])
    ).to_have_count(0)
    await assert_accessible(page)
    await page.context.close()


async def test_the_admin_records_a_sites_preparedness_facts(
    browser: Browser, portal: PortalStack
) -> None:
    site = await new_site(portal)
    page = await page_of(browser, portal, ADMIN, f"/admin/steder/{site['site_id']}")
    section = page.locator("#beredskap")
    await expect(section).to_contain_text("Stedet har ingen beredskapsopplysninger ennå")

    url = page.url

    async def too_many() -> None:
        await page.locator("#beredskap-evacuation_capacity").fill("200000")
        await page.locator("#beredskap-kitchen").check()
        await page.locator("#beredskap-notes").fill("Gymsal og garderober")
        await section.locator("button[type=submit]").click()

    # More than facilities takes: its refusal beside the field, the form kept.
    await too_many()
    await expect(page.locator("#beredskap-evacuation_capacity-feil")).to_be_visible()
    await expect(section.get_by_label("Evakueringskapasitet (personer)")).to_have_value("200000")
    await expect(section.get_by_label("Kjøkken")).to_be_checked()
    await expect(section.get_by_label("Merknader")).to_have_value("Gymsal og garderober")
    await assert_accessible(page)
    await screenshots(page, "preparedness-site-refused")
    await refused_in_english(page, url, too_many)

    await section.get_by_label("Evakueringskapasitet (personer)").fill("300")
    await section.get_by_label("Senger").fill("40")
    await section.get_by_label("Kjøkken").check()
    await section.get_by_role("button", name="Lagre beredskapsopplysningene").click()
    await expect(page.get_by_role("status")).to_contain_text("beredskapsopplysninger er lagret")
    await expect(section.locator("dl")).to_contain_text("300 personer")
    await every_language(page, "preparedness-site")
    facts = await portal.api.call("GET", "facilities", f"/sites/{site['site_id']}", portal.admin())
    assert facts["preparedness"]["evacuation_capacity"] == 300
    assert facts["preparedness"]["kitchen"] is True
    await page.context.close()


async def test_a_club_registers_what_it_can_contribute(
    browser: Browser, portal: PortalStack
) -> None:
    login, _, club = await person_with_club(portal, "club-preparedness")
    page = await page_of(browser, portal, login, f"/lag/{club}/beredskap")
    await expect(page.locator("h1")).to_have_text("Beredskap")
    await expect(page.get_by_text("Ingen døgnkontakt er registrert")).to_be_visible()
    await every_language(page, "preparedness-club-empty")

    url = page.url

    async def bad_phone() -> None:
        await page.locator("#volunteers").fill("Førstehjelp: 4\nSjåfør: 2")
        await page.locator("#equipment").fill("Telt")
        await page.locator("#contact_name").fill("Kari Vakt")
        await page.locator("#contact_phone").fill("12")  # booking's refusal: not a phone
        await page.locator("main form[action$='/beredskap'] button[type=submit]").click()

    await bad_phone()
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.locator("#volunteers")).to_have_value("Førstehjelp: 4\nSjåfør: 2")
    await expect(page.locator("#contact_name")).to_have_value("Kari Vakt")
    await assert_accessible(page)
    await screenshots(page, "preparedness-club-refused")
    await refused_in_english(page, url, bad_phone)

    await page.locator("#volunteers").fill("Førstehjelp: 4\nSjåfør: 2")
    await page.locator("#equipment").fill("Telt")
    await page.locator("#contact_name").fill("Kari Vakt")
    await page.locator("#contact_phone").fill("+4791234567")
    await page.locator("main form[action$='/beredskap'] button[type=submit]").click()
    await expect(page.get_by_role("status")).to_contain_text("Beredskapsregistreringen er lagret")
    saved = await page.locator("#volunteers").input_value()
    assert sorted(saved.splitlines()) == ["Førstehjelp: 4", "Sjåfør: 2"]
    await expect(page.get_by_text("En døgnkontakt er registrert")).to_be_visible()
    # The 24/7 contact is the emergency staff's: the club never sees it back.
    await expect(page.locator("#contact_name")).to_have_value("")
    await expect(page.locator("#contact_phone")).to_have_value("")
    content = await page.content()
    assert "Kari Vakt" not in content
    assert "91234567" not in content
    await every_language(page, "preparedness-club")
    await page.context.close()


async def test_only_the_emergency_staff_see_the_overview(
    browser: Browser, portal: PortalStack
) -> None:
    page = await page_of(browser, portal, someone("resident"), "/min-side")
    answer = await page.goto(portal.url + "/beredskap")
    assert answer is not None
    assert answer.status == 403
    await expect(page.locator("main")).to_contain_text("Bare kommunens beredskapspersonell")
    await every_language(page, "preparedness-not-staff")
    await page.context.close()
