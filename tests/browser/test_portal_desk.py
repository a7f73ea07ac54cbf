"""The equipment centre's desk in Chromium: a family reserves skis for today, the desk finds
the loan in today's list and by its number, hands the skis out and takes them back with a
condition note, and the family's loan page shows them returned — in both languages with no
WCAG 2.1 A/AA violation on any desk page; a refused return shows the rule with the form kept;
the catalogue's item types and units are kept from the desk; and a handout by keyboard alone."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from samspill.recurrence import OSLO
from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    log_in,
    screenshots,
    someone,
    tab_to,
)
from tests.browser.test_portal_lending import log_in_by_keyboard
from tests.e2e.stack import token

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESK_WORKER = "demo-centre-worker"
TEXTS = {
    "nb": {
        "reserve": "Reserver",
        "hand_out": "Lever ut",
        "handed_out": "Levert ut",
        "take_back": "Ta imot",
        "taken_back": "Tatt imot",
        "notes_needed": "Beskriv skadene",
        "picked_up": "Hentet",
        "returned": "Levert",
        "add_type": "Legg til utstyrstypen",
        "add_unit": "Legg til enheten",
        "name_missing": "Skriv navnet på gjenstanden",
        "damaged": "Skadet",
        "retired": "Tatt ut",
    },
    "en": {
        "reserve": "Reserve",
        "hand_out": "Hand out",
        "handed_out": "Handed out",
        "take_back": "Take back",
        "taken_back": "Taken back",
        "notes_needed": "Describe the damage",
        "picked_up": "Picked up",
        "returned": "Returned",
        "add_type": "Add the item type",
        "add_unit": "Add the unit",
        "name_missing": "Write the name of the item",
        "damaged": "Damaged",
        "retired": "Retired",
    },
}


def today() -> date:
    return datetime.now(OSLO).date()


def loan_number(loan_id: str) -> str:
    return loan_id.replace("-", "")[:8].upper()


async def the_centre(portal: PortalStack) -> dict[str, Any]:
    sites = await portal.api.call(
        "GET", "facilities", "/sites", portal.admin(), params={"kind": "equipment_centre"}
    )
    return next(s for s in sites["items"] if s["name"] == "BUA Lillestrøm")


async def skis(portal: PortalStack, centre_id: str, size: str) -> str:
    types = await portal.api.call(
        "GET",
        "facilities",
        f"/centres/{centre_id}/item-types",
        portal.admin(),
        params={"limit": 100},
    )
    return next(
        t["item_type_id"]
        for t in types["items"]
        if t["name"] == "Langrennsski" and t["variant"] == size
    )


async def desk_page(browser: Browser, portal: PortalStack, language: str, path: str) -> Page:
    page = await portal.new_page(browser, language=language)
    await log_in(page, portal, DESK_WORKER, next_path=path)
    return page


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_desk_hands_out_and_takes_back_a_pair_of_skis(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    centre = await the_centre(portal)
    centre_id = centre["site_id"]
    item_type_id = await skis(portal, centre_id, "130 cm")
    pickup, back = today(), today() + timedelta(days=2)

    # A family (a new person) reserves a pair of skis for today through the borrowing pages.
    family = await portal.new_page(browser, language=language)
    login = someone("family")
    await log_in(family, portal, login, next_path=f"/utstyr/{item_type_id}")
    await family.goto(
        f"{portal.url}/utstyr/{item_type_id}?hentes={pickup.isoformat()}&leveres={back.isoformat()}"
    )
    await family.locator("#epost").fill(f"{login}@example.no")
    await family.get_by_role("button", name=texts["reserve"], exact=True).click()
    await family.wait_for_url(re.compile(r".*/lan/[0-9a-f-]{36}\?reservert=1"))
    family_loan = family.url.split("?")[0]
    loan_id = family_loan.rsplit("/", 1)[1]
    number = loan_number(loan_id)

    # The desk: from the staff home to the centre, where the loan is among today's pickups.
    desk = await desk_page(browser, portal, language, "/drift")
    await desk.get_by_role("link", name="BUA Lillestrøm").click()
    await desk.wait_for_url(f"{portal.url}/drift/sentraler/{centre_id}")
    await expect(desk.locator("h1")).to_have_count(1)
    await expect(desk.locator("#henting-i-dag")).to_contain_text(number)
    await assert_accessible(desk)
    if language == "nb":
        await screenshots(desk, "desk-main")

    # ... and found by its number.
    await desk.locator("#sok").fill(number.lower())
    await desk.locator("form[role=search] button[type=submit]").click()
    await desk.wait_for_url(re.compile(r".*\?sok="))
    await expect(desk.locator("#funnet tbody tr")).to_have_count(1)
    await assert_accessible(desk)
    await desk.locator("#funnet").get_by_role("link", name=number).click()
    await desk.wait_for_url(f"{portal.url}/drift/sentraler/{centre_id}/lan/{loan_id}")
    await assert_accessible(desk)

    # Hand out, swapping the reserved unit for another of the same size.
    unit = desk.locator("select[name^=enhet-]")
    await expect(unit).to_have_count(1)
    reserved = await unit.input_value()
    options = await unit.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    other = next(value for value in options if value != reserved)
    await unit.select_option(other)
    await desk.get_by_role("button", name=texts["hand_out"], exact=True).click()
    await desk.wait_for_url(re.compile(r".*\?utlevert=1"))
    await expect(desk.get_by_role("status")).to_contain_text(texts["handed_out"])
    await expect(desk.locator(".lending-facts")).to_contain_text(texts["picked_up"])
    await assert_accessible(desk)
    loan = await portal.api.call("GET", "booking", f"/loans/{loan_id}", portal.admin())
    assert loan["status"] == "picked_up"
    assert [u["unit_id"] for u in loan["lines"][0]["units"]] == [other]

    # A unit marked damaged without a word about the damage: the rule, the form kept.
    await desk.locator("input[name=skadet]").check()
    await desk.get_by_role("button", name=texts["take_back"], exact=True).click()
    await expect(desk.locator("#notes-feil")).to_contain_text(texts["notes_needed"])
    await expect(desk.get_by_role("alert")).to_contain_text(texts["notes_needed"])
    await expect(desk.locator("input[name=skadet]")).to_be_checked()
    await assert_accessible(desk)
    loan = await portal.api.call("GET", "booking", f"/loans/{loan_id}", portal.admin())
    assert loan["status"] == "picked_up"

    # Taken back in order, with a condition note.
    await desk.locator("input[name=skadet]").uncheck()
    await desk.locator("#merknad").fill("Godt smurt, ingen riper.")
    await desk.get_by_role("button", name=texts["take_back"], exact=True).click()
    await desk.wait_for_url(re.compile(r".*\?innlevert=1"))
    await expect(desk.get_by_role("status")).to_contain_text(texts["taken_back"])
    await expect(desk.locator(".lending-facts")).to_contain_text("Godt smurt, ingen riper.")
    await assert_accessible(desk)

    # The family's loan page shows it returned.
    await family.goto(family_loan)
    await expect(family.locator(".lending-facts")).to_contain_text(texts["returned"])
    await desk.context.close()
    await family.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_desk_keeps_the_catalogue(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    centre_id = (await the_centre(portal))["site_id"]
    desk = await desk_page(browser, portal, language, f"/drift/sentraler/{centre_id}/utstyr")
    await expect(desk.locator("table")).to_contain_text("Langrennsski")
    await assert_accessible(desk)

    # A new item type: a missing name is refused with the rest kept, then it is added.
    await desk.locator("#kategori").fill("tur")
    await desk.locator("#storrelse").fill(f"str. {language}")
    await desk.get_by_role("button", name=texts["add_type"]).click()
    await expect(desk.locator("#name-feil")).to_contain_text(texts["name_missing"])
    await expect(desk.locator("#kategori")).to_have_value("tur")
    await assert_accessible(desk)
    await desk.locator("#navn").fill("Truger")
    await desk.get_by_role("button", name=texts["add_type"]).click()
    await desk.wait_for_url(re.compile(r".*/utstyr/[0-9a-f-]{36}\?lagret=1"))
    await expect(desk.locator("h1")).to_have_text(f"Truger (str. {language})")
    await assert_accessible(desk)

    # A unit, then its condition set to damaged; then the item type retired.
    await desk.locator("#etikett").fill("T-1")
    await desk.get_by_role("button", name=texts["add_unit"]).click()
    await desk.wait_for_url(re.compile(r".*\?lagret=1"))
    await expect(desk.locator("tbody tr")).to_have_count(1)
    await desk.locator("select[id^=tilstand-]").select_option("damaged")
    await desk.locator("form.desk-unit-form button").click()
    await desk.wait_for_url(re.compile(r".*\?lagret=1"))
    await expect(desk.locator("tbody tr")).to_contain_text(texts["damaged"])
    await assert_accessible(desk)
    await desk.locator("form[action$=trekk-tilbake] button").click()
    await desk.wait_for_url(re.compile(r".*\?trukket=1"))
    await expect(desk.get_by_role("status")).to_be_visible()
    await assert_accessible(desk)
    await desk.goto(f"{portal.url}/drift/sentraler/{centre_id}/utstyr")
    row = desk.locator("tbody tr", has_text=f"str. {language}")
    await expect(row).to_contain_text(texts["retired"])
    await desk.context.close()


async def test_a_handout_by_keyboard_alone(browser: Browser, portal: PortalStack) -> None:
    centre_id = (await the_centre(portal))["site_id"]
    item_type_id = await skis(portal, centre_id, "110 cm")
    body = {
        "pickup_date": today().isoformat(),
        "return_date": (today() + timedelta(days=1)).isoformat(),
        "lines": [{"item_type_id": item_type_id, "quantity": 1}],
        "contact": {"name": "Familien Keyboard", "email": "tast@example.no", "channel": "email"},
    }
    family = token(someone("keyboard-family"))
    loan = await portal.api.call("POST", "booking", "/loans", family, json=body)
    number = loan_number(loan["loan_id"])

    page = await portal.new_page(browser)
    path = f"/drift/sentraler/{centre_id}"
    await log_in_by_keyboard(page, portal, DESK_WORKER, path)
    await tab_to(page, page.locator("#sok"))
    await page.keyboard.type("keyboard")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r".*\?sok=keyboard"))
    await tab_to(page, page.locator("#funnet").get_by_role("link", name=number))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(rf".*/lan/{loan['loan_id']}$"))
    await tab_to(page, page.get_by_role("button", name=TEXTS["nb"]["hand_out"], exact=True))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r".*\?utlevert=1"))
    await expect(page.get_by_role("status")).to_contain_text(TEXTS["nb"]["handed_out"])
    await assert_accessible(page)
    await page.context.close()
