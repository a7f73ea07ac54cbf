"""A person's rights in Chromium: a person downloads their data from every service as one file
(their name and email in it, the session's tokens not), asks to be erased and is refused while
they are a club's last administrator (with a link to the club), and a person who administers
no club is erased and logged out; the municipal admin downloads a person's data for a written
request with its reason, sees the views that export made in the access log, and erases a
person for a written request. Every page has no WCAG 2.1 A/AA violation in either language;
nobody else gets into the admin's pages."""

from __future__ import annotations

import json
import re
import uuid

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
    switch_language,
)
from tests.integration.booking.booking_support import org_number
from tests.support import eventually

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "demo-admin"
TEXTS = {
    "nb": {
        "name": "Navn",
        "email": "E-postadresse",
        "save": "Lagre profilen",
        "saved": "Profilen din er lagret",
        "data": "Se hva vi lagrer om deg",
        "data_h1": "Hva vi lagrer om deg",
        "erase_link": "Slett meg fra Samspill",
        "erase_h1": "Slett meg",
        "erase": "Slett meg",
        "confirm": "Jeg forstår at dataene mine slettes",
        "tick": "Kryss av i boksen for å bekrefte",
        "refused": "Du kan ikke slettes ennå",
        "last_admin": "siste administratoren",
        "erased_h1": "Du er slettet",
        "sent": "En bekreftelse er sendt til deg",
        "log_in": "Logg inn",
        "log_h1": "Tilgangslogg",
        "request_h1": "Begjæring om innsyn",
        "person": "Personens id",
        "reason": "Begrunnelse",
        "download": "Last ned personens data",
        "reason_missing": "Skriv hvorfor",
        "show": "Vis",
        "erasure_h1": "Begjæring om sletting",
        "erase_person": "Slett personen",
        "erase_confirm": "Jeg har kontrollert begjæringen",
        "person_erased": "Personens data er slettet i alle tjenester",
        "not_admin": "Bare kommunens administratorer",
    },
    "en": {
        "name": "Name",
        "email": "Email address",
        "save": "Save profile",
        "saved": "Your profile is saved",
        "data": "See what we store about you",
        "data_h1": "What we store about you",
        "erase_link": "Erase me from Samspill",
        "erase_h1": "Erase me",
        "erase": "Erase me",
        "confirm": "I understand that my data is erased",
        "tick": "Tick the box to confirm",
        "refused": "You cannot be erased yet",
        "last_admin": "last administrator",
        "erased_h1": "You are erased",
        "sent": "A confirmation has been sent to you",
        "log_in": "Log in",
        "log_h1": "Access log",
        "request_h1": "Request for data",
        "person": "The person's id",
        "reason": "Reason for the request",
        "download": "Download the person's data",
        "reason_missing": "Write why",
        "show": "Show",
        "erasure_h1": "Request for erasure",
        "erase_person": "Erase the person",
        "erase_confirm": "I have checked the request",
        "person_erased": "The person's data is erased in every service",
        "not_admin": "Only the municipality's administrators",
    },
}


async def person_with_profile(
    browser: Browser, portal: PortalStack, language: str, name: str, email: str
) -> tuple[Page, str]:
    """A new person logged in with a saved profile, on My page; and their id."""
    t = TEXTS[language]
    page = await portal.new_page(browser, language=language)
    await log_in(page, portal, someone("privacy"), next_path="/min-side")
    await page.get_by_label(t["name"]).fill(name)
    await page.get_by_label(t["email"]).fill(email)
    await page.get_by_role("button", name=t["save"]).click()
    await expect(page.get_by_role("status").first).to_contain_text(t["saved"])
    found = re.search(r"[0-9a-f-]{36}", await page.locator("#person-id").inner_text())
    assert found is not None
    return page, found.group(0)


