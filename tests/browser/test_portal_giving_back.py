"""Giving time back in Chromium: a club on the direct waiting list joins it from
`/lag/{id}/venteliste` (a wrong time refused with the form kept; a second place joined and
left); another club gives back a booked date from its bookings page after the confirmation
(a second confirmation of the same date is refused with nothing changed); the waiting club sees
the given-back offer with its hold's end on `/lag/{id}/tilbud` and accepts it, and the date is
booked for it. Every page without a WCAG 2.1 A/AA violation in bokmål and English."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    screenshots,
    switch_language,
)
from tests.browser.test_portal_bookings import hall_id, logged_in_page, person_with_club
from tests.dates import ordinary_day
from tests.e2e.stack import evening

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE, HALL = "Volla skole", "Gymsal"
WEEKDAY = 2  # Wednesday


async def every_language(page: Page, name: str) -> None:
    for language in LANGUAGES:
        await switch_language(page, language)
        await expect(page.locator("h1")).to_have_count(1)
        await assert_accessible(page)
    await screenshots(page, name)
    await switch_language(page, "nb")


async def book_a_free_wednesday(
    portal: PortalStack, access_token: str, club: str, hall: str
) -> tuple[str, date]:
    """A confirmed evening 18–20 on the first ordinary Wednesday from three weeks on that is
    still free."""
    for weeks in range(3, 12):
        day = ordinary_day(7 * weeks, weekday=WEEKDAY)
        body = {
            "space_id": hall,
            "organisation_id": club,
            "start": evening(day, 18),
            "end": evening(day, 20),
            "activity": "Volleyball",
            "audience": "non_profit",
            "participants": 12,
        }
        answer = await portal.api.request("POST", "booking", "/bookings", access_token, json=body)
        if answer.status_code < 300 and answer.json()["status"] == "confirmed":
            return str(answer.json()["booking_id"]), day
    raise AssertionError("no free Wednesday evening to give back")


async def join(page: Page, hall: str, start: str, end: str, weekday: int = WEEKDAY) -> None:
    form = page.locator("form[action$='/venteliste']")
    await form.locator("[name=space_id]").select_option(hall)
    await form.locator("[name=weekday]").select_option(str(weekday))
    await form.locator("[name=start]").fill(start)
    await form.locator("[name=end]").fill(end)
    await form.locator("[name=activity]").fill("Badminton")
    await form.locator("[name=age_group]").select_option("youth")
    await form.locator("[name=group_size]").fill("10")
    await form.locator("button[type=submit]").click()


async def test_a_date_given_back_goes_to_the_waiting_club_that_accepts_it(
    browser: Browser, portal: PortalStack
) -> None:
    hall = await hall_id(portal, SITE, HALL)
    giver_login, giver_token, giver = await person_with_club(portal, "giver")
    waiter_login, waiter_token, waiter = await person_with_club(portal, "waiter")
    booking_id, day = await book_a_free_wednesday(portal, giver_token, giver, hall)

    # The waiting club joins the direct waiting list; a wrong time is refused, the form kept.
    waiting = await logged_in_page(browser, portal, waiter_login, "nb", f"/lag/{waiter}")
    await waiting.get_by_role("link", name="Venteliste", exact=True).click()
    await expect(waiting.locator("h1")).to_have_text("Venteliste")
    await every_language(waiting, "giving-back-waiting-list")
    await join(waiting, hall, "19:00", "18:00")
    await expect(waiting.get_by_role("alert")).to_contain_text("Til-tiden må være etter")
    await expect(waiting.locator("[name=start]")).to_have_value("19:00")
    await expect(waiting.locator("[name=activity]")).to_have_value("Badminton")
    await assert_accessible(waiting)
    await join(waiting, hall, "18:00", "20:00")
    await expect(waiting.get_by_role("status")).to_contain_text("Laget står på ventelisten")
    # A second place, on Thursdays, is joined and left again.
    await join(waiting, hall, "18:00", "19:00", weekday=3)
    rows = waiting.locator("#entries-heading + .table-wrap tbody tr")
    await expect(rows).to_have_count(2)
    await rows.filter(has_text="Torsdag").get_by_role("button").click()
    await expect(waiting.get_by_role("status")).to_contain_text("gått av ventelisten")
    await expect(rows.filter(has_text="Venter")).to_have_count(1)
    await every_language(waiting, "giving-back-waiting-list-joined")

    # The giver gives the date back from the club's bookings after the confirmation.
    giving = await logged_in_page(browser, portal, giver_login, "nb", f"/lag/{giver}/bookinger")
    await giving.get_by_role("link", name="Gi tilbake").first.click()
    await expect(giving.locator("h1")).to_have_text("Gi tiden tilbake?")
    await expect(giving.locator("main")).to_contain_text("ventelisten")
    await every_language(giving, "giving-back-confirm")
    second = await giving.context.new_page()
    await second.goto(giving.url)
    await giving.get_by_role("button", name="Ja, gi den tilbake").click()
    await giving.wait_for_url(f"{portal.url}/bookinger/{booking_id}?gitt_tilbake=1")
    await expect(giving.get_by_role("status")).to_contain_text("Tiden er gitt tilbake")
    await assert_accessible(giving)
    # The same confirmation sent again is refused, and nothing changes.
    await second.get_by_role("button", name="Ja, gi den tilbake").click()
    await expect(second.get_by_role("alert")).to_contain_text("Ingenting er endret")
    await assert_accessible(second)
    await switch_language(second, "en")
    await expect(second.locator("h1")).to_have_text("Give the time back?")
    await assert_accessible(second)

    # The waiting club sees the offer with its hold's end and accepts it.
    await waiting.goto(f"{portal.url}/lag/{waiter}/tilbud")
    offer = waiting.locator("article[id^=tilbakegitt-]")
    await expect(offer).to_have_count(1)
    await expect(offer).to_contain_text("Holdt av til klubben til")
    await expect(offer).to_contain_text(HALL)
    await every_language(waiting, "giving-back-offer")
    await offer.get_by_role("button", name="Takk ja til tilbudet").click()
    await expect(waiting.get_by_role("status")).to_contain_text("tiden er booket for laget")
    await expect(offer).to_contain_text("Takket ja")
    await assert_accessible(waiting)
    booked = await portal.api.call(
        "GET", "booking", f"/bookings?organisation_id={waiter}", waiter_token
    )
    assert [(b["status"], b["start"][:10]) for b in booked] == [("confirmed", day.isoformat())]
    await waiting.context.close()
    await giving.context.close()
