"""Journey 3, a family borrows, in Chromium: browse the equipment centre's catalogue by
category and size, see what is free for chosen dates, reserve as a new person, get the pickup
reminder queued, see the loan and cancel it — in both languages with no WCAG 2.1 A/AA
violation on any page; a refused reservation shows the rule on the form with the fields kept;
and the reservation made by keyboard alone."""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

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
from tests.dates import consecutive_dates
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXTS = {
    "nb": {
        "show": "Vis utstyr",
        "login": "Logg inn for å reservere",
        "reserve": "Reserver",
        "reserved": "Utstyret er reservert til deg",
        "cancel": "Avbestill reservasjonen",
        "confirm": "Ja, avbestill reservasjonen",
        "cancelled": "Reservasjonen er avbestilt",
        "status_cancelled": "Avbestilt",
        "status_reserved": "Reservert",
        "free": "3 ledige",
        "short": "Bare 2 av 3 ønskede enheter",
        "before": "Innleveringsdatoen kan ikke være før hentedatoen.",
        "none": "Ingen.",
        "reminder": "dagen før du skal hente",
    },
    "en": {
        "show": "Show equipment",
        "login": "Log in to reserve",
        "reserve": "Reserve",
        "reserved": "The equipment is reserved for you",
        "cancel": "Cancel the reservation",
        "confirm": "Yes, cancel the reservation",
        "cancelled": "The reservation is cancelled",
        "status_cancelled": "Cancelled",
        "status_reserved": "Reserved",
        "free": "3 free",
        "short": "Only 2 of 3 requested units",
        "before": "The return date must not be before the pickup date.",
        "none": "None.",
        "reminder": "the day before you pick up",
    },
}


def loan_dates() -> tuple[date, date]:
    """Pickup two days ahead or more (so the reminder the day before lies in the future) and
    return two days later, all ordinary days."""
    days = consecutive_dates(3, after=2)
    return days[0], days[-1]


async def choose_in_catalogue(
    page: Page, portal: PortalStack, category: str, size: str, pickup: date, back: date
) -> None:
    await page.goto(portal.url + "/utstyr")
    await page.locator("#kategori").select_option(category)
    await page.locator("#storrelse").select_option(size)
    await page.locator("#hentes").fill(pickup.isoformat())
    await page.locator("#leveres").fill(back.isoformat())
    await page.locator("form[action='/utstyr'] button[type=submit]").click()
    await page.wait_for_url(re.compile(r".*/utstyr\?.*hentes="))


