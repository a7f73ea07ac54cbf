"""A seasonal round's events in notifications, published as booking publishes them: one result
message per applicant (also when redelivered), one message per open waiting-list offer, no
per-series confirmation for the series a round made (their reminders stay), a team's name
beside its club in the feeds, and round changes accepted without a message.

Nothing here depends on the calendar: notifications opens no windows and closes nothing on
holidays, and 18:00 exists on every Oslo date.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text

from notifications.messages.tables import Message
from notifications.readmodel.tables import BookingRecord
from samspill.events import booking as bk
from samspill.events.base import Envelope
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    Mailbox,
    School,
    booking_state,
    oslo,
    publish,
    smtp_server,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

PORTAL = "https://samspill.lillestrom.kommune.no"


async def rows(service: RunningService, **where: str) -> list[Message]:
    async with service.app.state.runtime.sessions() as session:
        statement = select(Message).order_by(Message.created_at)
        for name, value in where.items():
            statement = statement.where(getattr(Message, name) == value)
        return list((await session.execute(statement)).scalars())


async def applied(service: RunningService) -> int:
    async with service.app.state.runtime.sessions() as session:
        found = await session.execute(
            text("SELECT count(*) FROM inbox WHERE consumer = 'notifications'")
        )
        return int(found.scalar_one())


async def test_a_rounds_results_offers_and_teams(infra, isolated_kafka, database_factory):
    mailbox = Mailbox()
    async with smtp_server(mailbox) as smtp_port:
        settings = settings_for(
            "notifications",
            database_url=await database_factory("notif_rounds"),
            kafka=isolated_kafka,
            redis_url=infra.redis.url,
            smtp_port=smtp_port,
            portal_url=PORTAL,
            delivery_poll_interval_s=0.05,
            reminder_time=time(0, 0),  # "tomorrow" reminders are due from midnight the day before
        )
        async with running_service("notifications", settings) as service:
            await _scenario(service, isolated_kafka, mailbox)


def round_series(
    school: School, club: Club, round_id: uuid.UUID | None, weeks: int = 3
) -> tuple[list[bk.BookingState], bk.SeriesState]:
    """A weekly series from tomorrow, as publishing a round's allocation makes it."""
    series_id = uuid.uuid4()
    first = datetime.now(OSLO).date() + timedelta(days=1)
    states = [
        booking_state(
            school,
            club,
            oslo(first + timedelta(weeks=n), 18),
            oslo(first + timedelta(weeks=n), 20),
            series_id=series_id,
        )
        for n in range(weeks)
    ]
    series = bk.SeriesState(
        series_id=series_id,
        space_id=school.gym_id,
        space_name="Gymsal",
        site_id=school.site_id,
        site_name=school.name,
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
        round_id=round_id,
    )
    return states, series


def answered(club: Club, round_id: uuid.UUID, series_id: uuid.UUID) -> bk.ApplicationAnswered:
    granted = bk.AllocatedTimeState(
        space_id=uuid.uuid4(),
        space_name="Gymsal",
        site_name="Skjetten skole",
        weekday=1,
        local_start_time="18:00",
        local_end_time="20:00",
        series_id=series_id,
    )
    result = bk.ApplicationResult(
        application_id=uuid.uuid4(),
        round_id=round_id,
        round_name="Hallfordeling 2026/27",
        organisation_id=club.organisation_id,
        organisation_name=club.name,
        outcome="partly",
        season_first_date=datetime.now(OSLO).date() + timedelta(days=1),
        season_last_date=datetime.now(OSLO).date() + timedelta(weeks=40),
        sections=[
            bk.SectionResult(
                section_id=uuid.uuid4(),
                name="G12",
                status="granted",
                granted=[granted],
                explanation="Got its first choice.",
                explanation_nb="Fikk førstevalget.",
            ),
            bk.SectionResult(
                section_id=uuid.uuid4(),
                name="Old boys",
                status="refused",
                granted=[],
                explanation="Tuesday 18–20 went to a youth team with higher priority.",
                explanation_nb="Tirsdag 18–20 gikk til et ungdomslag med høyere prioritet.",
                waiting_position=3,
            ),
        ],
    )
    return bk.ApplicationAnswered(application=result)


