"""Journey 1, find a free hall, in Chromium against the real services and the demo data: the
search form and its results as a list and as a week grid, a hall's page with prices,
accessibility and calendar links, in both languages with no WCAG 2.1 A/AA violation; the whole
journey by keyboard alone; bad input answered on the form with the input kept."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import Browser, Page, expect

from facilities.demo.data import terms
from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    screenshots,
    tab_to,
)
from tests.dates import ordinary_dates, today

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXTS = {
    "nb": {
        "h1": "Finn ledig lokale",
        "search": "Søk",
        "district": "Område",
        "grid": "En ukeoversikt per lokale",
        "free": "Ledig",
        "price": "Gratis",
        "calendar": "Åpne i kalenderappen",
        "book": "Book dette lokalet",
    },
    "en": {
        "h1": "Find a free hall",
        "search": "Search",
        "district": "District",
        "grid": "A week grid per hall",
        "free": "Available",
        "price": "Free of charge",
        "calendar": "Open in your calendar app",
        "book": "Book this hall",
    },
}
HALL = "Gymsal, Kjeller skole"


def evening_in_term() -> date:
    """An ordinary weekday whose evening the demo halls are released (a school term)."""
    current, following = terms(today())
    for day in ordinary_dates(1):
        if any(term.first <= day <= term.last for term in (current, following)):
            return day
    raise AssertionError("unreachable")


def norwegian(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


async def search_kjeller(page: Page, portal: PortalStack, language: str, day: date) -> None:
    await page.goto(portal.url + "/ledige-lokaler")
    await page.locator("#felt-dato").fill(norwegian(day))
    await page.get_by_label(TEXTS[language]["district"], exact=True).select_option("kjeller")
    await page.locator("#felt-storrelse").fill("40")  # the gym, not the classroom
    await page.get_by_role("button", name=TEXTS[language]["search"], exact=True).click()
    await page.wait_for_url("**bydel=kjeller**")  # htmx pushed the search into the address
    await expect(page.locator("#treff li.ds-card")).to_have_count(1)
    await expect(page.locator("#treff")).to_contain_text(HALL)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_find_a_hall_in_both_languages(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    day = evening_in_term()
    page = await portal.new_page(browser, language=language)
    await page.goto(portal.url + "/ledige-lokaler")
    await expect(page.locator("h1")).to_have_text(TEXTS[language]["h1"])
    await assert_accessible(page)

    await search_kjeller(page, portal, language, day)
    results = page.locator("#treff")
    await expect(results.locator("li.ds-card")).to_have_count(1)
    await expect(results).to_contain_text("17:00–22:00")
    await expect(results).not_to_contain_text("Volla skole")
    await assert_accessible(page)

    await page.get_by_label(TEXTS[language]["grid"]).check()
    await page.get_by_role("button", name=TEXTS[language]["search"], exact=True).click()
    await page.wait_for_url("**visning=uke**")
    grid = results.locator("table.week-grid")
    await expect(grid).to_have_count(1)
    await expect(grid.locator("thead th")).to_have_count(6)  # the day and 17–22
    await expect(grid.locator("tbody tr")).to_have_count(7)
    await expect(grid.locator("tbody tr").first.locator("td").first).to_have_text(
        TEXTS[language]["free"]
    )
    await assert_accessible(page)

    # Without JavaScript's help too: the address holds the whole search.
    await page.reload()
    await expect(page.locator("table.week-grid")).to_have_count(1)
    await expect(page.get_by_label(TEXTS[language]["district"], exact=True)).to_have_value(
        "kjeller"
    )

    await page.get_by_role("link", name=HALL).click()
    await expect(page.locator("h1")).to_have_text(HALL)
    await expect(page.locator("h1")).to_have_count(1)
    main = page.locator("main")
    await expect(main).to_contain_text("Kjellerveien 8")
    await expect(main.locator("table").first).to_contain_text(TEXTS[language]["price"])
    await expect(main.locator("table.week-grid tbody tr")).to_have_count(7)
    webcal = page.get_by_role("link", name=TEXTS[language]["calendar"])
    href = await webcal.get_attribute("href")
    assert href is not None
    assert href.startswith("webcal://")
    assert href.endswith(".ics")
    https = await page.locator("#kalenderlenke").input_value()
    assert https.startswith("http")
    assert https.split("://", 1)[1] == href.split("://", 1)[1]
    book = page.get_by_role("link", name=TEXTS[language]["book"])
    assert (await book.get_attribute("href") or "").startswith("/booking/ny?lokale=")
    await assert_accessible(page)
    if language == "nb":
        await screenshots(page, "find-a-hall-last")
    await page.context.close()


async def test_find_a_hall_by_keyboard_alone(browser: Browser, portal: PortalStack) -> None:
    day = evening_in_term()
    page = await portal.new_page(browser)
    await page.goto(portal.url + "/ledige-lokaler")
    date_field = page.locator("#felt-dato")
    await tab_to(page, date_field)
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.type(norwegian(day))
    await tab_to(page, page.locator("#felt-bydel"))
    await page.keyboard.type("Kjeller")
    await expect(page.locator("#felt-bydel")).to_have_value("kjeller")
    await tab_to(page, page.get_by_role("button", name="Søk", exact=True))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**bydel=kjeller**")
    hall_link = page.locator("#treff").get_by_role("link", name=HALL)
    await expect(hall_link).to_have_count(1)
    await tab_to(page, hall_link)
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text(HALL)
    await tab_to(page, page.get_by_role("link", name="Åpne i kalenderappen"))
    await tab_to(page, page.locator("#kalenderlenke"))
    await tab_to(page, page.get_by_role("button", name="Kopier lenken"))
    await page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_bad_input_is_explained_on_the_form_with_the_input_kept(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    page = await portal.new_page(browser, language=language)
    answer = await page.goto(
        portal.url + "/ledige-lokaler?dato=31.02&storrelse=-3&bydel=atlantis&fra=20&til=18"
    )
    assert answer is not None
    assert answer.status == 422
    summary = page.get_by_role("alert")
    expected = {
        "nb": ["Datoen finnes ikke", "helt tall", "Vi kjenner ikke det området", "Slutten må"],
        "en": ["The date does not exist", "whole number", "do not know that district", "end"],
    }[language]
    for text in expected:
        await expect(summary).to_contain_text(text)
    await expect(summary.locator("a")).to_have_count(4)
    await expect(page.locator("#felt-dato")).to_have_value("31.02")
    await expect(page.locator("#felt-dato")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#felt-dato-feil")).to_be_visible()
    await expect(page.locator("#felt-storrelse")).to_have_value("-3")
    await expect(page.locator("#treff table, #treff li")).to_have_count(0)
    await assert_accessible(page)

    # Through the form, as htmx sends it: the page reloads with the message beside the field.
    await page.locator("#felt-storrelse").fill("")
    await page.locator("#felt-dato").fill("31.02")
    await page.locator("#felt-til").select_option("22")
    await page.locator("#felt-fra").select_option("17")
    await page.locator("form.hall-search button[type=submit]").click()
    await expect(page.locator("#felt-dato-feil")).to_be_visible()
    await expect(page.locator("#felt-dato")).to_have_value("31.02")
    await expect(page.get_by_role("alert").locator("a")).to_have_count(1)
    await page.context.close()


async def test_an_unknown_hall_is_a_page_not_a_failure(
    browser: Browser, portal: PortalStack
) -> None:
    page = await portal.new_page(browser)
    missing = await page.goto(portal.url + "/lokaler/00000000-0000-4000-8000-000000000000")
    assert missing is not None
    assert missing.status == 404
    garbled = await page.goto(portal.url + "/lokaler/not-a-hall")
    assert garbled is not None
    assert garbled.status == 400
    await page.context.close()