async def messages_about(portal: PortalStack, address: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await portal.api.call(
        "GET", "notifications", "/messages", portal.admin(), params={"limit": 500}
    )
    return [m for m in found if m["address"] == address]


async def reminder(portal: PortalStack, address: str, status: str) -> dict[str, Any] | None:
    for message in await messages_about(portal, address):
        if message["kind"] == "reminder_pickup_tomorrow" and message["status"] == status:
            return message
    return None


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_family_browses_reserves_and_cancels(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    pickup, back = loan_dates()
    page = await portal.new_page(browser, language=language)

    # Browse without logging in: the whole catalogue, then skis of one size for the dates.
    await page.goto(portal.url + "/utstyr")
    await expect(page.locator("h1")).to_have_count(1)
    await expect(page.get_by_role("link", name="Telt")).to_be_visible()
    await assert_accessible(page)
    await choose_in_catalogue(page, portal, "ski", "150 cm", pickup, back)
    await expect(page.get_by_role("link", name="Telt")).to_have_count(0)
    skis = page.locator(".lending-items > li", has=page.get_by_role("link", name="Langrennsski"))
    await expect(skis).to_contain_text(texts["free"])
    await assert_accessible(page)

    # The item: its facts, what is free, and a login to reserve.
    await skis.get_by_role("link", name="150 cm").click()
    await expect(page.locator("h1")).to_have_text("Langrennsski")
    await expect(page.locator("table")).to_contain_text("150 cm")
    await assert_accessible(page)
    item_url = page.url
    await expect(page.get_by_role("link", name=texts["login"])).to_be_visible()

    # A new person logs in and reserves; reminders go to the address they give.
    login = someone("family")
    email = f"{login}@example.no"
    await log_in(page, portal, login, next_path=item_url.removeprefix(portal.url).split("?")[0])
    await page.goto(item_url)
    await expect(page.locator("#storrelse")).to_have_value(item_url.split("/utstyr/")[1][:36])
    await expect(page.locator("#hentes")).to_have_value(pickup.isoformat())
    await assert_accessible(page)
    await page.locator("#epost").fill(email)
    await page.get_by_role("button", name=texts["reserve"], exact=True).click()
    await page.wait_for_url(re.compile(r".*/lan/[0-9a-f-]{36}\?reservert=1"))
    loan_url = page.url.split("?")[0]
    await expect(page.get_by_role("status")).to_contain_text(texts["reserved"])
    await expect(page.locator(".lending-facts")).to_contain_text("1 × Langrennsski")
    await expect(page.locator("#reminders-heading + p")).to_contain_text(email)
    await expect(page.locator("#reminders-heading + p")).to_contain_text(texts["reminder"])
    await expect(page.get_by_role("link", name=re.compile("Min side|My page")).last).to_be_visible()
    await assert_accessible(page)

    # The pickup reminder waits for 10:00 Oslo time the day before pickup.
    queued = await eventually(lambda: reminder(portal, email, "pending"))
    due = datetime.fromisoformat(queued["next_attempt_at"]).astimezone(OSLO)
    assert due.date() == pickup - timedelta(days=1)
    assert due > datetime.now(OSLO)
    assert queued["channel"] == "email"

    # The loans list shows it as upcoming, with place and dates.
    await page.goto(portal.url + "/lan")
    upcoming = page.locator("section").first
    await expect(upcoming.locator("tbody tr")).to_have_count(1)
    await expect(upcoming).to_contain_text("BUA Lillestrøm")
    await expect(upcoming).to_contain_text(texts["status_reserved"])
    await assert_accessible(page)

    # Cancel, with a confirm step; the reminders stop.
    await upcoming.get_by_role("link", name="1 × Langrennsski").click()
    await page.wait_for_url(loan_url)
    await page.get_by_role("link", name=texts["cancel"]).click()
    await expect(page.locator("h1")).to_have_count(1)
    await assert_accessible(page)
    await page.get_by_role("button", name=texts["confirm"]).click()
    await page.wait_for_url(loan_url + "?avbestilt=1")
    await expect(page.get_by_role("status")).to_contain_text(texts["cancelled"])
    await expect(page.locator(".lending-facts")).to_contain_text(texts["status_cancelled"])
    await expect(page.get_by_role("link", name=texts["cancel"])).to_have_count(0)
    await assert_accessible(page)
    assert await eventually(lambda: reminder(portal, email, "cancelled"))
    if language == "nb":
        await screenshots(page, "borrow-last")
    await page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_refused_reservation_shows_the_rule_with_the_form_kept(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    pickup, back = loan_dates()
    page = await portal.new_page(browser, language=language)
    await log_in(page, portal, someone("refused"), next_path="/utstyr")
    await choose_in_catalogue(page, portal, "sykkel", '24"', pickup, back)
    await page.get_by_role("link", name='24"').click()
    email = f"refused-{uuid.uuid4().hex[:8]}@example.no"

    # More than the centre has: the rule beside the quantity, everything kept.
    await page.locator("#antall").fill("3")
    await page.locator("#epost").fill(email)
    await page.get_by_role("button", name=texts["reserve"], exact=True).click()
    await expect(page.locator("#quantity-feil")).to_contain_text(texts["short"])
    await expect(page.get_by_role("alert")).to_contain_text(texts["short"])
    await expect(page.locator("#antall")).to_have_value("3")
    await expect(page.locator("#epost")).to_have_value(email)
    await expect(page.locator("#hentes")).to_have_value(pickup.isoformat())
    await expect(page.locator("#antall")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page)

    # A return before the pickup: the API's rule in plain words on the form.
    await page.locator("#antall").fill("1")
    await page.locator("#leveres").fill((pickup - timedelta(days=1)).isoformat())
    await page.get_by_role("button", name=texts["reserve"], exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text(texts["before"])
    await expect(page.locator("#period-feil")).to_have_text(texts["before"])
    await expect(page.locator("#leveres")).to_have_value((pickup - timedelta(days=1)).isoformat())
    await expect(page.locator("#epost")).to_have_value(email)
    await assert_accessible(page)

    # Nothing was reserved.
    await page.goto(portal.url + "/lan")
    await expect(page.get_by_text(texts["none"], exact=True)).to_have_count(3)
    await assert_accessible(page)
    assert await messages_about(portal, email) == []
    await page.context.close()


async def log_in_by_keyboard(page: Page, portal: PortalStack, login: str, next_path: str) -> None:
    await page.goto(f"{portal.url}/logg-inn?neste={next_path}&login_hint={login}")
    await tab_to(page, page.locator("input[name=password]"))
    await page.keyboard.type("any")
    await page.keyboard.press("Enter")
    consent = page.locator("button[type=submit]", has_text="Continue")
    with contextlib.suppress(Exception):
        await consent.wait_for(timeout=3000)
        await tab_to(page, consent)
        await page.keyboard.press("Enter")
    await page.wait_for_url(f"{portal.url}{next_path}*")


async def choose_by_keyboard(page: Page, select: Locator, value: str) -> None:
    """Tab to a closed select and move through its options with the arrow key."""
    await tab_to(page, select)
    for _ in range(60):
        if await select.input_value() == value:
            return
        await page.keyboard.press("ArrowDown")
    pytest.fail(f"the arrow keys never reached {value!r}", pytrace=False)


async def type_date(page: Page, field: Locator, day: date) -> None:
    """Type a date into the focused date field. The order of its parts follows the browser's
    own locale, which a page cannot ask for: try the orders, each from the first part."""
    parts = {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": f"{day.year:04d}"}
    for order in (("day", "month", "year"), ("month", "day", "year"), ("year", "month", "day")):
        for _ in range(3):
            await page.keyboard.press("ArrowLeft")
        for part in order:
            await page.keyboard.type(parts[part])
        if await field.input_value() == day.isoformat():
            return
    pytest.fail(f"could not type {day} into the date field", pytrace=False)


async def test_reserving_by_keyboard_alone(browser: Browser, portal: PortalStack) -> None:
    pickup, back = loan_dates()
    page = await portal.new_page(browser)
    login = someone("keyboard")
    await log_in_by_keyboard(page, portal, login, "/utstyr")

    # The filter: category and size by typing, the dates typed into the date fields.
    await choose_by_keyboard(page, page.locator("#kategori"), "skøyter")
    await choose_by_keyboard(page, page.locator("#storrelse"), "str. 36")
    await tab_to(page, page.locator("#hentes"))
    await type_date(page, page.locator("#hentes"), pickup)
    await expect(page.locator("#hentes")).to_have_value(pickup.isoformat())
    await tab_to(page, page.locator("#leveres"))
    await type_date(page, page.locator("#leveres"), back)
    await expect(page.locator("#leveres")).to_have_value(back.isoformat())
    await tab_to(page, page.get_by_role("button", name=TEXTS["nb"]["show"]))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r".*/utstyr\?.*hentes="))

    # The size, then the reservation form.
    await tab_to(page, page.get_by_role("link", name="str. 36"))
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("Skøyter")
    await tab_to(page, page.locator("#antall"))
    await page.keyboard.press("Control+A")
    await page.keyboard.type("2")
    await tab_to(page, page.locator("#epost"))
    await page.keyboard.type(f"{login}@example.no")
    await tab_to(page, page.get_by_role("button", name=TEXTS["nb"]["reserve"], exact=True))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r".*/lan/[0-9a-f-]{36}\?reservert=1"))
    await expect(page.locator(".lending-facts")).to_contain_text("2 × Skøyter")

    # To the list of loans and the loan again, by keyboard.
    await tab_to(page, page.get_by_role("link", name="Alle lånene dine"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{portal.url}/lan")
    await tab_to(page, page.get_by_role("link", name="2 × Skøyter"))
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_contain_text("BUA Lillestrøm")
    await page.context.close()