def offer(club: Club, round_id: uuid.UUID, status: str, offer_id: uuid.UUID) -> bk.WaitingOfferMade:
    first = datetime.now(OSLO).date() + timedelta(weeks=2)
    state = bk.WaitingOfferState.model_validate(
        {
            "offer_id": offer_id,
            "round_id": round_id,
            "organisation_id": club.organisation_id,
            "organisation_name": club.name,
            "section_name": "Old boys",
            "time": {
                "space_id": uuid.uuid4(),
                "space_name": "Aula",
                "site_name": "Skjetten skole",
                "weekday": 3,
                "local_start_time": "19:00",
                "local_end_time": "20:30",
            },
            "first_date": first,
            "last_date": first + timedelta(weeks=30),
            "expires_at": datetime.now(UTC) + timedelta(days=7),
            "status": status,
        }
    )
    return bk.WaitingOfferMade(offer=state)


async def _scenario(service: RunningService, kafka: Any, mailbox: Mailbox) -> None:
    school, club, other = School(), Club(), Club(name="Kjeller IL", email="post@kjeller-il.no")
    today = datetime.now(OSLO).date()
    round_id = uuid.uuid4()
    await publish(kafka, *school.registration(today, today + timedelta(weeks=8)), club.registered())
    await publish(kafka, other.registered())

    # A round's series: its bookings first, then the series (as booking publishes them); and
    # one whose series event arrives first. Neither is confirmed per series; reminders stay.
    states, series = round_series(school, club, round_id)
    later_states, later = round_series(school, other, round_id, weeks=2)
    ordinary_states, ordinary = round_series(school, other, None, weeks=2)
    changed_round = bk.RoundChanged(
        round=bk.RoundState(
            round_id=round_id,
            name="Hallfordeling 2026/27",
            state="results_sent",
            applications_open=today - timedelta(days=60),
            applications_close=today - timedelta(days=30),
            allocation_until=today - timedelta(days=10),
            results_date=today,
            season_first_date=today + timedelta(days=1),
            season_last_date=today + timedelta(weeks=40),
            space_ids=[school.gym_id],
            weekdays=[0, 1, 2, 3, 4],
            evening_start="17:00",
            evening_end="23:00",
            version=5,
        ),
        previous_state="handled",
    )
    club_answer = answered(club, round_id, series.series_id)
    result = Envelope(data=club_answer, subject=str(club.organisation_id))
    other_result = answered(other, round_id, later.series_id)
    offer_id = uuid.uuid4()
    await publish(
        kafka,
        *((bk.BookingConfirmed(booking=s), str(s.space_id)) for s in states),
        (bk.SeriesCreated(series=series), str(series.space_id)),
        (bk.SeriesCreated(series=later), str(later.space_id)),
        *((bk.BookingConfirmed(booking=s), str(s.space_id)) for s in later_states),
        *((bk.BookingConfirmed(booking=s), str(s.space_id)) for s in ordinary_states),
        (bk.SeriesCreated(series=ordinary), str(ordinary.space_id)),
        (changed_round, str(round_id)),
        result,
        result,  # redelivered: told once
        (other_result, str(other.organisation_id)),
        (offer(other, round_id, "open", offer_id), str(other.organisation_id)),
        (offer(other, round_id, "accepted", offer_id), str(other.organisation_id)),
    )
    # 5 of the school, 2 clubs, 3 + 2 + 2 bookings, 3 series, the round, 2 results (the
    # redelivery is not applied again) and 2 offer events.
    events = 5 + 2 + 7 + 3 + 1 + 2 + 2

    async def all_applied() -> bool:
        return await applied(service) >= events

    await eventually(all_applied, timeout=30)
    club_key, other_key = (
        f"organisation:{club.organisation_id}",
        f"organisation:{other.organisation_id}",
    )

    [told] = await rows(service, kind="round_result", recipient=club_key)
    assert told.aggregate_id == str(club_answer.application.application_id)
    assert "delvis innvilget" in told.body
    assert "G12: innvilget\nTildelt: hver tirsdag 18:00–20:00, Skjetten skole, Gymsal" in told.body
    assert "Begrunnelse: Tirsdag 18–20 gikk til et ungdomslag med høyere prioritet." in told.body
    assert "Plass på ventelisten: 3" in told.body
    assert f"{PORTAL}/lag/{club.organisation_id}" in told.body
    assert len(await rows(service, kind="round_result", recipient=other_key)) == 1
    assert len(await rows(service, kind="round_result")) == 2, "one per applicant"

    [offered] = await rows(service, kind="waiting_offer")
    assert offered.recipient == other_key
    assert "hver torsdag 19:00–20:30, Skjetten skole, Aula" in offered.body
    assert f"{PORTAL}/lag/{other.organisation_id}/tilbud" in offered.body
    assert "Svar innen" in offered.body

    # The round's series are told by the result; the ordinary series is confirmed once.
    confirmations = await rows(service, kind="booking_confirmed")
    assert [m.recipient for m in confirmations] == [other_key]
    assert "ukentlig 2 ganger" in confirmations[0].body
    reminders = await rows(service, kind="reminder_booking_tomorrow")
    assert {m.aggregate_id for m in reminders} >= {str(states[0].booking_id)}

    await eventually(
        lambda: _mail(mailbox, club.email, "er behandlet: delvis innvilget"), timeout=20
    )
    await _team_in_the_feeds(service, kafka, series, states)


