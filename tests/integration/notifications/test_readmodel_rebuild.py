"""A rebuild of the notifications read model replays `samspill.facilities` and reads the latest
state of every booking aggregate from `samspill.booking.state`.

After bookings, series, a team hand-over, public activities, organisations, memberships,
profiles and loans flowed, a broker whose booking event topic lost its first records and whose
state topic holds only the latest record per key (as compaction leaves it) rebuilds exactly
the rows the live consumer built. A state topic missing an aggregate the inbox knows, or one
that no longer begins at offset 0, is refused and changes nothing; `--force` rebuilds anyway.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from notifications.cli import cli
from notifications.readmodel.tables import READ_MODEL_TABLE_NAMES
from notifications.readmodel.use_cases import (
    EVENT_CONTRACTS,
    STATE_CONTRACT,
    rebuild_read_model,
    replay,
)
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.infra import start_tansu
from samspill.kafka import KafkaConfig, ensure_topics, new_producer, start_client, stop_client
from samspill.replay import (
    HistoryMissing,
    Record,
    StateGap,
    TopicReader,
    latest_records,
    read_history,
    read_state,
)
from tests.integration.notifications.builders import (
    OSLO,
    Club,
    School,
    booking_state,
    changed,
    loan_state,
    membership,
    oslo,
    profile,
    publish,
    staff_grants,
)
from tests.support import RunningService, eventually, running_service, settings_for

pytestmark = pytest.mark.slow

STATE_TOPIC = "samspill.booking.state"


async def snapshot(service: RunningService) -> dict[str, list[str]]:
    async with service.app.state.runtime.sessions() as session:
        return {
            name: sorted(
                str(row[0]) for row in await session.execute(text(f"SELECT r::text FROM {name} r"))
            )
            for name in READ_MODEL_TABLE_NAMES
        }


async def applied(service: RunningService) -> int:
    async with service.app.state.runtime.sessions() as session:
        count = await session.scalar(text("SELECT count(*) FROM inbox"))
    return int(count or 0)


def series_state(
    school: School, club: Club, bookings: list[bk.BookingState], team: str | None
) -> bk.SeriesState:
    first, last = bookings[0], bookings[-1]
    return bk.SeriesState(
        series_id=first.series_id or uuid.uuid4(),
        space_id=first.space_id,
        space_name=first.space_name,
        site_id=school.site_id,
        site_name=school.name,
        organisation_id=club.organisation_id,
        organisation_name=club.name,
        activity=first.activity,
        weekday=first.start.astimezone(OSLO).weekday(),
        local_start_time="18:00",
        local_end_time="19:00",
        first_date=first.start.astimezone(OSLO).date(),
        last_date=last.start.astimezone(OSLO).date(),
        booking_ids=[b.booking_id for b in bookings],
        skipped=[],
        created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
        team_name=team,
    )


def public_activity(school: School, series: bk.SeriesState, **changes) -> bk.PublicActivityState:
    values = {
        "series_id": series.series_id,
        "organisation_id": series.organisation_id,
        "organisation_name": series.organisation_name,
        "team_name": series.team_name,
        "site_id": school.site_id,
        "site_name": school.name,
        "district": "skjetten",
        "space_name": series.space_name,
        "weekday": series.weekday,
        "local_start_time": series.local_start_time,
        "local_end_time": series.local_end_time,
        "first_date": series.first_date,
        "last_date": series.last_date,
        "description": "Håndball for nybegynnere.",
        "activity": "Håndball",
        "age_group": "children",
        "level": "beginner",
        "languages": ["nb"],
        "takes_new_members": True,
        "how_to_join": "https://skjetten-hk.example.org/bli-med",
    }
    return bk.PublicActivityState.model_validate({**values, **changes})


@dataclasses.dataclass
class World:
    facilities: list
    booking: list

    @property
    def total(self) -> int:
        return len(self.facilities) + len(self.booking)


def world() -> World:
    """Facilities and booking events as the services publish them, in order."""
    school, club, other = School(), Club(), Club(name="Kjeller IL")
    first = datetime.now(OSLO).date() + timedelta(weeks=2)
    days = [first + timedelta(days=n) for n in range(6)]
    single = [booking_state(school, club, oslo(day, 18), oslo(day, 19)) for day in days[:3]]
    series_id = uuid.uuid4()
    weekly = [
        booking_state(
            school, club, oslo(day, 18), oslo(day, 19), series_id=series_id, space_id=school.hall_id
        )
        for day in (first + timedelta(weeks=n) for n in range(1, 4))
    ]
    series = series_state(school, club, weekly, None)
    handed = [series.model_copy(update={"team_name": team}) for team in ("J12", "J14")]
    shown = public_activity(school, series)
    other_series = series_state(school, other, weekly, None).model_copy(
        update={"series_id": uuid.uuid4(), "organisation_id": other.organisation_id}
    )
    withdrawn = public_activity(school, other_series, organisation_id=other.organisation_id)
    renamed = bk.OrganisationState(
        organisation_id=club.organisation_id,
        org_number="974760673",
        name="Skjetten HK",
        category="sports",
        contact=bk.Contact(name="Kari Nordmann", email="leder@skjetten-hk.no"),
    )
    start, end = oslo(days[3], 18), oslo(days[3], 19)
    requested = booking_state(school, club, start, end, status="requested")
    confirmed = changed(requested, status="confirmed")
    cancelled = changed(confirmed, status="cancelled")
    loan = loan_state("person-resident", days[0], days[1])
    picked = loan.model_copy(update={"status": "picked_up", "version": 2})
    returned = picked.model_copy(update={"status": "returned", "version": 3})
    other_loan = loan_state("person-other", days[2], days[4], email="other@example.no")
    hall = str(school.hall_id)
    gym = str(school.gym_id)
    centre = str(loan.centre_id)
    return World(
        facilities=[
            *school.registration(first, first + timedelta(weeks=6)),
            staff_grants("person-manager", [school.site_id]),
        ],
        booking=[
            club.registered(),
            other.registered(),
            *((bk.BookingConfirmed(booking=b), gym) for b in single),
            *((bk.BookingConfirmed(booking=b), hall) for b in weekly),
            (bk.SeriesCreated(series=series), hall),
            (bk.ActivityPublished(activity=shown), hall),
            (bk.SeriesHandedToTeam(series=handed[0]), hall),
            (bk.ActivityPublished(activity=shown.model_copy(update={"team_name": "J12"})), hall),
            (bk.SeriesHandedToTeam(series=handed[1]), hall),
            (bk.SeriesCreated(series=other_series), hall),
            (bk.ActivityPublished(activity=withdrawn), hall),
            (bk.ActivityWithdrawn(activity=withdrawn), hall),
            (bk.BookingRequested(booking=requested), gym),
            (bk.BookingConfirmed(booking=confirmed), gym),
            (bk.BookingCancelled(booking=cancelled, reason="by_organisation"), gym),
            (bk.OrganisationUpdated(organisation=renamed), str(club.organisation_id)),
            membership(club.organisation_id, "person-member", "administrator"),
            membership(club.organisation_id, "person-leaver", "booker"),
            membership(club.organisation_id, "person-leaver", None),
            profile("person-member", email="kari@example.no", display_name="Kari"),
            profile("person-member", email="kari.n@example.no", display_name="Kari N."),
            *((bk.LoanReserved(loan=loan), centre),),
            (bk.LoanPickedUp(loan=picked), centre),
            (bk.LoanReturned(loan=returned), centre),
            (bk.LoanReserved(loan=other_loan), centre),
        ],
    )


async def copy_topic(
    source: KafkaConfig,
    target: KafkaConfig,
    topic: str,
    choose: Callable[[list[Record]], list[Record]],
    *,
    state: bool = False,
) -> int:
    """Copy the records `choose` picks to another broker, each to its own partition (so a
    partition's order, which the state topic's rebuild relies on, stays as it was)."""
    async with TopicReader(source, topic) as reader:
        records = await reader.read_to_end()
        partitions = reader.partitions
    alike = dataclasses.replace(target, partitions=partitions)
    await ensure_topics(alike, [] if state else [topic], state_topics=[topic] if state else [])
    producer = new_producer(target)
    await start_client(producer, target.request_timeout_s)
    chosen = choose(records)
    try:
        for record in chosen:
            await asyncio.wait_for(
                producer.send_and_wait(
                    topic,
                    value=record.value,
                    key=record.key,
                    headers=list(record.headers),
                    partition=record.partition,
                ),
                target.request_timeout_s,
            )
    finally:
        await stop_client(producer, target.request_timeout_s)
    return len(chosen)


async def live_notifications(infra, kafka: KafkaConfig, database_factory, label: str):
    settings = settings_for(
        "notifications",
        database_url=await database_factory(label),
        kafka=kafka,
        redis_url=infra.redis.url,
        delivery_retry_base_s=3600,
    )
    return running_service("notifications", settings)


async def test_a_rebuild_from_the_state_topic_builds_what_the_live_consumer_built(
    infra, isolated_kafka, database_factory
):
    events = world()
    async with await live_notifications(
        infra, isolated_kafka, database_factory, "notif_rebuild"
    ) as service:
        await publish(isolated_kafka, *events.facilities, *events.booking)
        await eventually(lambda: _at_least(service, events.total))
        before = await snapshot(service)
        assert len(before["access_grant"]) == 2  # the member and the manager; not the leaver
        assert len(before["profile"]) == 1
        assert len(before["guide_activity"]) == 2
        assert len(before["loan"]) == 2
        runtime = service.app.state.runtime

        # The event topic lost all but its last records; the state topic was compacted.
        later = start_tansu()
        try:
            thin = dataclasses.replace(runtime.kafka, bootstrap_servers=later.url)
            await copy_topic(runtime.kafka, thin, fa.TOPIC, list)
            await copy_topic(runtime.kafka, thin, bk.TOPIC, lambda records: records[-3:])
            kept = await copy_topic(runtime.kafka, thin, STATE_TOPIC, latest_records, state=True)
            assert kept < len(events.booking) - 5  # superseded states and tombstones are gone

            assert await rebuild_read_model(runtime.sessions, thin) == len(events.facilities) + kept
            assert await snapshot(service) == before
        finally:
            later.stop()

        # The live broker's state topic, not compacted (the embedded broker never compacts):
        # the latest record of each key wins all the same.
        await rebuild_read_model(runtime.sessions, runtime.kafka)
        assert await snapshot(service) == before


async def test_a_state_topic_missing_aggregates_or_history_is_refused(
    infra, isolated_kafka, database_factory
):
    events = world()
    async with await live_notifications(
        infra, isolated_kafka, database_factory, "notif_rebuild_refused"
    ) as service:
        await publish(isolated_kafka, *events.facilities, *events.booking)
        await eventually(lambda: _at_least(service, events.total))
        before = await snapshot(service)
        runtime = service.app.state.runtime

        # A recreated state topic that holds only some aggregates.
        recreated = start_tansu()
        try:
            thin = dataclasses.replace(runtime.kafka, bootstrap_servers=recreated.url)
            await copy_topic(runtime.kafka, thin, fa.TOPIC, list)
            await copy_topic(runtime.kafka, thin, bk.TOPIC, list)

            def without_loans(records: list[Record]) -> list[Record]:
                return [r for r in records if not (r.key or b"").startswith(b"loan:")]

            await copy_topic(runtime.kafka, thin, STATE_TOPIC, without_loans, state=True)
            with pytest.raises(HistoryMissing) as refused:
                await rebuild_read_model(runtime.sessions, thin)
            gap = refused.value.gap
            assert isinstance(gap, StateGap)
            assert (gap.missing, gap.trimmed) == (2, ())  # the two loans
            assert "loan." in " ".join(gap.examples)
            message = str(refused.value)
            assert message.startswith("Gjenoppbygging avvist: 2 av ")
            assert "Rebuild refused: 2 of the " in message
            assert await snapshot(service) == before, "a refused rebuild changes nothing"

            # The command says why in both languages and exits with 1.
            env = {
                "SAMSPILL_ENV": "test",
                "DATABASE_URL": service.settings.database_url,
                "KAFKA_BOOTSTRAP_SERVERS": thin.bootstrap_servers,
                "REDIS_URL": service.settings.redis_url,
            }
            result = await asyncio.to_thread(
                CliRunner().invoke, cli, ["rebuild-read-model"], env=env
            )
            assert result.exit_code == 1, result.output
            assert "Gjenoppbygging avvist: 2 av " in result.output
            assert "Rebuild refused: 2 of the " in result.output
            assert await snapshot(service) == before

            # --force rebuilds from what is there: the loans are gone.
            await rebuild_read_model(runtime.sessions, thin, force=True)
            assert (await snapshot(service))["loan"] == []
        finally:
            recreated.stop()
        await rebuild_read_model(runtime.sessions, runtime.kafka)
        assert await snapshot(service) == before

        # A state topic whose partition no longer begins at offset 0, as a broker reports it
        # after retention or DeleteRecords removed records (the embedded broker cannot do it).
        history = await read_history(runtime.sessions, runtime.kafka, EVENT_CONTRACTS)
        state = await read_state(runtime.sessions, runtime.kafka, STATE_CONTRACT)
        trimmed = dataclasses.replace(state, beginnings={**state.beginnings, 1: 4})
        with pytest.raises(HistoryMissing) as refused:
            await replay(runtime.sessions, history, trimmed)
        gap = refused.value.gap
        assert isinstance(gap, StateGap)
        assert (gap.trimmed, gap.missing) == (((1, 4),), 0)
        assert "partisjon 1 starter ved offset 4" in str(refused.value)
        assert await snapshot(service) == before


async def _at_least(service: RunningService, count: int) -> bool:
    return await applied(service) >= count
