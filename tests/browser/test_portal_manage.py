"""Journey 3a, a facility manager, in Chromium: the manager of Kjeller skole releases a term of
Tuesday evenings in a space, a club registered through the portal books one of those Tuesdays,
the manager closes that Tuesday (the preview names the club's booking) and the club's bookings
page and calendar feed show it cancelled. A request is rejected with a reason (an empty reason
is refused on the form and changes nothing), and one date is released and a request approved by
keyboard alone. Every manager page in both languages without a WCAG 2.1 A/AA violation."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, time, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from playwright.async_api import Browser, Page, expect

from samspill.identity_provider import log_in as provider_log_in
from samspill.recurrence import resolve_local
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
from tests.browser.test_portal_bookings import fill, norwegian, register_club
from tests.browser.test_portal_clubs import new_org_number, register
from tests.dates import weekly_dates
from tests.identity import TEST_REDIRECT_URI
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MANAGER = "demo-facility-manager"
SITE = "Kjeller skole"
TUESDAY = 1
TEXTS = {
    "nb": {
        "released": "Tiden er frigitt",
        "show_price": "Vis pris og datoer",
        "confirm_booking": "Bekreft bookingen",
        "preview": "Vis hva som blir avbestilt",
        "confirm_closure": "Bekreft stengingen",
        "closed": "Stengingen er lagret",
        "cancelled": "Avbestilt",
        "need_time": "Skriv klokkeslettet",
        "reject": "Avslå forespørselen",
        "need_reason": "Skriv hvorfor forespørselen avslås",
        "rejected": "Forespørselen er avslått",
        "grid_closed": "Stengt",
        "grid_booked": "Opptatt",
    },
    "en": {
        "released": "The time is released",
        "show_price": "Show price and dates",
        "confirm_booking": "Confirm the booking",
        "preview": "Show what will be cancelled",
        "confirm_closure": "Confirm the closure",
        "closed": "The closure is saved",
        "cancelled": "Cancelled",
        "need_time": "Enter the time",
        "reject": "Reject the request",
        "need_reason": "Say why the request is rejected",
        "rejected": "The request is rejected",
        "grid_closed": "Closed",
        "grid_booked": "Booked",
    },
}


# --- setting up -------------------------------------------------------------------------------


async def kjeller(portal: PortalStack) -> str:
    sites = await portal.api.call("GET", "facilities", "/sites?name=Kjeller", portal.admin())
    return str(next(s["site_id"] for s in sites["items"] if s["name"] == SITE))


async def new_space(portal: PortalStack, site_id: str, *, approval: bool = False) -> dict[str, Any]:
    """A room of the manager's site with no time released yet, known to booking."""
    space: dict[str, Any] = await portal.api.call(
        "POST",
        "facilities",
        "/spaces",
        portal.admin(),
        json={
            "site_id": site_id,
            "name": f"Aula {uuid.uuid4().hex[:6]}",
            "kind": "classroom",
            "capacity": 60,
            "rules": {"approval_required": approval},
        },
    )
    return space


async def wait_until_bookable(portal: PortalStack, space_id: str, day: date) -> None:
    """Booking learns of a release from facilities' events: wait until it offers the day."""

    async def offered() -> bool:
        answer = await portal.api.client.get(
            portal.api.url("booking", "/availability"),
            params={
                "from": resolve_local(day, time(0)).isoformat(),
                "to": resolve_local(day + timedelta(days=1), time(0)).isoformat(),
                "space_id": space_id,
            },
        )
        return answer.status_code == 200 and any(s["slots"] for s in answer.json())

    await eventually(offered, timeout=60)


async def manager_page(browser: Browser, portal: PortalStack, language: str, path: str) -> Page:
    context = await new_context(browser)
    page = await context.new_page()
    await log_in(page, portal, MANAGER, next_path=path)
    await switch_language(page, language)
    return page


async def request_booking(portal: PortalStack, space_id: str, day: date) -> dict[str, Any]:
    """A club's request for 18–20 on `day` in a space whose manager approves requests."""
    login = someone("club-request")
    tokens = await asyncio.to_thread(
        provider_log_in, portal.identity.issuer, login=login, redirect_uri=TEST_REDIRECT_URI
    )
    club = await register_club(portal, tokens.access_token, f"Kjeller IL {login}")
    found: dict[str, Any] = await portal.api.call(
        "POST",
        "booking",
        "/bookings",
        tokens.access_token,
        json={
            "space_id": space_id,
            "organisation_id": club,
            "start": resolve_local(day, time(18)).isoformat(),
            "end": resolve_local(day, time(20)).isoformat(),
            "activity": "Korpsøvelse",
            "audience": "children_youth",
            "participants": 25,
        },
    )
    assert found["status"] == "requested"
    return found