async def _team_in_the_feeds(
    service: RunningService, kafka: Any, series: bk.SeriesState, states: list[bk.BookingState]
) -> None:
    path = f"/feeds/spaces/{series.space_id}.ics"
    uid = f"series-{series.series_id}@samspill.no"
    before = _event(await eventually(lambda: _feed(service, path, uid), timeout=20), uid)
    assert str(before["SUMMARY"]) == "Skjetten Håndballklubb – håndball G12"
    handed = bk.SeriesHandedToTeam(series=series.model_copy(update={"team_name": "G12 Lynet"}))
    await publish(kafka, (handed, str(series.space_id)))
    summary = "Skjetten Håndballklubb – G12 Lynet – håndball G12"
    body = await eventually(lambda: _feed(service, path, summary), timeout=20)
    after = _event(body, uid)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    site = await eventually(
        lambda: _feed(service, f"/feeds/sites/{series.site_id}.ics", summary), timeout=20
    )
    assert _event(site, uid)["SUMMARY"] == summary
    async with service.app.state.runtime.sessions() as session:
        names = await session.execute(
            select(BookingRecord.team_name, func.count())
            .where(BookingRecord.series_id == series.series_id)
            .group_by(BookingRecord.team_name)
        )
        assert dict(names.all()) == {"G12 Lynet": len(states)}
    assert (
        len(
            await rows(
                service,
                kind="booking_confirmed",
                recipient=f"organisation:{series.organisation_id}",
            )
        )
        == 0
    )


async def _feed(service: RunningService, path: str, wanted: str) -> bytes | None:
    """The feed once an event in it has `wanted` as its UID or summary."""
    response = await service.client.get(path)
    if response.status_code != 200:
        return None
    for event in Calendar.from_ical(response.content).walk("VEVENT"):
        if wanted in (str(event.get("UID")), str(event.get("SUMMARY"))):
            return response.content
    return None


def _event(body: bytes, uid: str) -> Any:
    return next(
        e
        for e in Calendar.from_ical(body).walk("VEVENT")
        if str(e["UID"]) == uid and "RECURRENCE-ID" not in e
    )


async def _mail(mailbox: Mailbox, address: str, wanted: str) -> str | None:
    return next((b for b in mailbox.bodies(address) if wanted in b), None)
