"""Journey 4, My page, in Chromium: the profile, the language, the channel for messages, the
person's calendar links and what the services store about them, in both languages with no
WCAG 2.1 A/AA violation; the profile edited by keyboard alone; a bad email or phone number and
SMS where the service cannot send one refused on the form in plain words, nothing changed."""

from __future__ import annotations

import contextlib
import json

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.portal import (
    LANGUAGES,
    PortalStack,
    assert_accessible,
    log_in,
    new_context,
    screenshots,
    someone,
    tab_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXTS = {
    "nb": {
        "h1": "Min side",
        "name": "Navn",
        "email": "E-postadresse",
        "phone": "Mobilnummer",
        "save": "Lagre profilen",
        "saved": "Profilen din er lagret",
        "loans_link": "Lag en lenke til lånene mine",
        "link_ready": "Den nye kalenderlenken din er klar",
        "webcal": "Lenke for kalenderapper (webcal)",
        "https": "Nettadresse (https)",
        "data": "Se hva vi lagrer om deg",
        "data_h1": "Hva vi lagrer om deg",
        "stop": "Stopp lenken",
        "stopped": "Kalenderlenken er stoppet",
    },
    "en": {
        "h1": "My page",
        "name": "Name",
        "email": "Email address",
        "phone": "Mobile number",
        "save": "Save profile",
        "saved": "Your profile is saved",
        "loans_link": "Make a link to my loans",
        "link_ready": "Your new calendar link is ready",
        "webcal": "Link for calendar apps (webcal)",
        "https": "Web address (https)",
        "data": "See what we store about you",
        "data_h1": "What we store about you",
        "stop": "Stop link",
        "stopped": "The calendar link is stopped",
    },
}


async def open_my_page(browser: Browser, portal: PortalStack, language: str, login: str) -> Page:
    page = await portal.new_page(browser, language=language)
    await log_in(page, portal, login, next_path="/min-side")
    await expect(page.locator("h1")).to_have_text(TEXTS[language]["h1"])
    return page


@pytest.mark.parametrize("language", LANGUAGES)
async def test_my_page_in_both_languages(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    t = TEXTS[language]
    login = someone(f"mypage-{language}")
    page = await open_my_page(browser, portal, language, login)
    await assert_accessible(page)

    await page.get_by_label(t["name"]).fill("Kari Nordmann")
    await page.get_by_label(t["email"]).fill(f"{login}@example.no")
    await page.get_by_label(t["phone"]).fill("912 34 567")
    await page.get_by_role("button", name=t["save"]).click()
    await expect(page.get_by_role("status").first).to_contain_text(t["saved"])
    await expect(page.get_by_label(t["phone"])).to_have_value("+4791234567")
    await assert_accessible(page)

    # A private calendar of the person's loans: shown once, as webcal:// and https.
    await page.get_by_role("button", name=t["loans_link"]).click()
    await expect(page.get_by_role("status").first).to_contain_text(t["link_ready"])
    webcal = await page.get_by_label(t["webcal"]).input_value()
    https = await page.get_by_label(t["https"]).input_value()
    assert webcal.startswith("webcal://")
    assert "/feeds/loans/" in webcal
    assert https.startswith("http")
    assert https.endswith(".ics")
    assert webcal.split("://", 1)[1] == https.split("://", 1)[1]
    feed = await page.request.get(https)
    assert feed.status == 200
    assert "BEGIN:VCALENDAR" in await feed.text()
    await assert_accessible(page)
    await page.reload()
    await expect(page.get_by_label(t["webcal"])).to_have_count(0)  # never shown again

    # What the services store about the person, readable and as a file.
    await page.get_by_role("link", name=t["data"]).click()
    await expect(page.locator("h1")).to_have_text(t["data_h1"])
    await expect(page.locator("main")).to_contain_text(f"{login}@example.no")
    await expect(page.locator("main")).to_contain_text("+4791234567")
    await assert_accessible(page)
    download = await page.request.get(portal.url + "/min-side/data.json")
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment")
    stored = json.loads(await download.text())
    booking = stored["services"]["booking"]["sections"]
    notifications = stored["services"]["notifications"]["sections"]
    assert booking["profile"][0]["email"] == f"{login}@example.no"
    assert booking["profile"][0]["display_name"] == "Kari Nordmann"
    assert [link["kind"] for link in notifications["feed_tokens"]] == ["loans"]
    assert set(booking) >= {"memberships", "loans", "bookings"}
    assert set(notifications) >= {"preferences", "messages"}
    await screenshots(page, f"my-page-data-{language}")

    # Stopping the link: the calendar app gets nothing more.
    await page.goto(portal.url + "/min-side")
    await page.get_by_role("button", name=t["stop"]).click()
    await expect(page.get_by_role("status").first).to_contain_text(t["stopped"])
    assert (await page.request.get(https)).status == 404
    await page.context.close()


async def test_a_bad_email_is_refused_with_the_input_kept(
    browser: Browser, portal: PortalStack
) -> None:
    page = await open_my_page(browser, portal, "nb", someone("mypage-bad"))
    await page.get_by_label("Navn").fill("Ola Nordmann")
    await page.get_by_label("E-postadresse").fill("ola@")
    await page.get_by_label("Mobilnummer").fill("12")
    await page.get_by_role("button", name="Lagre profilen").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Profilen ble ikke lagret")
    await expect(summary).to_contain_text("Skriv inn en e-postadresse på formen navn@eksempel.no")
    await expect(summary).to_contain_text("8 siffer for et norsk nummer")
    email = page.get_by_label("E-postadresse")
    await expect(email).to_have_value("ola@")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Navn")).to_have_value("Ola Nordmann")
    await expect(page.get_by_label("Mobilnummer")).to_have_value("12")
    await assert_accessible(page)
    # The link in the summary takes the person to the field.
    await summary.get_by_role("link", name="Skriv inn en e-postadresse").click()
    await expect(email).to_be_focused()

    # Nothing was stored.
    download = await page.request.get(portal.url + "/min-side/data.json")
    assert json.loads(await download.text())["services"]["booking"]["sections"]["profile"] == []
    await page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_sms_is_refused_in_plain_words(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    login = someone("mypage-sms")
    page = await open_my_page(browser, portal, language, login)
    sms = page.locator("#varsler-sms")
    save_choice = page.locator("form[action='/min-side/varsler'] button[type=submit]")

    # Without a phone number in the profile, SMS cannot reach the person.
    await sms.check()
    await save_choice.click()
    alert = page.get_by_role("alert")
    expected = {
        "nb": "legge inn telefonnummeret ditt i profilen",
        "en": "first add your phone number to your profile",
    }
    await expect(alert).to_contain_text(expected[language])
    await expect(sms).to_be_checked()
    await assert_accessible(page)

    # With one, the service says it cannot send SMS at all: its rule, on the form.
    t = TEXTS[language]
    await page.get_by_label(t["name"]).fill("Per Hansen")
    await page.get_by_label(t["email"]).fill(f"{login}@example.no")
    await page.get_by_label(t["phone"]).fill("+47 912 34 567")
    await page.get_by_role("button", name=t["save"]).click()
    await expect(page.get_by_role("status").first).to_contain_text(t["saved"])
    await page.locator("#varsler-sms").check()
    await save_choice.click()
    refused = {
        "nb": "SMS kan ikke velges: tjenesten har ingen SMS-leverandør. Velg e-post.",
        "en": "SMS cannot be chosen: this service has no SMS provider. Choose email.",
    }
    await expect(page.get_by_role("alert")).to_contain_text(refused[language])
    await expect(page.locator("#varsler-sms")).to_be_checked()
    await assert_accessible(page)
    download = await page.request.get(portal.url + "/min-side/data.json")
    stored = json.loads(await download.text())
    assert stored["services"]["notifications"]["sections"]["preferences"] == []
    await page.context.close()


async def test_editing_the_profile_by_keyboard_alone(browser: Browser, portal: PortalStack) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    login = someone("mypage-keys")
    await page.goto(f"{portal.url}/logg-inn?neste=/min-side&login_hint={login}")
    await tab_to(page, page.locator("input[name=password]"))
    await page.keyboard.type("any")
    await page.keyboard.press("Enter")
    consent = page.locator("button[type=submit]", has_text="Continue")
    with contextlib.suppress(Exception):
        await consent.wait_for(timeout=3000)
        await tab_to(page, consent)
        await page.keyboard.press("Enter")
    await page.wait_for_url(f"{portal.url}/min-side*")

    name = page.get_by_label("Navn")
    await tab_to(page, name)
    await page.keyboard.press("Control+A")
    await page.keyboard.type("Kari Tastatur")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("E-postadresse")).to_be_focused()
    await page.keyboard.type(f"{login}@example.no")
    # Bokmål is chosen; the arrow key moves the choice to English.
    await tab_to(page, page.locator("#profil-language-nb"))
    await page.keyboard.press("ArrowDown")
    await expect(page.locator("#profil-language-en")).to_be_checked()
    await tab_to(page, page.get_by_role("button", name="Lagre profilen"))
    await page.keyboard.press("Enter")

    # Saved, and the portal now speaks the language chosen for messages.
    await expect(page.get_by_role("status").first).to_contain_text("Your profile is saved")
    assert await page.locator("html").get_attribute("lang") == "en"
    await expect(page.get_by_label("Name")).to_have_value("Kari Tastatur")
    await assert_accessible(page)

    await tab_to(page, page.get_by_role("link", name="See what we store about you"))
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("What we store about you")
    await expect(page.locator("main")).to_contain_text("Kari Tastatur")
    await assert_accessible(page)
    await screenshots(page, "my-page-last")
    await context.close()
