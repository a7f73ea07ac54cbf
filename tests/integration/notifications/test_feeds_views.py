"""What the feeds show a user: a divisible hall with its parts, a series' SEQUENCE, a returned
loan, and a resident's booking that stays private. Events go through the broker to the running
service; feeds are read over its HTTP API (so the Redis cache is in the path)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from notifications.domain.entries import booking_uid, series_uid
from notifications.feeds.queries import FeedCache, FeedKey, FeedKind
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import EventData
from tests.dates import ordinary_day, weekly_dates
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    School,
    booking_state,
    changed,
    loan_state,
    oslo,
    publish,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

BASE_URL = "https://samspill.lillestrom.kommune.no"
THIRDS = ("Tredjedel A", "Tredjedel B", "Tredjedel C")


@pytest.fixture
async def service(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "notifications",
        database_url=await database_factory("notif_views"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        public_base_url=BASE_URL,
        delivery_retry_base_s=3600,
    )
    async with running_service("notifications", settings) as running:
        yield running


class DividedHall:
    """A school whose big hall (Storhallen) is divided into three thirds, as facilities
    publishes it: each third conflicts with the whole, the whole with every third."""

    def __init__(self) -> None:
        self.school = School(name="Kjeller skole")
        self.hall_id = self.school.hall_id
        self.third_ids = [uuid.uuid4() for _ in THIRDS]

    def space(self, space_id: uuid.UUID, name: str, conflicts: list[uuid.UUID]) -> fa.SpaceState:
        base = self.school.space(space_id, name)
        return base.model_copy(update={"conflicts_with": conflicts})

    def events(self) -> list[tuple[EventData, str]]:
        spaces = [
            self.space(self.hall_id, "Storhallen", self.third_ids),
            *(
                self.space(third, name, [self.hall_id])
                for third, name in zip(self.third_ids, THIRDS, strict=True)
            ),
        ]
        return [
            (fa.SiteRegistered(site=self.school.site()), str(self.school.site_id)),
            *((fa.SpaceRegistered(space=s), str(s.space_id)) for s in spaces),
        ]

    def booking(
        self, club: Club, space_id: uuid.UUID, day: date, hour: int, **extra: object
    ) -> bk.BookingState:
        state = booking_state(
            self.school, club, oslo(day, hour), oslo(day, hour + 2), space_id=space_id
        )
        name = "Storhallen" if space_id == self.hall_id else THIRDS[self.third_ids.index(space_id)]
        return state.model_copy(update={"space_name": name, **extra})


def confirmed(state: bk.BookingState) -> tuple[EventData, str]:
    return bk.BookingConfirmed(booking=state), str(state.space_id)


async def feed_of(service: RunningService, path: str) -> bytes:
    response = await service.client.get(path)
    assert response.status_code == 200, response.text
    return response.content


async def containing(service: RunningService, path: str, *texts: str) -> bytes | None:
    response = await service.client.get(path)
    body = response.content
    if response.status_code != 200 or not all(text.encode() in body for text in texts):
        return None
    return body


def events_by_uid(body: bytes) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        if "RECURRENCE-ID" in event:
            continue
        found[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]),
            "status": str(event["STATUS"]),
            "sequence": str(event["SEQUENCE"]),
            "start": event.DTSTART.isoformat(),
            "description": str(event.get("DESCRIPTION", "")),
        }
    return found


async def test_a_whole_hall_feed_shows_its_parts_and_a_part_shows_the_whole(
    service: RunningService, isolated_kafka
):
    hall, club = DividedHall(), Club()
    evening = ordinary_day(7, weekday=1)
    other_evening = evening + timedelta(days=1)
    thirds = [hall.booking(club, third, evening, 18) for third in hall.third_ids]
    whole = hall.booking(club, hall.hall_id, other_evening, 19)
    await publish(isolated_kafka, *hall.events(), club.registered())
    hall_path = f"/feeds/spaces/{hall.hall_id}.ics"
    part_a_path = f"/feeds/spaces/{hall.third_ids[0]}.ics"
    part_b_path = f"/feeds/spaces/{hall.third_ids[1]}.ics"
    # Read (and cache) the feeds before the bookings arrive: the parts' events must reach the
    # whole hall's cached feed, and the whole hall's event every part's.
    for path in (hall_path, part_a_path, part_b_path):
        await eventually(lambda path=path: containing(service, path, "BEGIN:VCALENDAR"))

    await publish(isolated_kafka, *(confirmed(b) for b in thirds), confirmed(whole))

    uids = [booking_uid(b.booking_id) for b in [*thirds, whole]]
    body = await eventually(lambda: containing(service, hall_path, *uids), timeout=20)
    shown = events_by_uid(body)
    for state, name in zip(thirds, THIRDS, strict=True):
        event = shown[booking_uid(state.booking_id)]
        assert event["summary"] == f"{name}: {club.name} – håndball G12", event
        assert event["status"] == "CONFIRMED"
    assert shown[booking_uid(whole.booking_id)]["summary"] == f"{club.name} – håndball G12"

    part_a = await eventually(
        lambda: containing(service, part_a_path, booking_uid(whole.booking_id)), timeout=20
    )
    in_a = events_by_uid(part_a)
    assert in_a[booking_uid(whole.booking_id)]["summary"] == (
        f"Storhallen: {club.name} – håndball G12"
    )
    assert in_a[booking_uid(thirds[0].booking_id)]["summary"] == f"{club.name} – håndball G12"
    assert booking_uid(thirds[1].booking_id) not in in_a, "sibling thirds do not conflict"
    in_b = events_by_uid(await feed_of(service, part_b_path))
    assert set(in_b) == {booking_uid(thirds[1].booking_id), booking_uid(whole.booking_id)}

    # Same data, same bytes (also rendered afresh), and a change reaches the whole hall.
    assert await feed_of(service, hall_path) == body
    await FeedCache(service.app.state.redis, 300).invalidate(
        [FeedKey(FeedKind.SPACE, str(hall.hall_id))]
    )
    assert await feed_of(service, hall_path) == body
    cancelled = changed(thirds[2], status="cancelled")
    await publish(
        isolated_kafka,
        (bk.BookingCancelled(booking=cancelled, reason="by_manager"), str(cancelled.space_id)),
    )
    after = await eventually(lambda: containing(service, hall_path, "STATUS:CANCELLED"), timeout=20)
    assert events_by_uid(after)[booking_uid(thirds[2].booking_id)]["status"] == "CANCELLED"


def series_of(
    hall: DividedHall, club: Club, first: date, weeks: int
) -> tuple[list[bk.BookingState], bk.SeriesCreated]:
    series_id = uuid.uuid4()
    states = [
        hall.booking(club, hall.third_ids[0], first + timedelta(weeks=n), 18, series_id=series_id)
        for n in range(weeks)
    ]
    created = bk.SeriesCreated(
        series=bk.SeriesState(
            series_id=series_id,
            space_id=hall.third_ids[0],
            space_name=THIRDS[0],
            site_id=hall.school.site_id,
            site_name=hall.school.name,
            organisation_id=club.organisation_id,
            organisation_name=club.name,
            activity="håndball G12",
            weekday=first.weekday(),
            local_start_time="18:00",
            local_end_time="20:00",
            first_date=first,
            last_date=first + timedelta(weeks=weeks - 1),
            booking_ids=[s.booking_id for s in states],
            skipped=[],
            created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
        )
    )
    return states, created


async def test_a_new_series_starts_at_sequence_0_and_rises_by_one_per_change(
    service: RunningService, isolated_kafka
):
    hall, club = DividedHall(), Club()
    first = weekly_dates(9, 7, weekday=2)[0]
    states, created = series_of(hall, club, first, weeks=9)
    await publish(isolated_kafka, *hall.events(), club.registered())
    await publish(
        isolated_kafka, *(confirmed(s) for s in states), (created, str(states[0].space_id))
    )
    path = f"/feeds/spaces/{hall.third_ids[0]}.ics"
    uid = series_uid(created.series.series_id)
    body = await eventually(lambda: containing(service, path, uid, "RRULE"), timeout=20)
    assert events_by_uid(body)[uid]["sequence"] == "0"

    await publish(
        isolated_kafka,
        (
            bk.BookingCancelled(
                booking=changed(states[3], status="cancelled"), reason="by_manager"
            ),
            str(states[3].space_id),
        ),
    )
    body = await eventually(lambda: containing(service, path, "STATUS:CANCELLED"), timeout=20)
    assert events_by_uid(body)[uid]["sequence"] == "1"
    overrides = [e for e in Calendar.from_ical(body).walk("VEVENT") if "RECURRENCE-ID" in e]
    assert [str(e["SEQUENCE"]) for e in overrides] == ["1"]

    moved = changed(
        states[5],
        start=states[5].start + timedelta(hours=1),
        end=states[5].end + timedelta(hours=1),
    )
    await publish(isolated_kafka, confirmed(moved))
    body = await eventually(lambda: containing(service, path, "SEQUENCE:2"), timeout=20)
    assert events_by_uid(body)[uid]["sequence"] == "2"


async def test_a_returned_loan_is_shown_as_done(service: RunningService, isolated_kafka):
    resident = service.person_id("resident-77")
    issued = await service.client.post(
        "/feed-tokens", json={"kind": "loans"}, headers=service.token("resident-77")
    )
    assert issued.status_code == 201, issued.text
    path = issued.json()["url"].removeprefix(BASE_URL)
    pickup = ordinary_day(7, weekday=0)
    loan = loan_state(resident, pickup, pickup + timedelta(days=4))
    pickup_uid = f"loan-{loan.loan_id}-pickup@samspill.no"
    return_uid = f"loan-{loan.loan_id}-return@samspill.no"
    await publish(isolated_kafka, (bk.LoanReserved(loan=loan), str(loan.centre_id)))
    reserved = events_by_uid(
        await eventually(lambda: containing(service, path, return_uid), timeout=20)
    )
    assert reserved[return_uid]["summary"] == "Lever utstyr / return: Langrennski 130 cm ×2"

    picked = loan.model_copy(update={"status": "picked_up", "version": 2})
    # Returned a day early: the return is done and no longer a task on the planned day.
    returned_at = datetime.combine(pickup + timedelta(days=3), datetime.min.time(), OSLO)
    returned = loan.model_copy(
        update={"status": "returned", "version": 3, "updated_at": returned_at.replace(hour=15)}
    )
    await publish(
        isolated_kafka,
        (bk.LoanPickedUp(loan=picked), str(loan.centre_id)),
        (bk.LoanReturned(loan=returned), str(loan.centre_id)),
    )
    body = await eventually(lambda: containing(service, path, "SEQUENCE:3"), timeout=20)
    shown = events_by_uid(body)
    assert shown[pickup_uid]["summary"] == "Hentet / picked up: Langrennski 130 cm ×2"
    assert shown[return_uid]["summary"] == "Levert / returned: Langrennski 130 cm ×2"
    assert shown[return_uid]["start"] == (pickup + timedelta(days=3)).isoformat()
    # RFC 5545 gives a VEVENT no "completed" status: what took place stays CONFIRMED, and
    # CANCELLED is kept for loans that did not happen.
    assert {e["status"] for e in shown.values()} == {"CONFIRMED"}
    assert b"Lever utstyr" not in body


async def test_a_residents_activity_is_not_published(service: RunningService, isolated_kafka):
    hall, club = DividedHall(), Club()
    day = ordinary_day(7, weekday=3)
    private = hall.booking(
        club,
        hall.third_ids[1],
        day,
        18,
        organisation_name="Privatperson",
        organisation_id=uuid.uuid4(),
        activity="Bursdagsselskap for Ola Nordmann (8 år)",
        audience="private",
        by_resident=True,
    )
    public = hall.booking(club, hall.third_ids[2], day, 18)
    await publish(isolated_kafka, *hall.events(), club.registered())
    await publish(isolated_kafka, confirmed(private), confirmed(public))
    space_path = f"/feeds/spaces/{hall.third_ids[1]}.ics"
    hall_path = f"/feeds/spaces/{hall.hall_id}.ics"
    site_path = f"/feeds/sites/{hall.school.site_id}.ics"
    uids = (booking_uid(private.booking_id), booking_uid(public.booking_id))
    for path in (site_path, hall_path):
        body = await eventually(lambda path=path: containing(service, path, *uids), timeout=20)
        assert b"Bursdag" not in body
        assert b"Ola" not in body
        assert "håndball G12".encode() in body, "an organisation's activity stays public"
    body = await eventually(lambda: containing(service, space_path, uids[0]), timeout=20)
    event = events_by_uid(body)[uids[0]]
    assert event["summary"] == "Privat booking / private booking"
    assert "Bursdag" not in event["description"]
