"""Usage and transparency, in Chromium: the municipal admin (`demo-admin`) opens `/bruk` in
both languages with no WCAG 2.1 A/AA violation, sees the hours a club booked in the tables and
the SVG charts, downloads them as CSV (read with `csv`) and Excel (read with `openpyxl`) with the
same numbers as the API, reaches the downloads by keyboard, and a period that ends before it
starts is refused on the form with the dates kept."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.async_api import Browser, Page, expect

from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    log_in,
    new_context,
    screenshots,
    switch_language,
    tab_to,
)
from tests.browser.test_portal_bookings import register_club
from tests.browser.test_portal_lending import type_date
from tests.dates import ordinary_day, today
from tests.e2e.stack import token

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "demo-admin"
TEXTS = {
    "nb": {
        "h1": "Bruk og åpenhet",
        "csv": "Last ned timene som CSV",
        "xlsx": "Last ned timene som Excel",
        "show": "Vis tallene",
        "backwards": "Siste dag kan ikke være før første dag.",
    },
    "en": {
        "h1": "Usage and transparency",
        "csv": "Download the hours as CSV",
        "xlsx": "Download the hours as Excel",
        "show": "Show figures",
        "backwards": "The last day must not be before the first day.",
    },
}


def period() -> tuple[date, date]:
    return today(), today() + timedelta(days=60)


def query(by: str = "sted") -> str:
    first, last = period()
    return f"/bruk?fra={first.isoformat()}&til={last.isoformat()}&gruppering={by}"


@pytest.fixture(scope="module")
async def booked(portal: PortalStack) -> dict[str, Any]:
    """A club's two evenings at a demo hall within the period (one free, one not)."""
    admin = portal.admin()
    club = await register_club(portal, token("usage-club-admin"), "Bruksklubben IL")
    for after in range(3, 40):
        day = ordinary_day(after)
        spaces = await portal.api.call(
            "GET",
            "booking",
            "/availability",
            admin,
            params={
                "from": datetime.combine(day, datetime.min.time()).astimezone().isoformat(),
                "to": datetime.combine(day + timedelta(days=1), datetime.min.time())
                .astimezone()
                .isoformat(),
                "min_minutes": 180,
            },
        )
        for space in spaces:
            if space["approval_required"] or space["who_may_book"] != "organisations":
                continue
            start = datetime.fromisoformat(space["slots"][0]["start"])
            for hour, audience in ((0, "children_youth"), (2, "non_profit")):
                await portal.api.call(
                    "POST",
                    "booking",
                    "/bookings",
                    token("usage-club-admin"),
                    json={
                        "space_id": space["space_id"],
                        "organisation_id": club,
                        "activity": "Volleyball",
                        "audience": audience,
                        "participants": 12,
                        "start": (start + timedelta(hours=hour)).isoformat(),
                        "end": (start + timedelta(hours=hour + 1)).isoformat(),
                    },
                )
            return {"club": club, "site": space["site_name"]}
    raise AssertionError("no demo hall had three free evening hours in the coming weeks")


async def admin_page(browser: Browser, portal: PortalStack, language: str) -> Page:
    context = await new_context(browser)
    page = await context.new_page()
    await log_in(page, portal, ADMIN, next_path="/drift")
    await switch_language(page, language)
    return page


async def api_usage(portal: PortalStack) -> dict[str, Any]:
    first, last = period()
    params = {"from": first.isoformat(), "to": last.isoformat(), "by": "site"}
    answer: dict[str, Any] = await portal.api.call(
        "GET", "booking", "/usage", portal.admin(), params=params
    )
    return answer


@pytest.mark.parametrize("language", LANGUAGES)
async def test_admin_sees_usage_in_both_languages(
    browser: Browser, portal: PortalStack, booked: dict[str, Any], language: str
) -> None:
    texts = TEXTS[language]
    page = await admin_page(browser, portal, language)
    await page.goto(portal.url + query())
    await expect(page.locator("h1")).to_have_text(texts["h1"])
    await expect(page.locator("h1")).to_have_count(1)
    usage_table = page.locator("table.usage-table").first
    await expect(usage_table.get_by_role("rowheader", name=booked["site"])).to_be_visible()
    chart = page.locator("svg.usage-chart__svg").first
    await expect(chart).to_have_attribute("role", "img")
    assert await chart.locator("rect").count() > 0
    await assert_accessible(page)
    for by in ("lokale", "omrade", "organisasjon"):
        await page.goto(portal.url + query(by))
        await expect(page.locator("table.usage-table").first).to_be_visible()
        await assert_accessible(page)
    await page.goto(portal.url + query())
    if language == "nb":
        await screenshots(page, "usage-main")
    await page.context.close()


