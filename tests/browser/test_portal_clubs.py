"""Journey 2a in Chromium: a club registers, invites a member and shares its calendar.

A new person registers an organisation (a wrong organisation number first: booking's rule is
shown on the field with the input kept and nothing registered), invites a member by email,
and the member — in a browser of their own — opens the emailed link, logs in, accepts and
sees the club. The administrator copies the club's private calendar link, which a calendar
app can fetch, and replaces it (the old one stops working). Every page passes axe's WCAG 2.1
A/AA rules in both languages; registering a club also works by keyboard alone. A club reached
by phone alone asks for SMS, which booking refuses where no SMS provider is configured (as in
this stack): the refusal is shown in plain words on the email field, nothing registered.
"""

from __future__ import annotations

import contextlib
import re
import uuid

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

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
from tests.integration.booking.booking_support import org_number
from tests.support import eventually

# The journey waits for two invitation emails and logs in three times.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

CLUB_URL = re.compile(r".*/lag/[0-9a-f-]{36}(#.*)?$")
TEXTS = {
    "nb": {"check_digit": "kontrollsiffer", "invalid_email": "gyldig e-postadresse"},
    "en": {"check_digit": "check digit", "invalid_email": "valid email address"},
}


def new_org_number() -> tuple[str, str]:
    """A valid organisation number nobody else in the run uses, and the same with a wrong
    check digit (only one digit is right)."""
    valid = org_number(uuid.uuid4().int % 10_000_000)
    return valid, valid[:8] + str((int(valid[8]) + 1) % 10)


def invitation_link(portal: PortalStack, address: str) -> str | None:
    for body in portal.mailbox.bodies(address):
        found = re.search(r"(https?://\S+/invitasjoner/[A-Za-z0-9_-]{16,})", body)
        if found:
            return found.group(1)
    return None


async def organisations_numbered(portal: PortalStack, number: str) -> list[dict[str, str]]:
    every = await portal.api.call("GET", "booking", "/organisations", portal.admin())
    return [o for o in every if o["org_number"] == number]


async def signed_in_page(
    browser: Browser, portal: PortalStack, login: str, language: str, next_path: str
) -> Page:
    page = await portal.new_page(browser, language=language)
    await log_in(page, portal, login, next_path=next_path)
    return page