async def register_club(page: Page, portal: PortalStack, name: str, email: str) -> None:
    await page.goto(portal.url + "/lag/ny")
    await page.locator("#lag-name").fill(name)
    await page.locator("#lag-org_number").fill(org_number(uuid.uuid4().int % 10_000_000))
    await page.locator("#lag-category").select_option("sports")
    await page.locator("#lag-contact_email").fill(email)
    await page.locator("form[action='/lag/ny'] button[type=submit]").click()
    await expect(page.locator("h1")).to_have_text(name)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_person_downloads_their_data_and_asks_to_be_erased(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    t = TEXTS[language]
    tag = uuid.uuid4().hex[:6]
    name, email = f"Kari Personvern {tag}", f"kari-{tag}@example.no"
    page, person_id = await person_with_profile(browser, portal, language, name, email)

    # What each service holds, readable, and all of it as one file.
    await page.get_by_role("link", name=t["data"]).click()
    await expect(page.locator("h1")).to_have_text(t["data_h1"])
    await expect(page.locator("main")).to_contain_text(person_id)
    await page.locator("details summary").first.click()
    await expect(page.locator("main")).to_contain_text(email)
    await assert_accessible(page)
    await screenshots(page, f"privacy-my-data-{language}")
    download = await page.request.get(portal.url + "/min-side/data.json")
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment")
    text = await download.text()
    assert name in text
    assert email in text
    stored = json.loads(text)
    assert stored["person_id"] == person_id
    assert set(stored["services"]) == {"booking", "facilities", "notifications"}
    profile = stored["services"]["booking"]["sections"]["profile"][0]
    assert (profile["display_name"], profile["email"]) == (name, email)
    session = stored["portal_session"]
    assert session["language"] == language
    assert session["logged_in_at"]
    assert "access_token" not in text

    # The last administrator of a club is refused, with the way out: the club's page.
    club = f"Personvern IL {tag}"
    await register_club(page, portal, club, email)
    await page.goto(portal.url + "/min-side")
    await page.get_by_role("link", name=t["erase_link"]).click()
    await expect(page.locator("h1")).to_have_text(t["erase_h1"])
    await assert_accessible(page)
    await screenshots(page, f"privacy-erase-{language}")
    await page.get_by_role("button", name=t["erase"], exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text(t["tick"])
    await expect(page.get_by_label(t["confirm"])).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page)
    await page.get_by_label(t["confirm"]).check()
    await page.get_by_role("button", name=t["erase"], exact=True).click()
    refusal = page.locator("#avslag")
    await expect(refusal).to_contain_text(t["refused"])
    await expect(refusal).to_contain_text(t["last_admin"])
    await expect(refusal.get_by_role("link", name=club)).to_be_visible()
    await assert_accessible(page)
    await screenshots(page, f"privacy-erase-refused-{language}")
    # Nothing was erased: the person is still logged in with their profile.
    again = json.loads(await (await page.request.get(portal.url + "/min-side/data.json")).text())
    assert again["services"]["booking"]["sections"]["profile"][0]["email"] == email
    await page.context.close()

    # A person who administers no club is erased, logged out and told so.
    other_email = f"ola-{tag}@example.no"
    other, _other_id = await person_with_profile(
        browser, portal, language, f"Ola Personvern {tag}", other_email
    )
    await other.goto(portal.url + "/min-side/slett")
    await other.get_by_label(t["confirm"]).check()
    await other.get_by_role("button", name=t["erase"], exact=True).click()
    await expect(other.locator("h1")).to_have_text(t["erased_h1"])
    await expect(other.get_by_role("status")).to_contain_text(t["sent"])
    await expect(other.get_by_role("link", name=t["log_in"])).to_be_visible()
    await assert_accessible(other)
    await screenshots(other, f"privacy-erased-{language}")
    after = await other.request.get(portal.url + "/min-side/data.json", max_redirects=0)
    assert after.status == 303  # logged out: the file asks for a login first

    # Notifications confirms the erasure to the address it had.
    async def confirmed() -> bool:
        return bool(portal.mailbox.to(other_email))

    await eventually(confirmed, timeout=60, interval=1)
    await other.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_admin_exports_a_person_for_a_request_and_sees_the_access_log(
    browser: Browser, portal: PortalStack, language: str
) -> None:
    t = TEXTS[language]
    tag = uuid.uuid4().hex[:6]
    name, email = f"Per Innsyn {tag}", f"per-{tag}@example.no"
    person, person_id = await person_with_profile(browser, portal, language, name, email)

    # Nobody but an admin gets in.
    await person.goto(portal.url + "/admin/personvern/tilgangslogg")
    await expect(person.locator("main")).to_contain_text(t["not_admin"])
    await person.context.close()

    admin = await (await new_context(browser)).new_page()
    await log_in(admin, portal, ADMIN, next_path="/drift")
    await switch_language(admin, language)
    await admin.get_by_role("link", name=re.compile(t["log_h1"], re.IGNORECASE)).click()
    await expect(admin.locator("h1")).to_have_text(t["log_h1"])
    await assert_accessible(admin)

    # A written request: the reason is required, then the file holds the person's data.
    await admin.get_by_role("link", name=t["request_h1"]).click()
    await expect(admin.locator("h1")).to_have_text(t["request_h1"])
    await assert_accessible(admin)
    await admin.get_by_label(t["person"]).fill(person_id)
    await admin.get_by_role("button", name=t["download"]).click()
    await expect(admin.get_by_role("alert")).to_contain_text(t["reason_missing"])
    await expect(admin.get_by_label(t["person"])).to_have_value(person_id)
    await assert_accessible(admin)
    reason = f"Brev 3. mai, sak 24/{tag}"
    await admin.get_by_label(t["reason"]).fill(reason)
    async with admin.expect_download() as started:
        await admin.get_by_role("button", name=t["download"]).click()
    saved = await (await started.value).path()
    text = saved.read_text(encoding="utf-8")
    assert name in text
    assert email in text
    exported = json.loads(text)
    assert (exported["person_id"], exported["reason"]) == (person_id, reason)
    assert set(exported["services"]) == {"booking", "facilities", "notifications"}

    # The export is in the access log: when, who, what, why, which service.
    await admin.goto(portal.url + "/admin/personvern/tilgangslogg")
    await admin.get_by_label(t["person"]).fill(person_id)
    await admin.get_by_role("button", name=t["show"], exact=True).click()
    rows = admin.locator("tbody tr").filter(has_text=reason)
    await expect(rows.first).to_be_visible()
    assert await rows.count() >= 2  # booking and notifications at least
    await assert_accessible(admin)
    await screenshots(admin, f"privacy-access-log-{language}")

    # A written request for erasure: the confirmation is required, then the person is erased.
    await admin.get_by_role("link", name=t["erasure_h1"]).click()
    await expect(admin.locator("h1")).to_have_text(t["erasure_h1"])
    await assert_accessible(admin)
    await admin.get_by_label(t["person"]).fill(person_id)
    await admin.get_by_label(t["reason"]).fill(reason)
    await admin.get_by_role("button", name=t["erase_person"]).click()
    await expect(admin.get_by_role("alert")).to_contain_text(t["tick"])
    await expect(admin.get_by_label(t["reason"])).to_have_value(reason)
    await assert_accessible(admin)
    await admin.get_by_label(t["erase_confirm"]).check()
    await admin.get_by_role("button", name=t["erase_person"]).click()
    await expect(admin.get_by_role("status")).to_contain_text(t["person_erased"])
    await assert_accessible(admin)
    await admin.context.close()