async def test_downloads_hold_the_apis_numbers(
    browser: Browser, portal: PortalStack, booked: dict[str, Any]
) -> None:
    page = await admin_page(browser, portal, "nb")
    answer = await api_usage(portal)
    expected = {group["name"]: Decimal(group["booked_minutes"]) / 60 for group in answer["groups"]}
    # At least the club's two hours: other tests on the shared stack may book the same site.
    assert expected[booked["site"]] >= 2
    first, last = period()
    params = f"fra={first.isoformat()}&til={last.isoformat()}&gruppering=sted"

    response = await page.request.get(f"{portal.url}/bruk/bruk.csv?{params}")
    assert response.ok
    assert response.headers["content-type"].startswith("text/csv")
    body = await response.body()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Sted", "Timer frigitt", "Timer booket"]
    from_csv = {row[0]: Decimal(row[2].replace(",", ".")) for row in rows[1:-1]}
    assert from_csv == expected
    assert rows[-1][0] == "Sum"
    assert Decimal(rows[-1][2].replace(",", ".")) == Decimal(answer["total"]["booked_minutes"]) / 60

    response = await page.request.get(f"{portal.url}/bruk/bruk.xlsx?{params}")
    assert response.ok
    sheet = load_workbook(io.BytesIO(await response.body()), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Sted", "Timer frigitt", "Timer booket")
    from_xlsx = {row[0]: Decimal(str(row[2])) for row in values[1:-1]}
    assert from_xlsx == expected

    for report in ("utlan", "fakturagrunnlag"):
        for extension in ("csv", "xlsx"):
            response = await page.request.get(f"{portal.url}/bruk/{report}.{extension}?{params}")
            assert response.ok, (report, extension)
    await page.context.close()


async def test_by_keyboard_a_refused_period_and_a_download(
    browser: Browser, portal: PortalStack, booked: dict[str, Any]
) -> None:
    texts = TEXTS["nb"]
    page = await admin_page(browser, portal, "nb")
    await page.goto(portal.url + "/drift")
    await tab_to(page, page.get_by_role("link", name="Bruk og åpenhet"))
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text(texts["h1"])
    first, last = period()
    # Dates typed in the wrong order: refused beside the field and in the summary, kept.
    await tab_to(page, page.locator("#fra"))
    await type_date(page, page.locator("#fra"), last)
    await tab_to(page, page.locator("#til"))
    await type_date(page, page.locator("#til"), first)
    await tab_to(page, page.get_by_role("button", name=texts["show"]))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text(texts["backwards"])
    await expect(page.locator("#til-feil")).to_have_text(texts["backwards"])
    await expect(page.locator("#fra")).to_have_value(last.isoformat())
    await expect(page.locator("#til")).to_have_value(first.isoformat())
    assert await page.locator("table.usage-table").count() == 0
    await assert_accessible(page)
    # Put right, and the CSV reached and taken by keyboard.
    await tab_to(page, page.locator("#fra"))
    await type_date(page, page.locator("#fra"), first)
    await tab_to(page, page.locator("#til"))
    await type_date(page, page.locator("#til"), last)
    await tab_to(page, page.get_by_role("button", name=texts["show"]))
    await page.keyboard.press("Enter")
    await expect(page.locator("table.usage-table").first).to_be_visible()
    await tab_to(page, page.get_by_role("link", name=texts["csv"]))
    async with page.expect_download() as download_info:
        await page.keyboard.press("Enter")
    download = await download_info.value
    assert download.suggested_filename.endswith(".csv")
    await tab_to(page, page.get_by_role("link", name=texts["xlsx"]))
    await page.context.close()