async def release_by_api(portal: PortalStack, space_id: str, day: date) -> None:
    await portal.api.call(
        "POST",
        "facilities",
        f"/spaces/{space_id}/windows",
        portal.admin(),
        json={
            "kind": "one_off",
            "day": day.isoformat(),
            "start_time": "17:00",
            "end_time": "21:00",
        },
    )
    await wait_until_bookable(portal, space_id, day)


async def booking_status(portal: PortalStack, booking_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await portal.api.call(
        "GET", "booking", f"/bookings/{booking_id}", portal.admin()
    )
    return found


async def calendar_link(page: Page, portal: PortalStack, organisation_id: str) -> str:
    """The club's private calendar link, made on the club page (notifications may still be
    learning of the new club, in which case the page says so and the person tries again)."""
    await page.goto(f"{portal.url}/lag/{organisation_id}")
    made = page.locator("#kalender-lenke")

    async def attempt() -> bool:
        if await made.count() == 0:
            await page.locator(
                f"form[action='/lag/{organisation_id}/kalenderlenke'] button"
            ).click()
            await page.wait_for_load_state()
        return await made.count() == 1

    await eventually(attempt, timeout=30, interval=1)
    return await made.input_value()


def feed_statuses(feed: str, booking_id: str) -> list[str]:
    calendar = Calendar.from_ical(feed)
    return [
        str(event.get("STATUS", ""))
        for event in calendar.walk("VEVENT")
        if booking_id in str(event.get("UID", ""))
    ]


# --- the journey ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_manager_releases_tuesdays_and_closing_one_cancels_the_clubs_booking(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    site_id = await kjeller(portal)
    space = await new_space(portal, site_id)
    space_id = str(space["space_id"])
    tuesdays = weekly_dates(6, 14, weekday=TUESDAY)
    booked_day = tuesdays[2]

    # The site: its spaces with their pages.
    manager = await manager_page(browser, portal, language, f"/drift/steder/{site_id}")
    await expect(manager.locator("h1")).to_have_text(SITE)
    await expect(manager.locator("main")).to_contain_text(space["name"])
    await assert_accessible(manager)
    await screenshots(manager, f"manager-main-{language}")
    if language == "nb":
        await screenshots(manager, "manager-main")

    # A release the form cannot read: the rule beside the field, the input kept, nothing released.
    await manager.locator(f"main a[href='/drift/lokaler/{space_id}']").click()
    await manager.wait_for_url(f"**/drift/lokaler/{space_id}")
    await assert_accessible(manager)
    form = manager.locator(f"form[action='/drift/lokaler/{space_id}/vinduer']")
    await manager.locator("#ukedag-1").check()
    await manager.locator("#fra").fill("kveld")
    await manager.locator("#til").fill("20:00")
    await manager.locator("#forste").fill(norwegian(tuesdays[0]))
    await manager.locator("#siste").fill(norwegian(tuesdays[-1]))
    await form.locator("button[type=submit]").click()
    await expect(manager.locator("#fra-error")).to_contain_text(texts["need_time"])
    await expect(manager.locator(".ds-error-summary[role=alert] a")).to_have_attribute(
        "href", "#fra"
    )
    await expect(manager.locator("#fra")).to_have_value("kveld")
    await expect(manager.locator("#forste")).to_have_value(norwegian(tuesdays[0]))
    await expect(manager.locator("#ukedag-1")).to_be_checked()
    await assert_accessible(manager)
    windows = await portal.api.call(
        "GET", "facilities", f"/spaces/{space_id}/windows", portal.admin()
    )
    assert windows["items"] == []

    # The term of Tuesday evenings.
    await manager.locator("#fra").fill("18:00")
    await form.locator("button[type=submit]").click()
    await expect(manager.get_by_role("status")).to_contain_text(texts["released"])
    window_select = manager.locator("select[id^=trekk-]")
    await expect(window_select.locator("option")).to_have_count(len(tuesdays))
    await assert_accessible(manager)

    # One Tuesday withdrawn: the school needs the room that evening.
    withdrawn = tuesdays[-2]
    await window_select.select_option(withdrawn.isoformat())
    await manager.locator("form.manage-withdraw button[type=submit]").click()
    await manager.wait_for_url(f"**/drift/lokaler/{space_id}?gjort=dato-trukket")
    await expect(window_select.locator("option")).to_have_count(len(tuesdays) - 1)
    await assert_accessible(manager)
    [window] = (
        await portal.api.call("GET", "facilities", f"/spaces/{space_id}/windows", portal.admin())
    )["items"]
    assert window["withdrawn_dates"] == [withdrawn.isoformat()]
    await wait_until_bookable(portal, space_id, booked_day)

    # A club registers through the portal and books one of those Tuesdays.
    club_login = someone("club-manage")
    club = await portal.new_page(browser, language=language)
    await log_in(club, portal, club_login, next_path="/lag/ny")
    number, _wrong = new_org_number()
    await register(club, f"Kjeller IL {club_login}", number, "styret@kjeller-il.no")
    await club.wait_for_url(re.compile(r".*/lag/[0-9a-f-]{36}(#.*)?$"))
    organisation_id = club.url.rsplit("/", 1)[-1].split("#")[0]
    await club.goto(f"{portal.url}/booking/ny?lokale={space_id}&lag={organisation_id}")
    await fill(
        club,
        {
            "dato": norwegian(booked_day),
            "fra": "18:00",
            "til": "20:00",
            "aktivitet": "Håndballtrening",
            "malgruppe": "children_youth",
            "deltakere": "20",
        },
    )
    await club.get_by_role("button", name=texts["show_price"]).click()
    await club.get_by_role("button", name=texts["confirm_booking"]).click()
    await club.wait_for_url(re.compile(r".*/bookinger/[0-9a-f-]{36}\?ny=1$"))
    booking_id = club.url.rsplit("/", 1)[-1].split("?")[0]
    feed = await calendar_link(club, portal, organisation_id)

    # The caretaker's week grid shows the booked evening.
    await manager.goto(f"{portal.url}/drift/lokaler/{space_id}/uke?dato={booked_day.isoformat()}")
    grid = manager.locator("table.manage-grid")
    await expect(grid.locator(".manage-grid__cell--booked").first).to_contain_text(
        texts["grid_booked"]
    )
    await expect(grid).to_contain_text(f"Kjeller IL {club_login}")
    await assert_accessible(manager)

    # The manager closes that Tuesday: the preview names the club's booking and the club.
    await manager.goto(f"{portal.url}/drift/steder/{site_id}")
    await manager.locator(f"main a[href$='stenging?lokale={space_id}']").click()
    await expect(manager.locator("#omfang")).to_have_value(space_id)
    await assert_accessible(manager)
    await manager.locator("#forste").fill(norwegian(booked_day))
    await manager.locator("#siste").fill(norwegian(booked_day))
    await manager.locator("#arsak").select_option("exam")
    await manager.locator("#merknad").fill("Eksamen i gymsalen")
    await manager.get_by_role("button", name=texts["preview"]).click()
    await expect(manager.locator("#cancelled-bookings tbody tr")).to_have_count(1)
    await expect(manager.locator("#cancelled-bookings")).to_contain_text("18:00")
    await expect(manager.locator("#clubs-told")).to_have_text(f"Kjeller IL {club_login}")
    await assert_accessible(manager)
    assert (await booking_status(portal, booking_id))["status"] == "confirmed"
    await manager.get_by_role("button", name=texts["confirm_closure"]).click()
    await manager.wait_for_url(f"**/drift/steder/{site_id}?gjort=stengt")
    await expect(manager.get_by_role("status")).to_contain_text(texts["closed"])
    await assert_accessible(manager)

    # The club's bookings page and calendar show the booking cancelled.
    async def cancelled() -> bool:
        await club.goto(f"{portal.url}/lag/{organisation_id}/bookinger")
        row = club.locator(f"tr:has(a[href='/bookinger/{booking_id}'])")
        return texts["cancelled"] in await row.inner_text()

    await eventually(cancelled, timeout=30, interval=1)
    await assert_accessible(club)
    async with httpx.AsyncClient() as calendar_app:

        async def feed_shows_it_cancelled() -> bool:
            answer = await calendar_app.get(feed)
            statuses = feed_statuses(answer.text, booking_id)
            return answer.status_code == 200 and statuses in ([], ["CANCELLED"])

        await eventually(feed_shows_it_cancelled, timeout=30, interval=1)

    # The grid shows the evening closed now.
    await manager.goto(f"{portal.url}/drift/lokaler/{space_id}/uke?dato={norwegian(booked_day)}")
    row = manager.locator("table.manage-grid tbody tr").nth(TUESDAY)
    await expect(row.locator(".manage-grid__cell--closed").first).to_contain_text(
        texts["grid_closed"]
    )
    await expect(row.locator(".manage-grid__cell--booked")).to_have_count(0)
    await assert_accessible(manager)
    await screenshots(manager, f"manager-week-{language}")
    # Printed for the caretaker: the grid without the site's header, links and forms.
    await manager.emulate_media(media="print")
    await expect(manager.locator(".site-header")).to_be_hidden()
    await expect(manager.locator(".manage-week-form")).to_be_hidden()
    await expect(manager.locator("table.manage-grid")).to_be_visible()
    await manager.emulate_media(media="screen")
    await manager.context.close()
    await club.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_manager_rejects_a_request_with_a_reason_the_club_sees(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    site_id = await kjeller(portal)
    space = await new_space(portal, site_id, approval=True)
    day = weekly_dates(1, 21, weekday=TUESDAY)[0]
    await release_by_api(portal, str(space["space_id"]), day)
    requested = await request_booking(portal, str(space["space_id"]), day)
    booking_id = requested["booking_id"]

    manager = await manager_page(browser, portal, language, f"/drift/steder/{site_id}")
    await expect(manager.locator("main")).to_contain_text(requested["organisation_name"])
    await manager.locator(f"main a[href='/drift/bookinger/{booking_id}/avvis']").click()
    await assert_accessible(manager)

    # No reason: refused on the form, nothing changed.
    await manager.get_by_role("button", name=texts["reject"]).click()
    await expect(manager.locator("#begrunnelse-error")).to_contain_text(texts["need_reason"])
    await assert_accessible(manager)
    assert (await booking_status(portal, booking_id))["status"] == "requested"

    reason = "Gymsalen brukes til skolens juleavslutning."
    await manager.locator("#begrunnelse").fill(reason)
    await manager.get_by_role("button", name=texts["reject"]).click()
    await manager.wait_for_url(f"**/drift/steder/{site_id}?gjort=avvist")
    await expect(manager.get_by_role("status")).to_contain_text(texts["rejected"])
    await expect(manager.locator(f"a[href='/drift/bookinger/{booking_id}/avvis']")).to_have_count(0)
    rejected = await booking_status(portal, booking_id)
    assert rejected["status"] == "rejected"
    assert rejected["rejection_reason"] == reason
    await manager.context.close()


async def test_a_manager_releases_a_date_and_approves_a_request_by_keyboard(
    browser: Browser, portal: PortalStack
) -> None:
    site_id = await kjeller(portal)
    space = await new_space(portal, site_id, approval=True)
    space_id = str(space["space_id"])
    day = weekly_dates(1, 28, weekday=TUESDAY)[0]
    manager = await manager_page(browser, portal, "nb", f"/drift/lokaler/{space_id}")

    # One date released by keyboard alone.
    # Tab reaches the radio group at its checked button; an arrow key chooses the other.
    await tab_to(manager, manager.locator("#type-weekly"))
    await manager.keyboard.press("ArrowDown")
    await expect(manager.locator("#type-one_off")).to_be_checked()
    for field, value in (("fra", "17:00"), ("til", "21:00"), ("dato", norwegian(day))):
        await tab_to(manager, manager.locator(f"#{field}"))
        await manager.keyboard.type(value)
    await tab_to(manager, manager.get_by_role("button", name="Frigi tiden"))
    await manager.keyboard.press("Enter")
    await expect(manager.get_by_role("status")).to_contain_text(TEXTS["nb"]["released"])
    windows = await portal.api.call(
        "GET", "facilities", f"/spaces/{space_id}/windows", portal.admin()
    )
    [window] = windows["items"]
    assert (window["kind"], window["valid_from"]) == ("one_off", day.isoformat())
    await wait_until_bookable(portal, space_id, day)

    # A club asks for the evening; the manager approves it by keyboard from the site page.
    requested = await request_booking(portal, space_id, day)
    booking_id = requested["booking_id"]
    await manager.goto(f"{portal.url}/drift/steder/{site_id}")
    approve = manager.locator(f"form[action='/drift/bookinger/{booking_id}/godkjenn'] button")
    await tab_to(manager, approve)
    await manager.keyboard.press("Enter")
    await manager.wait_for_url(f"**/drift/steder/{site_id}?gjort=godkjent")
    await expect(manager.get_by_role("status")).to_be_visible()
    assert (await booking_status(portal, booking_id))["status"] == "confirmed"
    await assert_accessible(manager)
    await manager.context.close()