async def register(page: Page, name: str, number: str, email: str) -> None:
    await page.locator("#lag-name").fill(name)
    await page.locator("#lag-org_number").fill(number)
    await page.locator("#lag-category").select_option("sports")
    await page.locator("#lag-district").fill("Skjetten")
    await page.locator("#lag-contact_name").fill("Kari Leder")
    await page.locator("#lag-contact_email").fill(email)
    await page.locator("form[action='/lag/ny'] button[type=submit]").click()
    await page.wait_for_load_state()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_club_registers_invites_a_member_and_shares_its_calendar(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    texts = TEXTS[language]
    admin_login = someone("club-admin")
    admin = await signed_in_page(browser, portal, admin_login, language, "/lag")
    await admin.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)

    # My clubs: none yet, and the way to register one.
    await expect(admin.locator("h1")).to_have_count(1)
    await expect(admin.locator("main .ds-card")).to_have_count(0)
    await assert_accessible(admin)
    await admin.locator("main a[href='/lag/ny']").click()
    await admin.wait_for_url("**/lag/ny")
    await assert_accessible(admin)

    # A wrong check digit: booking's rule on the field, everything kept, nothing registered.
    name = f"Skjetten IL {uuid.uuid4().hex[:6]}"
    valid, wrong = new_org_number()
    await register(admin, name, wrong, "leder@skjetten-il.no")
    number_error = admin.locator("#lag-org_number-feil")
    await expect(number_error).to_contain_text(texts["check_digit"])
    await expect(admin.locator("#lag-org_number")).to_have_attribute("aria-invalid", "true")
    await expect(admin.locator("#lag-org_number")).to_have_value(wrong)
    await expect(admin.locator("#lag-name")).to_have_value(name)
    await expect(admin.locator("#lag-category")).to_have_value("sports")
    await expect(admin.locator("#lag-contact_email")).to_have_value("leder@skjetten-il.no")
    await expect(admin.locator(".ds-error-summary[role=alert] a")).to_have_attribute(
        "href", "#lag-org_number"
    )
    await assert_accessible(admin)
    assert await organisations_numbered(portal, wrong) == []

    # The right number: the club page, with the person as administrator.
    await admin.locator("#lag-org_number").fill(valid)
    await admin.locator("form[action='/lag/ny'] button[type=submit]").click()
    await admin.wait_for_url(CLUB_URL)
    organisation_id = admin.url.rsplit("/", 1)[-1].split("#")[0]
    await expect(admin.locator("h1")).to_have_text(name)
    await expect(admin.get_by_role("status")).to_be_visible()
    await expect(admin.locator(f"a[href='/lag/{organisation_id}/bookinger']")).to_be_visible()
    await expect(admin.locator(f"a[href='/booking/ny?lag={organisation_id}']")).to_be_visible()
    await assert_accessible(admin)
    [registered] = await organisations_numbered(portal, valid)
    assert registered["id"] == organisation_id

    # My clubs lists it.
    await admin.goto(f"{portal.url}/lag")
    await expect(admin.locator(f"main a[href='/lag/{organisation_id}']")).to_have_text(name)
    await assert_accessible(admin)
    await admin.locator(f"main a[href='/lag/{organisation_id}']").click()
    await admin.wait_for_url(CLUB_URL)

    # Invite: a mistyped address is refused on the field, then the member is invited.
    member_login = someone("club-member")
    member_email = f"{member_login}@example.no"
    await admin.locator("#invitasjon-email").fill("ikke-en-adresse")
    await admin.locator("#invitasjon-role").select_option("booker")
    await admin.locator("form[action$='/invitasjoner'] button[type=submit]").click()
    await expect(admin.locator("#invitasjon-email-feil")).to_contain_text(texts["invalid_email"])
    await expect(admin.locator("#invitasjon-email")).to_have_value("ikke-en-adresse")
    await expect(admin.locator("#invitasjon-role")).to_have_value("booker")
    await assert_accessible(admin)
    await admin.locator("#invitasjon-email").fill(member_email)
    await admin.locator("form[action$='/invitasjoner'] button[type=submit]").click()
    await admin.wait_for_url(CLUB_URL)
    waiting = admin.locator("#invitasjoner ~ .table-wrap tbody tr")
    await expect(waiting).to_have_count(1)
    await expect(waiting).to_contain_text(member_email)
    await assert_accessible(admin)

    # The member opens the emailed link in a browser of their own, logs in and accepts.
    link = await eventually(lambda: _link(portal, member_email), timeout=60)
    assert link.startswith(f"{portal.url}/invitasjoner/")
    code_path = link.removeprefix(portal.url)
    member = await portal.new_page(browser, language=language)
    await member.goto(link)
    await expect(member.locator("h1")).to_contain_text(name)
    await expect(member.locator("main a[href*='/logg-inn']")).to_be_visible()
    await assert_accessible(member)
    await log_in(member, portal, member_login, next_path=code_path)
    await expect(member.locator("#godta-email")).to_have_value(member_email)
    await assert_accessible(member)
    await member.locator("#godta-display_name").fill("Ola Medlem")
    await member.locator(f"form[action='{code_path}/godta'] button[type=submit]").click()
    await member.wait_for_url(f"**/lag/{organisation_id}")
    await expect(member.locator("h1")).to_have_text(name)
    await expect(member.locator("main table").first).to_contain_text("Ola Medlem")
    await expect(member.locator("#invitasjoner")).to_have_count(0)  # a booker, not an admin
    await assert_accessible(member)

    # The link works once: now it is a clear "cannot be used" page, and nothing changes.
    answer = await member.goto(link)
    assert answer is not None
    assert answer.status == 410
    await expect(member.locator("h1")).to_have_count(1)
    await assert_accessible(member)
    answer = await member.goto(f"{portal.url}/invitasjoner/{'x' * 43}")
    assert answer is not None
    assert answer.status == 404
    await assert_accessible(member)
    await member.context.close()

    # The administrator sees the member; the invitation no longer waits.
    await admin.goto(f"{portal.url}/lag/{organisation_id}")
    await expect(admin.locator("main table").first).to_contain_text("Ola Medlem")
    await expect(admin.locator("#invitasjoner ~ .table-wrap")).to_have_count(0)

    # A second invitation, withdrawn: its link then answers "cannot be used".
    other_email = f"{someone('club-other')}@example.no"
    await admin.locator("#invitasjon-email").fill(other_email)
    await admin.locator("form[action$='/invitasjoner'] button[type=submit]").click()
    await admin.wait_for_url(CLUB_URL)
    other_link = await eventually(lambda: _link(portal, other_email), timeout=60)
    await admin.locator("form[action$='/trekk'] button").click()
    await admin.wait_for_url(CLUB_URL)
    await expect(admin.locator("form[action$='/trekk']")).to_have_count(0)
    await expect(admin.get_by_role("status").first).to_be_visible()
    await assert_accessible(admin)
    gone = await admin.request.get(other_link)
    assert gone.status == 410

    # The club's private calendar link: made, copied, fetched by a calendar app.
    feed = await _make_calendar_link(admin, organisation_id)
    await admin.locator("button[data-copy='kalender-lenke']").click()
    await expect(admin.locator("#kalender-lenke-status")).not_to_be_empty()
    copied = await admin.evaluate("navigator.clipboard.readText()")
    assert copied == feed
    assert await admin.locator("a[href^='webcal://']").get_attribute("href") == (
        "webcal://" + feed.split("://", 1)[1]
    )
    await assert_accessible(admin)
    async with httpx.AsyncClient() as calendar_app:
        fetched = await calendar_app.get(copied)
        assert fetched.status_code == 200, fetched.text
        assert fetched.headers["content-type"].startswith("text/calendar")

        # Replaced: a new link, and the old one stops working.
        await admin.locator(f"form[action='/lag/{organisation_id}/kalenderlenke'] button").click()
        await admin.wait_for_url(CLUB_URL)
        replaced = await admin.locator("#kalender-lenke").input_value()
        assert replaced != feed
        assert (await calendar_app.get(feed)).status_code == 404
        assert (await calendar_app.get(replaced)).status_code == 200

    await assert_accessible(admin)
    await screenshots(admin, "club-last" if language == "nb" else f"club-last-{language}")
    await admin.context.close()

    # In a later session the link is not shown again (only its hash is kept): the page says
    # when it was made and offers to replace it.
    later = await signed_in_page(browser, portal, admin_login, language, f"/lag/{organisation_id}")
    await expect(later.locator("#kalender-lenke")).to_have_count(0)
    await expect(
        later.locator(f"form[action='/lag/{organisation_id}/kalenderlenke']")
    ).to_have_count(1)
    await assert_accessible(later)
    await later.context.close()


