"""The activity guide in Chromium against the real services and the demo data: a club's booker
publishes a weekly series from its page (an empty form answered beside the fields, the input
kept), the public `/aktiviteter` shows its card with place, time, how to join and the feed link,
filters by district and age group, and the series is made private again; in both languages
with no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.portal import LANGUAGES, PortalStack, assert_accessible, new_context
from tests.browser.test_portal_bookings import (
    HOURS,
    hall_id,
    logged_in_page,
    person_with_club,
    series_with_skipped_weeks,
)
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXTS = {
    "nb": {
        "section": "Aktivitetsoversikt",
        "open": "Publiser eller gjør privat",
        "publish": "Publiser i aktivitetsoversikten",
        "check": "Aktiviteten kunne ikke publiseres. Sjekk dette:",
        "published": "Serien vises i aktivitetsoversikten.",
        "h1": "Aktiviteter nær deg",
        "show": "Vis aktiviteter",
        "welcome": "Velkommen",
        "private": "Gjør serien privat",
        "made_private": "Serien er privat igjen",
        "yes": "Ja",
    },
    "en": {
        "section": "Activity guide",
        "open": "Publish or make private",
        "publish": "Publish in the activity guide",
        "check": "The activity could not be published. Please check:",
        "published": "The series is shown in the activity guide.",
        "h1": "Activities near you",
        "show": "Show activities",
        "welcome": "Welcome",
        "private": "Make the series private",
        "made_private": "The series is private again",
        "yes": "Yes",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_club_publishes_a_series_and_the_guide_shows_it(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    hall = await hall_id(portal, "Kjeller skole", "Gymsal")
    login, access_token, club = await person_with_club(portal, f"club-guide-{language}")
    first, last, _booked, _skipped = series_with_skipped_weeks()
    start, end = HOURS[language]
    series = await portal.api.call(
        "POST",
        "booking",
        "/booking-series",
        access_token,
        json={
            "space_id": hall,
            "organisation_id": club,
            "activity": "Innebandy",
            "audience": "children_youth",
            "participants": 16,
            "weekday": first.weekday(),
            "start_time": f"{start + 2}:00",
            "end_time": f"{end + 1}:00",
            "first_date": first.isoformat(),
            "last_date": last.isoformat(),
        },
    )
    activity = f"Innebandy {language}"
    page = await logged_in_page(browser, portal, login, language, f"/serier/{series['id']}")
    await expect(page.get_by_role("heading", name=texts["section"])).to_be_visible()
    await page.get_by_role("link", name=texts["open"]).click()
    await page.wait_for_url(f"{portal.url}/serier/{series['id']}/aktivitet")
    await assert_accessible(page)

    # An empty form: the messages beside the fields, what was typed kept.
    await page.locator("#aktivitet-activity").fill(activity)
    await page.locator("#aktivitet-languages").fill("")
    await page.get_by_role("button", name=texts["publish"]).click()
    await expect(page.get_by_text(texts["check"])).to_be_visible()
    await expect(page.locator("#aktivitet-activity")).to_have_value(activity)
    await expect(page.locator("#aktivitet-description-feil")).to_be_visible()
    await assert_accessible(page)

    await page.locator("#aktivitet-description").fill("Innebandy for ungdom. Ta med innesko.")
    await page.locator("#aktivitet-age_group").select_option("youth")
    await page.locator("#aktivitet-level").select_option("beginner")
    await page.locator("#aktivitet-languages").fill("nb, en")
    await page.get_by_label(texts["yes"], exact=True).check()
    await page.locator("#aktivitet-how_to_join").fill("https://innebandy.example.org/bli-med")
    await page.get_by_role("button", name=texts["publish"]).click()
    await expect(page.get_by_text(texts["published"])).to_be_visible()
    await assert_accessible(page)

    # The public guide, without a login: the card once the event has travelled.
    visitor = await (await new_context(browser)).new_page()
    await visitor.goto(f"{portal.url}/aktiviteter")
    if language == "en":
        await visitor.get_by_role("button", name="English").click()
    await expect(visitor.get_by_role("heading", name=texts["h1"])).to_be_visible()

    async def card_shown() -> bool:
        await visitor.goto(f"{portal.url}/aktiviteter?alder=youth&nye=1")
        return await visitor.get_by_role("heading", name=activity, exact=False).count() > 0

    await eventually(card_shown, timeout=30, interval=0.5)
    card = visitor.locator("li.ds-card", has_text=activity)
    await expect(card).to_contain_text("Kjeller skole")
    await expect(card).to_contain_text(texts["welcome"])
    await expect(card.locator("a[href^='webcal://']")).to_have_count(1)
    await expect(card.locator("a[href='https://innebandy.example.org/bli-med']")).to_have_count(1)
    await assert_accessible(visitor)
    await _filtered_out(visitor, portal, activity)

    # Made private: the series leaves the guide.
    await page.get_by_role("button", name=texts["private"]).click()
    await expect(page.get_by_text(texts["made_private"])).to_be_visible()

    async def card_gone() -> bool:
        await visitor.goto(f"{portal.url}/aktiviteter")
        return await visitor.locator("li.ds-card", has_text=activity).count() == 0

    await eventually(card_gone, timeout=30, interval=0.5)


async def _filtered_out(visitor: Page, portal: PortalStack, activity: str) -> None:
    """Another age group does not show it."""
    await visitor.goto(f"{portal.url}/aktiviteter?alder=seniors")
    await expect(visitor.locator("li.ds-card", has_text=activity)).to_have_count(0)
