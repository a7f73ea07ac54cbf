"""Feeds built from events only: public and private feeds, three parsers, tokens (an
organisation's for as long as its owner is a member), caching, 304, and a rebuild from the
topics that renders the same bytes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from notifications.domain.entries import booking_uid
from notifications.feeds.queries import FeedKey, FeedKind, build_feed
from notifications.readmodel.use_cases import rebuild_read_model
from samspill.events import booking as bk
from samspill.events.base import EventData
from tests.dates import next_clock_change, ordinary_day
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    School,
    booking_state,
    changed,
    grants_of,
    loan_state,
    member_of,
    membership,
    oslo,
    publish,
)
from tests.integration.notifications.calendars import (
    by_ical_js,
    by_icalendar,
    by_recurring_ical_events,
    expected,
    ical_js_available,
    ical_js_occurrences,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

BASE_URL = "https://samspill.lillestrom.kommune.no"


def next_switches() -> tuple[date, date]:
    """The next spring switch and the autumn switch after it."""
    spring = next_clock_change(1, spring=True)
    return spring, next_clock_change(spring=False, start=spring)


def season(school: School, club: Club, spring: date, autumn: date) -> list[bk.BookingState]:
    """Tuesdays 18–20 from three weeks before the spring switch to three after the autumn one,
    with one date skipped at creation, one evening cancelled and one moved an hour."""
    series_id = uuid.uuid4()
    first = spring - timedelta(days=(spring.weekday() - 1) % 7 + 21)
    days = []
    day = first
    while day <= autumn + timedelta(weeks=3):
        days.append(day)
        day += timedelta(weeks=1)
    skipped = days[2]
    states = []
    for number, day in enumerate(days):
        if day == skipped:
            continue
        state = booking_state(school, club, oslo(day, 18), oslo(day, 20), series_id=series_id)
        if number == 5:
            state = changed(state, status="cancelled")
        if number == len(days) - 2:
            state = changed(state, start=oslo(day, 19), end=oslo(day, 21))
        states.append(state)
    return states


def series_event(states: list[bk.BookingState], skipped: date) -> bk.SeriesCreated:
    first = min(s.start for s in states).astimezone(OSLO).date()
    last = max(s.start for s in states).astimezone(OSLO).date()
    sample = states[0]
    assert sample.series_id is not None
    return bk.SeriesCreated(
        series=bk.SeriesState(
            series_id=sample.series_id,
            space_id=sample.space_id,
            space_name=sample.space_name,
            site_id=sample.site_id,
            site_name=sample.site_name,
            organisation_id=sample.organisation_id,
            organisation_name=sample.organisation_name,
            activity=sample.activity,
            weekday=1,
            local_start_time="18:00",
            local_end_time="20:00",
            first_date=first,
            last_date=last,
            booking_ids=[s.booking_id for s in states],
            skipped=[bk.SkippedOccurrence(date=skipped, reason="holiday", detail="Påske")],
            created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
        )
    )


def booking_event(state: bk.BookingState) -> tuple[EventData, str]:
    events: dict[str, EventData] = {
        "confirmed": bk.BookingConfirmed(booking=state),
        "requested": bk.BookingRequested(booking=state),
        "cancelled": bk.BookingCancelled(booking=state, reason="by_manager"),
    }
    return events[state.status], str(state.space_id)


async def fetch(service: RunningService, path: str, **headers: str) -> tuple[int, bytes, dict]:
    response = await service.client.get(path, headers=headers)
    return response.status_code, response.content, dict(response.headers)


async def feed_contains(service: RunningService, path: str, text: str) -> bytes | None:
    status, body, _ = await fetch(service, path)
    return body if status == 200 and text.encode() in body else None


async def cancelled_in(service: RunningService, path: str, uid: str) -> bytes | None:
    """The feed once the event `uid` in it is cancelled (the series has cancelled ones too)."""
    status, body, _ = await fetch(service, path)
    if status != 200:
        return None
    events = [e for e in by_icalendar(body).walk("VEVENT") if str(e["UID"]) == uid]
    cancelled = [e for e in events if str(e["STATUS"]) == "CANCELLED" and int(e["SEQUENCE"]) == 2]
    return body if cancelled else None


async def test_notifications_feeds_from_events(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_feeds"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        public_base_url=BASE_URL,
        delivery_retry_base_s=3600,
    )
    school, club = School(), Club()
    today = datetime.now(OSLO).date()
    spring, autumn = next_switches()
    states = season(school, club, spring, autumn)
    dates = sorted({s.start.astimezone(OSLO).date() for s in states})
    gap = next(a + timedelta(weeks=1) for a, b in pairwise(dates) if b - a > timedelta(7))
    # A Saturday-night booking across the spring switch: 23:00 CET to 03:30 CEST.
    switch_night = booking_state(
        school,
        club,
        oslo(spring - timedelta(days=1), 23),
        oslo(spring, 3, 30),
        space_id=school.hall_id,
    )
    tuesday = ordinary_day(7, weekday=1)
    single = booking_state(school, club, oslo(tuesday, 20), oslo(tuesday, 22))

    async with running_service("notifications", settings) as service:
        await publish(
            isolated_kafka,
            *school.registration(today, autumn + timedelta(weeks=8)),
            club.registered(),
            *(booking_event(s) for s in states),
            (series_event(states, gap), str(school.gym_id)),
            booking_event(switch_night),
            booking_event(single),
        )
        space_path = f"/feeds/spaces/{school.gym_id}.ics"
        site_path = f"/feeds/sites/{school.site_id}.ics"
        body = await eventually(
            lambda: feed_contains(service, space_path, booking_uid(single.booking_id))
        )
        all_bookings = [*states, switch_night, single]
        site_body = await eventually(
            lambda: feed_contains(service, site_path, booking_uid(switch_night.booking_id))
        )
        await _check_parsers(body, [*states, single])
        await _check_parsers(site_body, all_bookings)
        _check_public(site_body, club)
        await _check_http_caching(service, space_path)

        # A change reaches the (cached) feed, with a higher SEQUENCE.
        cancelled = changed(single, status="cancelled")
        await publish(isolated_kafka, booking_event(cancelled))
        body = await eventually(
            lambda: cancelled_in(service, space_path, booking_uid(single.booking_id))
        )
        await _check_parsers(body, [*states, cancelled])

        org_feed = await _check_tokens(service, isolated_kafka, club)
        await _check_parsers(org_feed, [*states, switch_night, cancelled])
        await _check_removal_closes_the_feed(service, isolated_kafka, club)
        await _check_loans_feed(service, isolated_kafka)
        await _check_rebuild(service, school, club)


async def _check_parsers(body: bytes, bookings: list[bk.BookingState]) -> None:
    calendar = by_icalendar(body)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    series_masters = [e for e in calendar.walk("VEVENT") if "RRULE" in e]
    assert len(series_masters) == 1
    assert "EXDATE" in series_masters[0]
    assert by_recurring_ical_events(body) == expected(bookings)
    if ical_js_available():
        assert ical_js_occurrences(by_ical_js(body)) == expected(bookings)


def _check_public(body: bytes, club: Club) -> None:
    text = body.decode()
    assert club.name in text
    for private in (club.email, club.phone, club.contact_name, "Deltakere"):
        assert private not in text


async def _check_http_caching(service: RunningService, path: str) -> None:
    status, body, headers = await fetch(service, path)
    assert status == 200
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    etag, last_modified = headers["etag"], headers["last-modified"]
    assert etag.startswith('"'), "a strong ETag"
    assert (await fetch(service, path))[1] == body, "same data, same bytes"
    assert (await fetch(service, path, **{"If-None-Match": etag}))[0] == 304
    assert (await fetch(service, path, **{"If-None-Match": '"other", ' + etag}))[0] == 304
    assert (await fetch(service, path, **{"If-Modified-Since": last_modified}))[0] == 304
    assert (await fetch(service, path, **{"If-None-Match": '"stale"'}))[0] == 200
    head = await service.client.head(path)
    assert head.status_code == 200
    assert head.headers["etag"] == etag
    missing = await service.client.get(f"/feeds/spaces/{uuid.uuid4()}.ics")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert (await service.client.get("/feeds/spaces/not-a-uuid.ics")).status_code == 422


async def _check_tokens(service: RunningService, kafka, club: Club) -> bytes:
    member = await member_of(service, kafka, "member-1", club.organisation_id, "viewer")
    stranger = await member_of(service, kafka, "member-2", uuid.uuid4())
    request = {"kind": "organisation", "organisation_id": str(club.organisation_id)}
    refused = await service.client.post("/feed-tokens", json=request, headers=stranger)
    assert refused.status_code == 404
    issued = await service.client.post("/feed-tokens", json=request, headers=member)
    assert issued.status_code == 201, issued.text
    token = issued.json()
    assert len(token["url"]) < 256
    assert token["url"] == f"{BASE_URL}/feeds/organisations/{token['token']}.ics"
    path = token["url"].removeprefix(BASE_URL)
    status, body, headers = await fetch(service, path)
    assert status == 200
    assert headers["cache-control"].startswith("private")
    descriptions = [str(e.get("DESCRIPTION")) for e in by_icalendar(body).walk("VEVENT")]
    assert all("Deltakere / participants: 18" in d for d in descriptions)
    assert club.email.encode() not in body
    listed = (await service.client.get("/feed-tokens", headers=member)).json()
    assert [t["id"] for t in listed] == [token["id"]]
    assert "token" not in listed[0]
    assert (await service.client.get("/feed-tokens", headers=stranger)).json() == []
    loans_path = f"/feeds/loans/{token['token']}.ics"
    assert (await fetch(service, loans_path))[0] == 404, "an organisation token is no loans token"
    assert (await fetch(service, f"/feeds/organisations/{'x' * 43}.ics"))[0] == 404
    revoke = f"/feed-tokens/{token['id']}"
    assert (await service.client.delete(revoke, headers=stranger)).status_code == 404
    assert (await service.client.delete(revoke, headers=member)).status_code == 204
    assert (await fetch(service, path))[0] == 404
    return body


async def _check_removal_closes_the_feed(service: RunningService, kafka, club: Club) -> None:
    """A member removed from the organisation loses its private feed as soon as booking's event
    is applied: the same feed token and the same bearer token are refused from then on."""
    member = await member_of(service, kafka, "member-3", club.organisation_id, "booker")
    request = {"kind": "organisation", "organisation_id": str(club.organisation_id)}
    issued = await service.client.post("/feed-tokens", json=request, headers=member)
    assert issued.status_code == 201, issued.text
    path = issued.json()["url"].removeprefix(BASE_URL)
    assert (await fetch(service, path))[0] == 200
    admin = service.token("admin-1", admin=True)
    by_admin = await service.client.post("/feed-tokens", json=request, headers=admin)
    assert by_admin.status_code == 201, "an admin reaches every organisation"
    admin_path = by_admin.json()["url"].removeprefix(BASE_URL)

    await publish(kafka, membership_ended(service, "member-3", club))
    await eventually(lambda: _no_longer_member(service, "member-3", club))
    assert (await fetch(service, path))[0] == 404, "refused at once, same feed token"
    again = await service.client.post("/feed-tokens", json=request, headers=member)
    assert again.status_code == 404, "refused at once, same bearer token"
    choice = {"channel": "sms", "language": "en"}
    preference = f"/preferences/organisation/{club.organisation_id}"
    assert (await service.client.put(preference, json=choice, headers=member)).status_code == 404
    assert (await fetch(service, admin_path))[0] == 200, "the admin's token needs no membership"
    revoke = f"/feed-tokens/{by_admin.json()['id']}"
    assert (await service.client.delete(revoke, headers=admin)).status_code == 204
    assert (await fetch(service, admin_path))[0] == 404


def membership_ended(service: RunningService, sub: str, club: Club):
    return membership(club.organisation_id, service.person_id(sub), None)


async def _no_longer_member(service: RunningService, sub: str, club: Club) -> bool:
    return str(club.organisation_id) not in (await grants_of(service, sub)).organisations


async def _check_loans_feed(service: RunningService, kafka) -> None:
    resident = service.token("resident-42")
    issued = await service.client.post("/feed-tokens", json={"kind": "loans"}, headers=resident)
    assert issued.status_code == 201, issued.text
    path = issued.json()["url"].removeprefix(BASE_URL)
    pickup = datetime.now(OSLO).date() + timedelta(days=10)
    loan = loan_state(service.person_id("resident-42"), pickup, pickup + timedelta(days=7))
    await publish(kafka, (bk.LoanReserved(loan=loan), str(loan.centre_id)))
    body = await eventually(lambda: feed_contains(service, path, str(loan.loan_id)))
    events = {str(e["UID"]): e for e in by_icalendar(body).walk("VEVENT")}
    pickup_event = events[f"loan-{loan.loan_id}-pickup@samspill.no"]
    return_event = events[f"loan-{loan.loan_id}-return@samspill.no"]
    assert pickup == pickup_event.DTSTART
    assert loan.return_date == return_event.DTSTART
    assert loan.return_date + timedelta(days=1) == return_event.DTEND
    assert "Langrennski 130 cm ×2" in str(pickup_event["SUMMARY"])
    robot = service.token("calendar-robot", scopes=["samspill.read"])
    refused = await service.client.post("/feed-tokens", json={"kind": "loans"}, headers=robot)
    assert refused.status_code == 422, "a service account is no resident"


async def _check_rebuild(service: RunningService, school: School, club: Club) -> None:
    runtime = service.app.state.runtime
    now = datetime.now(UTC)
    keys = [
        FeedKey(FeedKind.SPACE, str(school.gym_id)),
        FeedKey(FeedKind.SITE, str(school.site_id)),
        FeedKey(FeedKind.ORGANISATION, str(club.organisation_id)),
        FeedKey(FeedKind.LOANS, service.person_id("resident-42")),
    ]

    async def render_all() -> list[bytes]:
        async with runtime.sessions() as session:
            feeds = [await build_feed(session, key, base_url=BASE_URL, now=now) for key in keys]
        return [feed.body for feed in feeds if feed is not None]

    before = await render_all()
    assert len(before) == 4
    replayed = await rebuild_read_model(runtime.sessions, runtime.kafka)
    assert replayed > 40
    assert await render_all() == before
