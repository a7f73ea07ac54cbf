"""The municipality's application rounds in Chromium: the admin creates a round (a period that
runs backwards first: booking's refusal is shown and the form kept), sees the applications two
clubs made through the API, closes the round, runs the allocation, locks a time, forces one
(one the hall has no time for first: refused in booking's words), marks it handled, publishes
after a confirmation and sees the waiting list. Every page passes axe in bokmål and English."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from samspill.identity_provider import log_in as provider_log_in
from tests.browser.portal import (
    PortalStack,
    assert_accessible,
    log_in,
    new_context,
    screenshots,
    someone,
    switch_language,
)
from tests.browser.test_portal_bookings import register_club
from tests.browser.test_portal_manage import wait_until_bookable
from tests.dates import ordinary_day, today
from tests.identity import TEST_REDIRECT_URI

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "demo-admin"
WEEKDAYS = [0, 1, 2, 3, 4]


# --- setting up: a hall of two courts released every weekday evening, two clubs ---------------


async def new_hall(portal: PortalStack, name: str) -> tuple[str, str]:
    """A site with two courts, released Monday to Friday 17–23 for the next 200 days."""
    admin = portal.admin()
    site = await portal.api.call(
        "POST",
        "facilities",
        "/sites",
        admin,
        json={
            "name": name,
            "kind": "sports_hall",
            "address": "Hallveien 2",
            "district": "lillestrom",
            "contact": {"name": "Resepsjonen", "email": "hall@example.no"},
        },
    )
    courts = []
    for court in ("Bane 1", "Bane 2"):
        space = await portal.api.call(
            "POST",
            "facilities",
            "/spaces",
            admin,
            json={"site_id": site["site_id"], "name": court, "kind": "gym", "capacity": 60},
        )
        await portal.api.call(
            "POST",
            "facilities",
            f"/spaces/{space['space_id']}/windows",
            admin,
            json={
                "kind": "weekly",
                "weekdays": WEEKDAYS,
                "start_time": "17:00",
                "end_time": "23:00",
                "valid_from": today().isoformat(),
                "valid_to": (today() + timedelta(days=200)).isoformat(),
            },
        )
        courts.append(str(space["space_id"]))
    # Booking learns of the release from facilities' events: wait until it offers an evening.
    for court_id in courts:
        await wait_until_bookable(portal, court_id, ordinary_day(1))
    return courts[0], courts[1]


async def club_booker(portal: PortalStack, name: str) -> tuple[str, str, str]:
    """A person's own token, the club they registered (and so book for), its name."""
    login = someone("club")
    tokens = await asyncio.to_thread(
        provider_log_in, portal.identity.issuer, login=login, redirect_uri=TEST_REDIRECT_URI
    )
    club_name = f"{name} {login[-8:]}"
    club = await register_club(portal, tokens.access_token, club_name)
    return tokens.access_token, club, club_name


def weekly(weekday: int, start: str, end: str) -> dict[str, Any]:
    return {"weekday": weekday, "start": start, "end": end}


def section(
    name: str,
    age_group: str,
    times: int,
    low: int,
    high: int,
    halls: list[str],
    preferred: list[dict[str, Any]],
    acceptable: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "activity": "håndball",
        "age_group": age_group,
        "group_size": 15,
        "times_per_week": times,
        "min_minutes": low,
        "max_minutes": high,
        "halls": halls,
        "preferred": preferred,
        "acceptable": acceptable or [],
    }


async def apply(
    portal: PortalStack, token: str, round_id: str, club: str, sections: list[dict[str, Any]]
) -> None:
    await portal.api.call(
        "PUT",
        "booking",
        f"/rounds/{round_id}/applications/{club}",
        token,
        json={"note": "Vi trenger tid", "sections": sections},
    )


# --- moving through the pages -----------------------------------------------------------------


