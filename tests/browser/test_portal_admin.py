"""The municipal admin's pages in Chromium: the admin gives a new person a site (by the id the
person reads on My page, by keyboard alone) and the person then finds it on their staff page;
the admin registers a site with a divisible hall, sets a price for it and sees it in the price
list and on the hall's public page; a refused price keeps the form and changes nothing; every
admin page has no WCAG 2.1 A/AA violation in either language; nobody else gets in."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page, expect

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
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "demo-admin"
GRANTED_SITE = "Vigernes skole"


async def _admin_page(browser: Browser, portal: PortalStack, next_path: str = "/admin") -> Page:
    page = await (await new_context(browser)).new_page()
    await log_in(page, portal, ADMIN, next_path=next_path)
    return page


async def test_the_admin_grants_a_person_a_site_and_they_see_it(
    browser: Browser, portal: PortalStack
) -> None:
    person = await (await new_context(browser)).new_page()
    await log_in(person, portal, someone("manager"), next_path="/min-side")
    id_line = await person.locator("#person-id").inner_text()
    person_id = re.search(r"[0-9a-f-]{36}", id_line)
    assert person_id is not None, id_line
    await person.goto(portal.url + "/drift")
    await expect(person.get_by_role("heading", name="Steder du har ansvar for")).to_have_count(0)

    admin = await _admin_page(browser, portal)
    await expect(admin.locator("h1")).to_have_text("Administrasjon")
    await assert_accessible(admin)
    await screenshots(admin, "admin-main")
    # By keyboard alone: the site, the person's id, the grant.
    await tab_to(admin, admin.get_by_role("link", name=GRANTED_SITE))
    await admin.keyboard.press("Enter")
    await expect(admin.locator("h1")).to_have_text(GRANTED_SITE)
    await tab_to(admin, admin.get_by_label("Personens id"))
    await admin.keyboard.type(person_id.group(0))
    await tab_to(admin, admin.get_by_role("button", name="Gi tilgang til stedet"))
    await admin.keyboard.press("Enter")
    await expect(admin.get_by_role("status")).to_contain_text("Personen har nå tilgang")
    await expect(admin.locator("#tilganger")).to_contain_text(person_id.group(0))
    await assert_accessible(admin)

    # The grant travels to booking as an event: the person's staff page lists the site soon.
    async def listed() -> bool:
        await person.goto(portal.url + "/drift")
        return await person.get_by_role("link", name=GRANTED_SITE).count() > 0

    await eventually(listed, timeout=60, interval=1)
    await expect(person.get_by_role("heading", name="Steder du har ansvar for")).to_be_visible()
    await assert_accessible(person)
    await screenshots(person, "admin-granted-staff-home")

    # The admin takes it back: it is gone from the list of all grants.
    await admin.goto(portal.url + "/admin/tilganger")
    row = admin.get_by_role("row").filter(has_text=person_id.group(0))
    await row.get_by_role("button", name="Fjern tilgangen").click()
    await expect(admin.get_by_role("status")).to_contain_text("Tilgangen er fjernet")
    await expect(admin.get_by_role("row").filter(has_text=person_id.group(0))).to_have_count(0)
    await person.context.close()
    await admin.context.close()


async def test_the_admin_registers_a_divisible_hall_and_prices_it(
    browser: Browser, portal: PortalStack
) -> None:
    site_name = f"Testhallen {uuid.uuid4().hex[:6]}"
    page = await _admin_page(browser, portal, "/admin/steder/ny")
    # A refused form keeps what was typed and names the fields.
    await page.get_by_label("Navn", exact=True).fill(site_name)
    await page.get_by_role("button", name="Registrer stedet").click()
    await expect(page.get_by_role("alert")).to_contain_text("Velg tettsted")
    await expect(page.get_by_label("Navn", exact=True)).to_have_value(site_name)
    await assert_accessible(page)
    await page.get_by_label("Type sted").select_option("sports_hall")
    await page.get_by_label("Adresse", exact=True).fill("Hallveien 1")
    await page.get_by_label("Område").select_option("lillestrom")
    await page.get_by_label("Hvem som svarer").fill(f"{site_name}, resepsjonen")
    await page.get_by_label("E-postadresse").fill("hall@example.no")
    await page.get_by_role("button", name="Registrer stedet").click()
    await expect(page.locator("h1")).to_have_text(site_name)
    await expect(page.get_by_role("status")).to_contain_text("Stedet er registrert")

    await page.get_by_role("link", name="Registrer et lokale").click()
    await page.get_by_label("Navn", exact=True).fill("Storhallen")
    await page.get_by_label("Type lokale").select_option("gym")
    await page.get_by_label("Hvor mange personer det er plass til").fill("300")
    await page.get_by_label("Aktiviteter").fill("håndball, futsal")
    await assert_accessible(page)
    await page.get_by_role("button", name="Registrer lokalet").click()
    await expect(page.get_by_role("status")).to_contain_text("Lokalet er registrert")
    for part in ("Storhallen A", "Storhallen B"):
        await page.get_by_role("link", name="Legg til en del – Storhallen").click()
        await expect(page.get_by_label("Del av")).to_have_value(re.compile(".+"))
        await page.get_by_label("Navn", exact=True).fill(part)
        await page.get_by_label("Hvor mange personer det er plass til").fill("100")
        await page.get_by_role("button", name="Registrer lokalet").click()
        await expect(page.get_by_role("status")).to_contain_text("Lokalet er registrert")
    spaces = page.locator("#lokaler")
    await expect(spaces.get_by_role("rowheader")).to_have_text(
        ["Storhallen", re.compile("Storhallen A"), re.compile("Storhallen B")]
    )
    await expect(spaces.get_by_text("del av hallen over:")).to_have_count(2)
    await assert_accessible(page)
    hall_link = page.get_by_role("link", name="Endre Storhallen", exact=True)
    hall_id = (await hall_link.get_attribute("href") or "").rsplit("/", 1)[-1]

    # A price for the whole hall; a wrong amount first changes nothing.
    await page.get_by_role("link", name="Prisregler").click()
    rules_before = await page.get_by_role("row").count()
    scope = f"{site_name} – Storhallen"
    await page.get_by_label("Gjelder").select_option(label=scope)
    await page.get_by_label("Hvem som booker").select_option("commercial")
    await page.get_by_label("Per time, i kroner").fill("fire hundre")
    await page.get_by_role("button", name="Lagre prisen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Skriv prisen per time i kroner")
    await expect(page.get_by_label("Per time, i kroner")).to_have_value("fire hundre")
    await expect(page.get_by_label("Gjelder")).to_have_value(f"space:{hall_id}")
    assert await page.get_by_role("row").count() == rules_before
    await assert_accessible(page)
    await page.get_by_label("Per time, i kroner").fill("450")
    await page.get_by_label("Helg og helligdag, per time i kroner").fill("600,50")
    await page.get_by_role("button", name="Lagre prisen").click()
    await expect(page.get_by_role("status")).to_contain_text("Prisregelen er lagret")
    await expect(page.get_by_role("row").filter(has_text=scope)).to_contain_text("450,00")

    await page.get_by_role("link", name="Prisliste").click()
    row = page.get_by_role("row").filter(has_text="Storhallen").filter(has_text="Kommersielle")
    await expect(row).to_contain_text("450,00 kr")
    await expect(row).to_contain_text("600,50 kr")
    await assert_accessible(page)

    # The public hall page shows the same price.
    await page.goto(f"{portal.url}/lokaler/{hall_id}")
    price = page.get_by_role("row").filter(has_text="Kommersielle")
    await expect(price).to_contain_text("450,00")
    await page.context.close()


async def _visit(page: Page, url: str) -> None:
    await page.goto(url)
    await expect(page.locator("h1")).to_have_count(1)
    await assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_admin_page_is_accessible(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    page = await _admin_page(browser, portal)
    await switch_language(page, language)
    await _visit(page, portal.url + "/admin")
    site_href = await page.get_by_role("link", name="Kjeller skole").get_attribute("href")
    await _visit(page, portal.url + str(site_href))
    await page.get_by_role("button", name=re.compile("Gi tilgang|Give access")).click()
    await expect(page.get_by_role("alert")).to_be_visible()  # no id typed: the rule
    await assert_accessible(page)
    edit = page.locator("#lokaler a[href^='/admin/lokaler/']").first
    await _visit(page, portal.url + str(await edit.get_attribute("href")))
    await _visit(page, portal.url + str(site_href) + "/lokaler/ny")
    await page.locator("form[action$='/lokaler/ny'] button[type=submit]").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await assert_accessible(page)
    await _visit(page, portal.url + "/admin/steder/ny")
    await _visit(page, portal.url + "/admin/priser")
    rule = page.locator("a[href^='/admin/priser/']").first
    await _visit(page, portal.url + str(await rule.get_attribute("href")))
    await _visit(page, portal.url + "/admin/prisliste")
    await _visit(page, portal.url + "/admin/tilganger")
    await screenshots(page, f"admin-grants-{language}")
    await page.context.close()


async def test_only_admins_get_in(browser: Browser, portal: PortalStack) -> None:
    page = await (await new_context(browser)).new_page()
    await log_in(page, portal, someone("resident"), next_path="/min-side")
    answer = await page.goto(portal.url + "/admin/priser")
    assert answer is not None
    assert answer.status == 403
    await expect(page.get_by_role("alert")).to_contain_text("Bare kommunens administratorer")
    await assert_accessible(page)
    await page.context.close()
