"""Journey 2b, a club books a hall, in Chromium: one evening in a hall whose manager approves
requests (the price first, then the status followed to approval), a weekly series whose skipped
dates are shown before confirming, one date and then the rest cancelled, and a conflicting
request refused with the rule and the nearest free times, the fields kept. Every page in both
languages without a WCAG 2.1 A/AA violation; the one-off booking by keyboard alone."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from facilities.demo.data import school_holidays, terms
from portal.pages import Formats
from samspill.identity_provider import log_in as provider_log_in
from samspill.recurrence import norwegian_public_holidays
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
from tests.dates import ordinary_day, special, today
from tests.e2e.stack import evening, token
from tests.identity import TEST_REDIRECT_URI
from tests.integration.booking.booking_support import org_number
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXTS = {
    "nb": {
        "show": "Vis pris og datoer",
        "confirm": "Bekreft bookingen",
        "confirm_series": "Bekreft og book datoene",
        "waiting": "Venter på godkjenning",
        "confirmed": "Bekreftet",
        "cancelled": "Avbestilt",
        "free": "Gratis",
        "cancel_rest": "Avbestill resten av serien",
        "yes": "Ja, avbestill",
        "not_made": "Bookingen ble ikke gjort",
        "booked_rule": "er allerede booket",
    },
    "en": {
        "show": "Show price and dates",
        "confirm": "Confirm the booking",
        "confirm_series": "Confirm and book the dates",
        "waiting": "Waiting for approval",
        "confirmed": "Confirmed",
        "cancelled": "Cancelled",
        "free": "Free",
        "cancel_rest": "Cancel the rest of the series",
        "yes": "Yes, cancel",
        "not_made": "The booking was not made",
        "booked_rule": "is already booked",
    },
}
# Each language's run books its own times, so the two never meet.
HOURS = {"nb": (17, 19), "en": (19, 21)}


# --- setting up: halls, a club of the person's own, a club that got there first ---------------


async def hall_id(portal: PortalStack, site: str, space: str) -> str:
    client = portal.api.client
    sites = (await client.get(portal.api.url("facilities", "/sites"), params={"name": site})).json()
    site_id = next(s["site_id"] for s in sites["items"] if s["name"] == site)
    spaces = await client.get(portal.api.url("facilities", "/spaces"), params={"site_id": site_id})
    space_id = str(next(s["space_id"] for s in spaces.json()["items"] if s["name"] == space))

    async def known_to_booking() -> bool:
        answer = await portal.api.client.get(
            portal.api.url("booking", "/availability"),
            params={
                "from": evening(today() + timedelta(days=1), 0),
                "to": evening(today() + timedelta(days=8), 0),
                "space_id": space_id,
            },
        )
        return answer.status_code == 200 and bool(answer.json())

    await eventually(known_to_booking, timeout=60)
    return space_id


async def register_club(portal: PortalStack, access_token: str, name: str) -> str:
    club = await portal.api.call(
        "POST",
        "booking",
        "/organisations",
        access_token,
        json={
            "name": name,
            "org_number": org_number(uuid.uuid4().int % 9_000_000),
            "category": "sports",
            "contact": {"name": "Styret", "email": "styret@example.org"},
        },
    )
    return str(club["id"])


async def person_with_club(portal: PortalStack, role: str) -> tuple[str, str, str]:
    """A made-up person (login name), their own access token, and a club they administer."""
    login = someone(role)
    tokens = await asyncio.to_thread(
        provider_log_in, portal.identity.issuer, login=login, redirect_uri=TEST_REDIRECT_URI
    )
    club = await register_club(portal, tokens.access_token, f"Idrettslaget {login}")
    return login, tokens.access_token, club


async def logged_in_page(
    browser: Browser, portal: PortalStack, login: str, language: str, next_path: str
) -> Page:
    context = await new_context(browser)
    page = await context.new_page()
    await log_in(page, portal, login, next_path=next_path)
    await switch_language(page, language)
    return page


async def fill(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"form.booking-form [name={name}]")
        if await field.evaluate("(el) => el.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)


def norwegian(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def series_with_skipped_weeks() -> tuple[date, date, list[date], list[date]]:
    """Five weekly dates of a school hall, some skipped by the demo's rules (a public holiday,
    a school holiday week, outside the terms the halls are released in), the others ordinary
    and released: (first, last, booked, skipped)."""
    now = today()
    released = terms(now)
    closed = [(first, last) for _nb, _en, first, last in school_holidays(now)]

    def bookable(day: date) -> bool:
        holidays = norwegian_public_holidays([day.year])
        in_term = any(term.first <= day <= term.last for term in released)
        in_break = any(first <= day <= last for first, last in closed)
        return in_term and not in_break and day not in holidays

    for offset in range(8, 170):
        first = now + timedelta(days=offset)
        if first.weekday() > 4:
            continue
        days = [first + timedelta(weeks=n) for n in range(5)]
        booked = [day for day in days if bookable(day)]
        skipped = [day for day in days if not bookable(day)]
        if skipped and len(booked) >= 2 and all(special(day) is None for day in booked):
            return days[0], days[-1], booked, skipped
    raise AssertionError("no weekly series with a skipped week within the horizon")


# --- the journeys -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_club_books_an_evening_sees_the_price_and_follows_the_approval(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    hall = await hall_id(portal, "Lillestrøm kultursenter", "Storsalen")
    login, _token, club = await person_with_club(portal, "club-evening")
    day = ordinary_day(10, weekday=2)
    start, end = HOURS[language]
    page = await logged_in_page(browser, portal, login, language, f"/booking/ny?lokale={hall}")
    await expect(page.locator("h1")).to_have_count(1)
    await expect(page.locator("#lokale")).to_have_value(hall)
    await assert_accessible(page)

    await fill(
        page,
        {
            "dato": norwegian(day),
            "fra": f"{start}:00",
            "til": f"{end}:00",
            "aktivitet": "Juleavslutning",
            "malgruppe": "non_profit",
            "deltakere": "120",
        },
    )
    await page.get_by_role("button", name=texts["show"]).click()
    preview = page.locator(".booking-preview")
    await expect(preview).to_contain_text(re.compile(r"1[\s.,]?000"))
    await assert_accessible(page)
    await page.get_by_role("button", name=texts["confirm"]).click()

    await page.wait_for_url(f"{portal.url}/bookinger/*")
    await expect(page.locator(".facts")).to_contain_text(texts["waiting"])
    await assert_accessible(page)
    booking_id = page.url.split("/bookinger/")[1].split("?")[0]
    mine = await portal.api.call(
        "GET", "booking", f"/bookings?organisation_id={club}", portal.admin()
    )
    assert [b["booking_id"] for b in mine] == [booking_id]

    await portal.api.call("POST", "booking", f"/bookings/{booking_id}/approve", portal.admin())
    await page.goto(f"{portal.url}/lag/{club}/bookinger")
    await expect(page.locator("h1")).to_contain_text("Idrettslaget")
    await expect(page.locator("#upcoming-heading + .table-wrap")).to_contain_text(
        texts["confirmed"]
    )
    await assert_accessible(page)
    await page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_weekly_series_shows_its_skipped_dates_first_then_is_cancelled_in_steps(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts, formats = TEXTS[language], Formats("en" if language == "en" else "nb")
    hall = await hall_id(portal, "Kjeller skole", "Gymsal")
    login, access_token, club = await person_with_club(portal, "club-series")
    first, last, booked, skipped = series_with_skipped_weeks()
    start, end = HOURS[language]
    page = await logged_in_page(browser, portal, login, language, f"/booking/ny?lokale={hall}")
    await page.locator("#type-weekly").check()
    await fill(
        page,
        {
            "ukedag": str(first.weekday()),
            "forste": norwegian(first),
            "siste": norwegian(last),
            "fra": f"{start}:00",
            "til": f"{end}:00",
            "aktivitet": "Håndball G12",
            "malgruppe": "children_youth",
            "deltakere": "18",
        },
    )
    await page.get_by_role("button", name=texts["show"]).click()

    preview = page.locator(".booking-preview")
    await expect(preview).to_contain_text(texts["free"])
    table = page.locator("#skipped-dates tbody tr")
    await expect(table).to_have_count(len(skipped))
    for day in skipped:
        await expect(page.locator("#skipped-dates")).to_contain_text(formats.weekday_date(day))
    await assert_accessible(page)
    nothing = await portal.api.call(
        "GET", "booking", f"/bookings?organisation_id={club}", access_token
    )
    assert nothing == []

    await page.get_by_role("button", name=texts["confirm_series"]).click()
    await page.wait_for_url(f"{portal.url}/serier/*")
    await expect(page.locator("tbody").first.locator("tr")).to_have_count(len(booked))
    await assert_accessible(page)

    await page.locator("tbody").first.locator("tr").first.locator("a").last.click()
    await expect(page.locator("h1")).to_have_count(1)
    await assert_accessible(page)
    await page.get_by_role("button", name=texts["yes"]).click()
    await page.wait_for_url(f"{portal.url}/serier/*avbestilt=1")
    rows = page.locator("tbody").first.locator("tr")
    await expect(rows.first).to_contain_text(texts["cancelled"])
    await expect(rows.nth(1)).to_contain_text(texts["confirmed"])

    await page.get_by_role("link", name=texts["cancel_rest"]).click()
    await assert_accessible(page)
    await page.get_by_role("button", name=texts["yes"]).click()
    await page.wait_for_url(f"{portal.url}/serier/*avbestilt=resten*")
    for n in range(len(booked)):
        await expect(rows.nth(n)).to_contain_text(texts["cancelled"])
    await assert_accessible(page)
    stored = await portal.api.call(
        "GET", "booking", f"/bookings?organisation_id={club}", access_token
    )
    assert {b["status"] for b in stored} == {"cancelled"}
    await page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_conflict_shows_the_rule_and_the_nearest_free_times_with_the_fields_kept(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    hall = await hall_id(portal, "Volla skole", "Gymsal")
    first_sub = f"first-club-{uuid.uuid4().hex[:8]}"
    first_club = await register_club(portal, token(first_sub), f"Volla IL {first_sub}")
    day = ordinary_day(12, weekday=1 if language == "nb" else 3)
    taken = {
        "space_id": hall,
        "organisation_id": first_club,
        "start": evening(day, 18),
        "end": evening(day, 20),
        "activity": "Innebandy",
        "audience": "non_profit",
        "participants": 20,
    }
    await portal.api.call("POST", "booking", "/bookings", token(first_sub), json=taken)
    login, access_token, club = await person_with_club(portal, "club-conflict")
    page = await logged_in_page(browser, portal, login, language, f"/booking/ny?lokale={hall}")
    asked = {
        "dato": norwegian(day),
        "fra": "18:30",
        "til": "20:00",
        "aktivitet": "Basketball",
        "malgruppe": "non_profit",
        "deltakere": "14",
    }
    await fill(page, asked)
    await page.get_by_role("button", name=texts["show"]).click()
    await page.get_by_role("button", name=texts["confirm"]).click()

    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text(texts["not_made"])
    await expect(summary).to_contain_text(texts["booked_rule"])
    for name, value in asked.items():
        await expect(page.locator(f"form.booking-form [name={name}]")).to_have_value(value)
    offers = page.locator(".booking-suggestions__list a")
    await expect(offers.first).to_be_visible()
    assert 1 <= await offers.count() <= 4
    await assert_accessible(page)
    assert await _bookings_of(portal, access_token, club) == []

    await offers.first.click()
    await expect(page.locator("#fra")).not_to_have_value("18:30")
    await expect(page.locator("#aktivitet")).to_have_value("Basketball")
    await assert_accessible(page)
    await page.get_by_role("button", name=texts["show"]).click()
    await page.get_by_role("button", name=texts["confirm"]).click()
    await page.wait_for_url(f"{portal.url}/bookinger/*")
    await expect(page.locator(".facts")).to_contain_text(texts["confirmed"])
    assert len(await _bookings_of(portal, access_token, club)) == 1
    await page.context.close()


async def _bookings_of(portal: PortalStack, access_token: str, club: str) -> list[Any]:
    found: list[Any] = await portal.api.call(
        "GET", "booking", f"/bookings?organisation_id={club}", access_token
    )
    return found


async def test_a_double_confirmation_books_once(browser: Browser, portal: PortalStack) -> None:
    hall = await hall_id(portal, "Strømmen skole", "Gymsal")
    login, access_token, club = await person_with_club(portal, "club-double")
    page = await logged_in_page(browser, portal, login, "nb", f"/booking/ny?lokale={hall}")
    day = ordinary_day(11, weekday=0)
    await fill(
        page,
        {"dato": norwegian(day), "fra": "18:00", "til": "19:00", "aktivitet": "Dans"},
    )
    await fill(page, {"deltakere": "10"})
    await page.get_by_role("button", name=TEXTS["nb"]["show"]).click()
    confirm = page.locator(".booking-preview form")
    form = {
        name: value
        for name, value in await confirm.evaluate("(f) => Array.from(new FormData(f).entries())")
    }
    answers = [
        await page.request.post(portal.url + "/booking/ny", form=form, max_redirects=0)
        for _ in range(2)
    ]
    assert [a.status for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert len(await _bookings_of(portal, access_token, club)) == 1
    await page.context.close()


async def test_an_evening_is_booked_by_keyboard_alone(
    browser: Browser, portal: PortalStack
) -> None:
    hall = await hall_id(portal, "Lillestrøm kultursenter", "Lillesalen")
    login, access_token, club = await person_with_club(portal, "club-keyboard")
    page = await logged_in_page(browser, portal, login, "nb", f"/booking/ny?lokale={hall}")
    day = ordinary_day(9, weekday=3)
    for name, value in (
        ("fra", "18:00"),
        ("til", "20:00"),
        ("dato", norwegian(day)),
        ("aktivitet", "Korøvelse"),
        ("deltakere", "25"),
    ):
        await tab_to(page, page.locator(f"#{name}"))
        await page.keyboard.type(value)
    await tab_to(page, page.get_by_role("button", name=TEXTS["nb"]["show"]))
    await page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name=TEXTS["nb"]["confirm"])
    await expect(confirm).to_be_visible()
    await expect(page.locator(".booking-preview")).to_contain_text("Gratis")
    await tab_to(page, confirm)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{portal.url}/bookinger/*")
    await expect(page.locator(".facts")).to_contain_text("Bekreftet")
    await assert_accessible(page)
    assert len(await _bookings_of(portal, access_token, club)) == 1
    await page.goto(f"{portal.url}/lag/{club}/bookinger")
    await expect(page.locator("#upcoming-heading + .table-wrap tbody tr")).to_have_count(1)
    await assert_accessible(page)
    await screenshots(page, "club-booking-last")
    await page.context.close()