async def _link(portal: PortalStack, address: str) -> str | None:
    return invitation_link(portal, address)


async def _make_calendar_link(page: Page, organisation_id: str) -> str:
    """Make the link; notifications may still be learning of the new club from booking's
    events, in which case the page says so and the person tries again."""
    made = page.locator("#kalender-lenke")

    async def attempt() -> bool:
        if await made.count() == 0:
            await page.locator(
                f"form[action='/lag/{organisation_id}/kalenderlenke'] button"
            ).click()
            await page.wait_for_url(CLUB_URL)
        return await made.count() == 1

    await eventually(attempt, timeout=30, interval=1)
    return await made.input_value()


async def test_register_a_club_by_keyboard(browser: Browser, portal: PortalStack) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(f"{portal.url}/logg-inn?neste=/lag&login_hint={someone('club-keys')}")
    await tab_to(page, page.locator("input[name=password]"))
    await page.keyboard.type("any")
    await page.keyboard.press("Enter")
    consent = page.locator("button[type=submit]", has_text="Continue")
    with contextlib.suppress(PlaywrightTimeout):  # the provider asks for consent once
        await consent.wait_for(timeout=5000)
        await tab_to(page, consent)
        await page.keyboard.press("Enter")
    await page.wait_for_url(f"{portal.url}/lag")

    await tab_to(page, page.locator("main a[href='/lag/ny']"))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/lag/ny")
    name = f"Tastaturklubben {uuid.uuid4().hex[:6]}"
    valid, _wrong = new_org_number()
    await tab_to(page, page.locator("#lag-name"))
    await page.keyboard.type(name)
    await tab_to(page, page.locator("#lag-org_number"))
    await page.keyboard.type(valid)
    await tab_to(page, page.locator("#lag-category"))
    await page.keyboard.press("ArrowDown")
    await expect(page.locator("#lag-category")).to_have_value("sports")
    await tab_to(page, page.locator("#lag-contact_email"))
    await page.keyboard.type("post@tastaturklubben.no")
    await tab_to(page, page.locator("form[action='/lag/ny'] button[type=submit]"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(CLUB_URL)
    await expect(page.locator("h1")).to_have_text(name)
    await assert_accessible(page)

    # Addresses that name no club of the person's are plain "not found" pages.
    for path in ("/lag/ikke-et-lag", f"/lag/{uuid.uuid4()}", "/invitasjoner/kort"):
        answer = await page.goto(portal.url + path)
        assert answer is not None
        assert answer.status == 404, path
        await expect(page.locator("h1")).to_have_count(1)
    await context.close()


SMS_REFUSED = {
    "nb": "SMS kan ikke velges: tjenesten har ingen SMS-leverandør. Velg e-post.",
    "en": "SMS cannot be chosen: this service has no SMS provider. Choose email.",
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_club_by_phone_alone_is_refused_in_plain_words_without_sms(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    page = await signed_in_page(browser, portal, someone("club-sms"), language, "/lag/ny")
    name = f"Telefonlaget {uuid.uuid4().hex[:6]}"
    valid, _wrong = new_org_number()
    await page.locator("#lag-name").fill(name)
    await page.locator("#lag-org_number").fill(valid)
    await page.locator("#lag-category").select_option("sports")
    await page.locator("#lag-contact_phone").fill("+47 912 34 567")
    await page.locator("form[action='/lag/ny'] button[type=submit]").click()
    await page.wait_for_load_state()

    await expect(page.locator("#lag-contact_email-feil")).to_contain_text(SMS_REFUSED[language])
    await expect(page.locator(".ds-error-summary[role=alert] a")).to_have_attribute(
        "href", "#lag-contact_email"
    )
    await expect(page.locator("#lag-contact_phone")).to_have_value("+47 912 34 567")
    await expect(page.locator("#lag-name")).to_have_value(name)
    await assert_accessible(page)
    assert await organisations_numbered(portal, valid) == []
    await page.context.close()
