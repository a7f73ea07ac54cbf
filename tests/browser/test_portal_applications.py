"""Season applications in Chromium: a club member applies in an open round with two sections
(adding the second without JavaScript), a section whose longest time is below its shortest is
refused with everything typed kept, the application is saved and changed, and after the
municipality allocates and publishes (driven through booking's API as an admin) the page shows
each section's result with its explanation. A club adds a team and hands a weekly series to it.
Every page in both languages without a WCAG 2.1 A/AA violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    screenshots,
)
from tests.browser.test_portal_bookings import hall_id, logged_in_page, person_with_club
from tests.dates import today, weekly_dates

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXTS = {
    "nb": {
        "apply": "Søk eller endre søknaden for",
        "add": "Legg til en del",
        "save": "Lagre søknaden",
        "not_saved": "Søknaden ble ikke lagret",
        "saved": "Søknaden er lagret",
        "result": "Resultatet",
        "add_team": "Legg til gruppen",
        "team_added": "Gruppen er lagt til",
        "hand_over": "Overfør",
        "handed": "Serien er overført",
        "no_offers": "Laget har ingen tilbud fra en venteliste.",
        "nav": "Søknader om faste tider",
    },
    "en": {
        "apply": "Apply or change the application for",
        "add": "Add a section",
        "save": "Save the application",
        "not_saved": "The application was not saved",
        "saved": "The application is saved",
        "result": "The result",
        "add_team": "Add the team",
        "team_added": "The team is added",
        "hand_over": "Hand over",
        "handed": "The series is handed over",
        "no_offers": "The club has no offers from a waiting list.",
        "nav": "Season applications",
    },
}
# Each language's round has halls of its own: two rounds may not share a hall's season, and
# no other browser test books these halls.
HALLS = {
    "nb": [("Sørumsand skole", "Gymsal"), ("Frogner skole", "Gymsal")],
    "en": [("Blaker skole", "Gymsal"), ("Sagdalen skole", "Idrettshall")],
}
SERIES_HALL = {
    "nb": ("Skedsmokorset skole", "Flerbrukshall"),
    "en": ("Fetsund ungdomsskole", "Fetsundhallen"),
}


async def open_round(portal: PortalStack, name: str, halls: list[str]) -> dict[str, Any]:
    """A round taking applications from today, its season a month on (as the admin)."""
    now = today()
    body = {
        "name": name,
        "applications_open": str(now),
        "applications_close": str(now + timedelta(days=7)),
        "allocation_until": str(now + timedelta(days=14)),
        "results_date": str(now + timedelta(days=21)),
        "season_first_date": str(now + timedelta(days=28)),
        "season_last_date": str(now + timedelta(days=120)),
        "space_ids": halls,
    }
    created: dict[str, Any] = await portal.api.call(
        "POST", "booking", "/rounds", portal.admin(), json=body
    )
    assert created["state"] == "open", created
    return created


async def allocate_and_publish(portal: PortalStack, round_id: str) -> None:
    admin = portal.admin()
    for step, body in (
        ("close", None),
        ("allocation/run", {"method": "greedy"}),
        ("allocation/accept", None),
        ("publish", None),
    ):
        await portal.api.call("POST", "booking", f"/rounds/{round_id}/{step}", admin, json=body)


async def fill_section(page: Page, index: int, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"[name='s{index}-{name}']")
        if await field.evaluate("(el) => el.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)


def section(name: str, hall: str, *, weekday: str, shortest: str, longest: str) -> dict[str, str]:
    return {
        "name": name,
        "activity": "Fotball",
        "age_group": "youth",
        "group_size": "18",
        "times_per_week": "1",
        "min_minutes": shortest,
        "max_minutes": longest,
        "hall0": hall,
        "pref0-day": weekday,
        "pref0-from": "18:00",
        "pref0-to": "20:00",
        "acc0-day": weekday,
        "acc0-from": "17:00",
        "acc0-to": "21:00",
    }


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_club_applies_changes_its_application_and_reads_the_results(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    halls = [await hall_id(portal, site, space) for site, space in HALLS[language]]
    login, _token, club = await person_with_club(portal, "club-season")
    round_ = await open_round(portal, f"Sesong {language} {login}", halls)
    page = await logged_in_page(browser, portal, login, language, "/soknader")
    await expect(page.get_by_role("link", name=texts["nav"])).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("link", name=texts["apply"]).first.click()
    await expect(page).to_have_url(f"{portal.url}/soknadsrunder/{round_['id']}/lag/{club}")
    await assert_accessible(page)

    await fill_section(page, 0, section("G14", halls[0], weekday="1", shortest="60", longest="90"))
    await page.get_by_role("button", name=texts["add"]).click()
    await expect(page.locator("fieldset.section-fields")).to_have_count(2)
    await expect(page.locator("[name='s0-name']")).to_have_value("G14")
    await fill_section(
        page, 1, section("Senior", halls[1], weekday="2", shortest="120", longest="60")
    )
    await page.locator("#lagre-topp").click()
    summary = page.locator(".ds-error-summary")
    await expect(summary).to_contain_text(texts["not_saved"])
    await expect(page.locator("[name='s1-name']")).to_have_value("Senior")
    await expect(page.locator("[name='s1-max_minutes']")).to_have_value("60")
    await expect(page.locator("[name='s0-hall0']")).to_have_value(halls[0])
    await assert_accessible(page)
    await screenshots(page, f"applications-refused-{language}")

    await page.locator("[name='s1-max_minutes']").fill("150")
    await page.get_by_role("button", name=texts["save"]).last.click()
    await expect(page.get_by_role("status")).to_contain_text(texts["saved"])
    await expect(page.locator("[name='s1-max_minutes']")).to_have_value("150")
    await assert_accessible(page)

    await page.locator("[name='s0-group_size']").fill("22")
    await page.get_by_role("button", name=texts["save"]).last.click()
    await expect(page.get_by_role("status")).to_contain_text(texts["saved"])
    await page.reload()
    await expect(page.locator("[name='s0-group_size']")).to_have_value("22")

    await page.goto(f"{portal.url}/soknader")
    await expect(page.locator(f"#lag-{club} ~ div table")).to_contain_text(round_["name"])
    await assert_accessible(page)

    await allocate_and_publish(portal, round_["id"])
    await page.goto(f"{portal.url}/soknadsrunder/{round_['id']}/lag/{club}")
    results = page.locator("#resultat")
    await expect(results).to_contain_text(texts["result"])
    await expect(page.locator("article.result-card")).to_have_count(2)
    await expect(page.locator("article.result-card .ds-tag")).to_have_count(2)
    await expect(page.locator("form.application-form")).to_have_count(0)
    await assert_accessible(page)
    await screenshots(page, f"applications-results-{language}")

    await page.goto(f"{portal.url}/lag/{club}/tilbud")
    await expect(page.locator("main")).to_contain_text(texts["no_offers"])
    await assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_club_adds_a_team_and_hands_a_weekly_series_to_it(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    hall = await hall_id(portal, *SERIES_HALL[language])
    login, access_token, club = await person_with_club(portal, "club-teams")
    page = await logged_in_page(browser, portal, login, language, f"/lag/{club}/grupper")
    await assert_accessible(page)
    await page.locator("#gruppe-name").fill("J12")
    await page.get_by_role("button", name=texts["add_team"]).click()
    await expect(page.locator("#gruppe-feil")).to_be_visible()
    await expect(page.locator("#gruppe-name")).to_have_value("J12")
    await assert_accessible(page)
    await page.locator("#gruppe-contact_name").fill("Kari Trener")
    await page.get_by_role("button", name=texts["add_team"]).click()
    await expect(page.get_by_role("status")).to_contain_text(texts["team_added"])
    await expect(page.locator("table")).to_contain_text("Kari Trener")
    await assert_accessible(page)

    dates = weekly_dates(3, 10, weekday=3)
    series = await portal.api.call(
        "POST",
        "booking",
        "/booking-series",
        access_token,
        json={
            "space_id": hall,
            "organisation_id": club,
            "activity": "Håndball",
            "audience": "children_youth",
            "participants": 16,
            "weekday": 3,
            "start_time": "17:00" if language == "nb" else "19:00",
            "end_time": "18:30" if language == "nb" else "20:30",
            "first_date": str(dates[0]),
            "last_date": str(dates[-1]),
        },
    )
    await page.goto(f"{portal.url}/serier/{series['id']}")
    await assert_accessible(page)
    await page.locator("#team_id").select_option(label="J12")
    await page.get_by_role("button", name=texts["hand_over"], exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(texts["handed"])
    await expect(page.locator("dl.facts")).to_contain_text("J12")
    await assert_accessible(page)
    await screenshots(page, f"applications-series-team-{language}")