async def accessible_in_both_languages(page: Page, name: str) -> None:
    """axe finds nothing in bokmål or in English; the page is left in bokmål."""
    await expect(page.locator("h1")).to_have_count(1)
    await assert_accessible(page)
    await switch_language(page, "en")
    await expect(page.locator("h1")).to_have_count(1)
    await assert_accessible(page)
    await screenshots(page, f"rounds-{name}-en")
    await switch_language(page, "nb")


def norwegian(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


async def fill_round(page: Page, name: str, courts: tuple[str, str], first: date) -> None:
    """The create form by its fields' ids (the same in both languages)."""
    await page.locator("#runde-name").fill(name)
    offsets = {
        "applications_open": 0,
        "applications_close": 7,
        "allocation_until": 14,
        "results_date": 21,
        "season_first_date": 28,
        "season_last_date": 118,
    }
    for field, days in offsets.items():
        await page.locator(f"#runde-{field}").fill(norwegian(first + timedelta(days=days)))
    for court in courts:
        await page.locator(f"#runde-hall-{court}").check()


async def create(page: Page) -> None:
    await page.locator("form[action^='/admin/soknadsrunder'] button[type=submit]").click()


async def test_the_admin_runs_a_round_from_creation_to_the_waiting_list(
    browser: Browser, portal: PortalStack
) -> None:
    site = f"Rundehallen {uuid.uuid4().hex[:6]}"
    court_1, court_2 = await new_hall(portal, site)
    round_name = f"Halltid {uuid.uuid4().hex[:6]}"
    page = await (await new_context(browser)).new_page()
    await log_in(page, portal, ADMIN, next_path="/drift")
    await page.get_by_role("link", name="Søknadsrunder").click()
    await expect(page.locator("h1")).to_have_text("Søknadsrunder")
    await accessible_in_both_languages(page, "list")

    # A period that runs backwards: booking refuses it, the form keeps everything.
    for language in ("en", "nb"):
        await switch_language(page, language)
        await fill_round(page, round_name, (court_1, court_2), today())
        await page.locator("#runde-applications_close").fill(norwegian(today() - timedelta(days=1)))
        await create(page)
        await expect(page.get_by_role("alert")).to_be_visible()
        await expect(page.locator("#runde-name")).to_have_value(round_name)
        await expect(page.locator(f"#runde-hall-{court_2}")).to_be_checked()
        await assert_accessible(page)
        await screenshots(page, f"rounds-refused-{language}")
    await page.locator("#runde-applications_close").fill(norwegian(today() + timedelta(days=7)))
    await create(page)
    await expect(page.locator("h1")).to_have_text(round_name)
    await expect(page.get_by_role("status")).to_contain_text("Runden er opprettet")
    await expect(page.locator("#status")).to_contain_text("Åpen for søknader")
    round_id = page.url.rsplit("/", 1)[-1].split("#")[0]
    await accessible_in_both_languages(page, "open")

    # Two clubs apply through the API; the admin sees their sections.
    youth_token, youth_club, youth_name = await club_booker(portal, "Volla IL")
    adult_token, adult_club, adult_name = await club_booker(portal, "Skedsmo BK")
    await apply(
        portal,
        youth_token,
        round_id,
        youth_club,
        [
            section(
                "G14",
                "youth",
                2,
                60,
                90,
                [court_1],
                [weekly(0, "17:00", "19:00"), weekly(1, "17:00", "19:00")],
            ),
            section("Jenter 10", "children", 2, 60, 60, [court_2], [weekly(4, "17:00", "18:00")]),
        ],
    )
    await apply(
        portal,
        adult_token,
        round_id,
        adult_club,
        [
            section(
                "Senior",
                "adults",
                1,
                60,
                120,
                [court_1],
                [weekly(0, "17:00", "19:00")],
                [weekly(2, "17:00", "23:00")],
            ),
            section("Veteraner", "adults", 1, 120, 120, [court_1], [weekly(0, "17:00", "19:00")]),
        ],
    )
    await page.reload()
    applications = page.locator("#soknader")
    await expect(applications.get_by_role("heading", name=youth_name)).to_be_visible()
    await expect(applications.get_by_role("heading", name=adult_name)).to_be_visible()
    await expect(
        applications.get_by_role("rowheader", name=re.compile("Jenter 10"))
    ).to_be_visible()
    await expect(applications).to_contain_text("60–90 min")

    # Close, run the allocation, see the figures and the grid.
    await page.get_by_role("button", name="Lukk søknadene nå").click()
    await expect(page.locator("#status")).to_contain_text("Til fordeling")
    await page.get_by_label("Tidsgrense i sekunder").fill("5")
    await page.get_by_role("button", name="Kjør fordelingen").click()
    await expect(page.get_by_role("status")).to_contain_text("Fordelingen er kjørt")
    await expect(
        page.get_by_role("row", name=re.compile("Andel av søkte timer oppfylt"))
    ).to_contain_text("%")
    await expect(page.get_by_role("row", name=re.compile("Gini"))).to_be_visible()
    await expect(page.locator("table.rounds-grid")).to_have_count(2)
    await expect(page.locator("table.rounds-grid").first).to_contain_text("G14")
    await accessible_in_both_languages(page, "allocated")
    await screenshots(page, "rounds-allocated-nb")

    # Lock a time.
    await page.get_by_role("button", name=re.compile("^Lås –")).first.click()
    await expect(page.get_by_role("status")).to_contain_text("Tiden er låst")
    await expect(page.locator("#tider")).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("^Lås opp –"))).to_have_count(1)

    # Force a time the hall has no time for: booking's refusal, the form kept. Then one it has.
    force = page.locator("#tving")
    await force.get_by_label("Gruppe").select_option(label=f"{youth_name} – Jenter 10")
    await force.get_by_label("Lokale").select_option(label=f"{site} – Bane 2")
    await force.get_by_label("Ukedag").select_option("3")
    await force.get_by_label("Fra", exact=True).fill("16:00")
    await force.get_by_label("Til", exact=True).fill("17:00")
    await force.get_by_role("button", name="Tving inn tiden").click()
    await expect(page.get_by_role("alert")).to_contain_text("Bane 2")
    await expect(page.locator("#tving").get_by_label("Fra", exact=True)).to_have_value("16:00")
    await assert_accessible(page)
    force = page.locator("#tving")
    await force.get_by_label("Fra", exact=True).fill("17:00")
    await force.get_by_label("Til", exact=True).fill("18:00")
    await force.get_by_role("button", name="Tving inn tiden").click()
    await expect(page.get_by_role("status")).to_contain_text("Tiden er tvunget inn")
    await expect(page.locator("#tider").locator("xpath=..")).to_contain_text("tvunget inn")

    # Mark it handled, publish after the confirmation, see the waiting list.
    await page.get_by_role("button", name="Merk fordelingen som behandlet").click()
    await expect(page.locator("#status")).to_contain_text("Behandlet")
    await page.get_by_role("link", name="Publiser resultatene").click()
    await expect(page.locator("h1")).to_contain_text("Publiser resultatene")
    await accessible_in_both_languages(page, "publish")
    await page.get_by_role("button", name="Ja, publiser resultatene").click()
    await expect(page.get_by_role("status")).to_contain_text("Resultatene er publisert")
    await expect(page.locator("#status")).to_contain_text("Resultatet er sendt")
    waiting = page.locator("#venteliste")
    await expect(waiting.get_by_role("heading", name="Venteliste")).to_be_visible()
    await expect(waiting).to_contain_text("Veteraner")
    await accessible_in_both_languages(page, "published")
    await page.context.close()


async def test_only_admins_see_the_rounds(browser: Browser, portal: PortalStack) -> None:
    page = await (await new_context(browser)).new_page()
    await log_in(page, portal, someone("resident"), next_path="/min-side")
    answer = await page.goto(portal.url + "/admin/soknadsrunder")
    assert answer is not None
    assert answer.status == 403
    await assert_accessible(page)
    await page.context.close()
