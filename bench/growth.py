"""The growth steps' data: the season filling up with clubs' weekly series.

A municipality's bookings are mostly clubs' weekly training, one hour a week in a hall for the
rest of the half-year, booked as a series. The growth steps add such series until the bookings
held reach 10×, 100× … the data set:

- first the school evenings after the days kept for measured bookings (`first_free_day` on,
  never the availability week, never the feed's space), space by space in turn, so each step
  spreads over all 100 spaces and every weekday;
- when those are full, sports halls made for the purpose (released 08:00–22:00 every day; not
  schools, so the measured availability query still answers the same 100 spaces).

Each weekly hour of a space goes to another growth club, so no club holds more than one series
(≤ 23 hours) on any space: the service's 40-hour limit per club and space stays on.

How the series are written: the first series of each kind of space (gym, classroom) goes
through `POST /booking-series` and all the way to notifications (outbox, relay, broker,
consumer). Every other series is a copy of those: the rows the two services wrote for them
(booking's `booking_series`, `booking` and `booking_occupancy`; notifications' read-model
`booking_series` and `booking` and its `inbox` rows), with only the ids, the space, the club,
the dates and the names that follow from them changed, written with COPY. The exclusion
constraints check every copied occupancy row as they check the service's own. What is not
copied: booking's outbox rows (the relay publishes and the purge removes them after a week,
long before a season is full) and notifications' messages (a confirmation per series, a reminder
per booking), which no measured request reads. Through the API and the consumer, the 200,000
bookings of a 100× step would take over an hour on two cores; copied, about a minute.

After each step: ANALYZE of the tables written (what autovacuum does after such an insert), and
a check that the copies are real to the services: booking refuses a single booking on a copied
hour (409, taken), and the copied series is in its space's public feed.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
from redis.asyncio import Redis

from bench.api import Api
from bench.dataset import (
    DISTRICTS,
    EVENING_HOURS,
    HORIZON_DAYS,
    OSLO,
    Club,
    DataSet,
    limited,
    new_site,
    new_space,
    register_clubs,
    wait_until_known,
)
from bench.measure import eventually
from bench.stack import BenchError, Stack
from notifications.domain.entries import series_uid
from notifications.feeds.queries import FeedCache, FeedKey, FeedKind
from samspill.infra import plain_postgres_url

WEEKDAYS = tuple(range(7))
# Evenings go first, then the afternoon and the morning, as clubs and schools ask for them.
HALL_HOURS = (17, 18, 19, 20, 21, 16, 15, 14, 13, 12, 11, 10, 9, 8)
HALLS_PER_SITE = 5
SPORTS_HALLS = ("Lillestrøm idrettshall", "Skedsmohallen", "Kjellerhallen", "Fetsundhallen")
SETTLE_TIMEOUT_S = 600.0
COPY_CHUNK = 20_000  # bookings per transaction
# What each kind of space is booked for: (activity, audience, participants).
USE = {
    "gym": ("Håndball J14 trening", "children_youth", 18),
    "classroom": ("Korpsøving voksne", "non_profit", 20),
}


@dataclass(frozen=True)
class Weekly:
    """One club's weekly hour on one space, from its first to its last date."""

    space_id: str
    kind: str  # the space's kind: which template it is copied from
    weekday: int
    hour: int
    first_date: date
    last_date: date
    club: Club

    @property
    def weeks(self) -> int:
        return (self.last_date - self.first_date).days // 7 + 1

    def shortened(self, weeks: int) -> Weekly:
        return replace(self, last_date=self.first_date + timedelta(days=7 * (weeks - 1)))

    def dates(self) -> list[date]:
        return [self.first_date + timedelta(days=7 * week) for week in range(self.weeks)]

    def hour_on(self, day: date) -> tuple[datetime, datetime]:
        start = datetime(day.year, day.month, day.day, self.hour, tzinfo=OSLO)
        return start, start + timedelta(hours=1)

    def body(self) -> dict[str, Any]:
        activity, audience, participants = USE[self.kind]
        return {
            "space_id": self.space_id,
            "organisation_id": self.club.id,
            "activity": activity,
            "audience": audience,
            "participants": participants,
            "weekday": self.weekday,
            "start_time": f"{self.hour:02d}:00",
            "end_time": f"{self.hour + 1:02d}:00",
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
        }


@dataclass(frozen=True)
class Template:
    """The rows the services wrote for one series made through the API, to copy."""

    series: dict[str, Any]
    booking: dict[str, Any]
    occupancy: dict[str, Any]
    read_series: dict[str, Any]
    read_booking: dict[str, Any]
    inbox: dict[str, dict[str, Any]]  # by event type: a booking's and the series'


@dataclass
class Growth:
    halls: list[str]
    clubs: list[Club]
    plan: deque[Weekly]
    kinds: dict[str, str]  # space id → kind
    templates: dict[str, Template] = field(default_factory=dict)
    series: int = 0  # series made through the API
    copied: int = 0  # series copied


@dataclass(frozen=True)
class Step:
    booked_via_api: int
    copied: int
    seconds: float


def weekly_hours(hours: Sequence[int]) -> list[tuple[int, int]]:
    """A space's weekly hours (weekday, hour), weekdays first so a few series spread over the
    week."""
    return [(weekday, hour) for hour in hours for weekday in WEEKDAYS]


def first_on(weekday: int, start: date) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def weeks_between(start: date, end: date) -> int:
    """Weekly dates of the least-served weekday in [start, end]."""
    return ((end - start).days + 1) // 7


def capacity(data: DataSet, halls: int) -> int:
    """Bookings the series can add: school evenings from `first_free_day`, then the halls."""
    start, end = data.today + timedelta(days=data.first_free_day), _last_day(data)
    weeks = weeks_between(start, end)
    schools = len(data.school_space_ids) * len(EVENING_HOURS) * len(WEEKDAYS) * weeks
    return schools + halls * len(HALL_HOURS) * len(WEEKDAYS) * weeks


def halls_needed(data: DataSet, bookings: int) -> int:
    """Sports halls to add so `bookings` more fit (one spare)."""
    short = bookings - capacity(data, 0)
    if short <= 0:
        return 0
    per_hall = capacity(data, 1) - capacity(data, 0)
    return math.ceil(short / per_hall) + 1


def _last_day(data: DataSet) -> date:
    return data.today + timedelta(days=HORIZON_DAYS)


def plan(
    data: DataSet, halls: list[str], clubs: list[Club], kinds: dict[str, str]
) -> deque[Weekly]:
    """Schools' evenings first, then the halls; within each, one weekly hour per space in turn.
    The club of a space's k-th weekly hour is the (space's number + k)-th club, so a space's
    series all belong to different clubs."""
    start, end = data.today + timedelta(days=data.first_free_day), _last_day(data)
    weeklies: deque[Weekly] = deque()
    for spaces, hours, offset in (
        (data.school_space_ids, EVENING_HOURS, 0),
        (halls, HALL_HOURS, len(data.school_space_ids)),
    ):
        for k, (weekday, hour) in enumerate(weekly_hours(hours)):
            first = first_on(weekday, start)
            last = first + timedelta(days=7 * ((end - first).days // 7))
            for number, space_id in enumerate(spaces):
                club = clubs[(offset + number + k) % len(clubs)]
                weeklies.append(Weekly(space_id, kinds[space_id], weekday, hour, first, last, club))
    return weeklies


async def prepare(api: Api, data: DataSet, most: int) -> Growth:
    """Clubs (and halls, if the schools' evenings are too few) for up to `most` more bookings."""
    halls = halls_needed(data, most)
    if most > capacity(data, halls):
        raise ValueError(f"{most:,} bookings do not fit even with {halls} halls")
    # As many clubs as a space has weekly hours, so each of a space's series has its own club.
    per_space = len(HALL_HOURS if halls else EVENING_HOURS) * len(WEEKDAYS)
    hall_ids = await _halls(api, data, halls)
    clubs = await register_clubs(api, data, per_space, first_number=len(data.clubs))
    if hall_ids:
        await wait_until_known(api, data, hall_ids, site_kind="sports_hall")
    kinds = {space_id: "gym" for space_id in hall_ids}
    kinds.update(zip(data.school_space_ids, data.school_space_kinds, strict=True))
    return Growth(hall_ids, clubs, plan(data, hall_ids, clubs, kinds), kinds)


async def _halls(api: Api, data: DataSet, count: int) -> list[str]:
    if not count:
        return []
    sites = []
    for number in range(math.ceil(count / HALLS_PER_SITE)):
        name = SPORTS_HALLS[number % len(SPORTS_HALLS)]
        name = name if number < len(SPORTS_HALLS) else f"{name} {number // len(SPORTS_HALLS) + 1}"
        district = DISTRICTS[number % len(DISTRICTS)]
        sites.append(await new_site(api, data.admin, "sports_hall", name, district))
    jobs = (
        new_space(
            api,
            data.admin,
            sites[number // HALLS_PER_SITE],
            f"Hall {'ABCDE'[number % HALLS_PER_SITE]}",
            "gym",
            "08:00-22:00",
            data.today,
        )
        for number in range(count)
    )
    return await limited(16, jobs)


def take(growth: Growth, bookings: int) -> list[Weekly]:
    """The next weekly series holding `bookings` bookings (the last one cut short)."""
    taken: list[Weekly] = []
    while bookings > 0:
        if not growth.plan:
            raise BenchError("the growth plan ran out of weekly hours")
        weekly = growth.plan.popleft()
        weekly = weekly.shortened(bookings) if weekly.weeks > bookings else weekly
        taken.append(weekly)
        bookings -= weekly.weeks
    return taken


async def grow(api: Api, stack: Stack, data: DataSet, growth: Growth, wanted: int) -> Step:
    """`wanted` more bookings held: the templates' series through the API (first step only),
    the rest copied; the step's figures once notifications holds all of it."""
    started = time.perf_counter()
    via_api = 0
    if not growth.templates:
        firsts = _first_of_each_kind(growth)
        via_api = await _post_series(api, data, growth, firsts)
        await settled(stack)
        growth.templates = await _templates(stack, firsts)
    weeklies = take(growth, wanted - via_api)
    copied = await _copy(stack, data, growth, weeklies)
    await settled(stack)
    if weeklies:
        await _check_copy(api, data, weeklies[-1], growth)
    return Step(via_api, copied, time.perf_counter() - started)


def _first_of_each_kind(growth: Growth) -> list[Weekly]:
    firsts: dict[str, Weekly] = {}
    for weekly in growth.plan:
        firsts.setdefault(weekly.kind, weekly)
        if len(firsts) == len(USE):
            break
    for weekly in firsts.values():
        growth.plan.remove(weekly)
    return list(firsts.values())


async def _post_series(api: Api, data: DataSet, growth: Growth, weeklies: list[Weekly]) -> int:
    booked = 0
    for weekly in weeklies:
        answer = await api.call(
            "POST", "booking", "/booking-series", weekly.club.token, json=weekly.body()
        )
        if len(answer["created"]) != weekly.weeks:
            raise BenchError(f"a growth series booked {len(answer['created'])} of {weekly.weeks}")
        growth.series += 1
        booked += weekly.weeks
        data.booked += weekly.weeks
    return booked


# --- the rows to copy ------------------------------------------------------------------------


async def _templates(stack: Stack, weeklies: list[Weekly]) -> dict[str, Template]:
    booking_db = await _connect(stack, "booking")
    notifications_db = await _connect(stack, "notifications")
    try:
        templates = {}
        for weekly in weeklies:
            series = await booking_db.fetchrow(
                "SELECT * FROM booking_series WHERE space_id = $1 AND organisation_id = $2",
                uuid.UUID(weekly.space_id),
                uuid.UUID(weekly.club.id),
            )
            assert series is not None
            booking = await booking_db.fetchrow(
                "SELECT * FROM booking WHERE series_id = $1 LIMIT 1", series["id"]
            )
            assert booking is not None
            occupancy = await booking_db.fetch(
                "SELECT * FROM booking_occupancy WHERE booking_id = $1", booking["id"]
            )
            if len(occupancy) != 1:
                raise BenchError("a growth space holds more than its own occupancy row")
            # The series' own events: one per booking and the series'.
            events = await booking_db.fetch(
                "SELECT event_id, event_type FROM outbox WHERE key = $1 "
                "AND position($2 in convert_from(value, 'UTF8')) > 0",
                weekly.space_id,
                str(series["id"]),
            )
            inbox = await notifications_db.fetch(
                "SELECT * FROM inbox WHERE event_id = ANY($1::text[])",
                [event["event_id"] for event in events],
            )
            types = {event["event_type"] for event in events}
            if len(types) != 2 or {row["event_type"] for row in inbox} != types:
                raise BenchError(f"a growth series' events are not as expected: {types}")
            templates[weekly.kind] = Template(
                series=dict(series),
                booking=dict(booking),
                occupancy=dict(occupancy[0]),
                read_series=dict(
                    await _one(notifications_db, "booking_series", "series_id", series["id"])
                ),
                read_booking=dict(
                    await _one(notifications_db, "booking", "booking_id", booking["id"])
                ),
                inbox={row["event_type"]: dict(row) for row in inbox},
            )
        return templates
    finally:
        await booking_db.close()
        await notifications_db.close()


async def _one(conn: asyncpg.Connection, table: str, key: str, value: Any) -> asyncpg.Record:
    row = await conn.fetchrow(f"SELECT * FROM {table} WHERE {key} = $1", value)
    if row is None:
        raise BenchError(f"notifications' {table} lacks {value}")
    return row


@dataclass(frozen=True)
class _Names:
    spaces: dict[uuid.UUID, tuple[uuid.UUID, str, str]]  # space → site, space name, site name
    clubs: dict[uuid.UUID, tuple[str, str]]  # organisation → name, its board member's id


async def _names(booking_db: asyncpg.Connection, notifications_db: asyncpg.Connection) -> _Names:
    """What the copies name: the sites and names of spaces as notifications has them from
    facilities, the clubs' names and booker ids as booking has them."""
    spaces = await notifications_db.fetch(
        "SELECT space.space_id, space.site_id, space.name, site.name AS site_name "
        "FROM space JOIN site USING (site_id)"
    )
    clubs = await booking_db.fetch("SELECT id, name, created_by FROM organisation")
    return _Names(
        {row["space_id"]: (row["site_id"], row["name"], row["site_name"]) for row in spaces},
        {row["id"]: (row["name"], row["created_by"]) for row in clubs},
    )


def _rows(
    template: Template, weekly: Weekly, names: _Names, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The rows both services would hold for `weekly`: the template's with what differs."""
    space_id, organisation_id = uuid.UUID(weekly.space_id), uuid.UUID(weekly.club.id)
    site_id, space_name, site_name = names.spaces[space_id]
    club_name, booker = names.clubs[organisation_id]
    series_id = uuid.uuid4()
    place = {"space_id": space_id, "site_id": site_id, "organisation_id": organisation_id}
    named = {"space_name": space_name, "site_name": site_name, "organisation_name": club_name}
    hours = {
        "local_start_time": f"{weekly.hour:02d}:00",
        "local_end_time": f"{weekly.hour + 1:02d}:00",
        "first_date": weekly.first_date,
        "last_date": weekly.last_date,
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "series": [
            {
                **template.series,
                **place,
                **hours,
                "id": series_id,
                "booker_sub": booker,
                "weekday": weekly.weekday,
                "created_at": now,
            }
        ],
        "read_series": [
            {
                **template.read_series,
                **place,
                **named,
                "series_id": series_id,
                "local_start_time": template.read_series["local_start_time"].replace(
                    hour=weekly.hour
                ),
                "local_end_time": template.read_series["local_end_time"].replace(
                    hour=weekly.hour + 1
                ),
                "first_date": weekly.first_date,
                "last_date": weekly.last_date,
                "booking_count": weekly.weeks,
                "created_at": now,
            }
        ],
        "booking": [],
        "occupancy": [],
        "read_booking": [],
        "inbox": [],
    }
    for day in weekly.dates():
        booking_id = uuid.uuid4()
        start, end = weekly.hour_on(day)
        at = {"start": start, "end": end, "created_at": now, "updated_at": now}
        rows["booking"].append(
            {
                **template.booking,
                **place,
                **at,
                "id": booking_id,
                "series_id": series_id,
                "booker_sub": booker,
            }
        )
        rows["occupancy"].append(
            {
                **template.occupancy,
                "booking_id": booking_id,
                "space_id": space_id,
                "during": asyncpg.Range(start, end, lower_inc=True, upper_inc=False),
            }
        )
        rows["read_booking"].append(
            {
                **template.read_booking,
                **place,
                **named,
                **at,
                "booking_id": booking_id,
                "series_id": series_id,
            }
        )
    for event_type, inbox in template.inbox.items():
        count = 1 if "series" in event_type else weekly.weeks
        rows["inbox"] += [
            {**inbox, "event_id": str(uuid.uuid4()), "processed_at": now} for _ in range(count)
        ]
    return rows


# Where each kind of row goes, in the order foreign keys need.
BOOKING_TABLES = (
    ("series", "booking_series"),
    ("booking", "booking"),
    ("occupancy", "booking_occupancy"),
)
NOTIFICATIONS_TABLES = (
    ("read_series", "booking_series"),
    ("read_booking", "booking"),
    ("inbox", "inbox"),
)


async def _copy(stack: Stack, data: DataSet, growth: Growth, weeklies: list[Weekly]) -> int:
    """Write the copies of `weeklies` to both databases; the bookings written."""
    booking_db = await _connect(stack, "booking")
    notifications_db = await _connect(stack, "notifications")
    written = 0
    try:
        names = await _names(booking_db, notifications_db)
        chunk: dict[str, list[dict[str, Any]]] = {}
        for weekly in weeklies:
            rows = _rows(growth.templates[weekly.kind], weekly, names, datetime.now(OSLO))
            for kind, some in rows.items():
                chunk.setdefault(kind, []).extend(some)
            if len(chunk["booking"]) >= COPY_CHUNK or weekly is weeklies[-1]:
                await _write(booking_db, BOOKING_TABLES, chunk)
                await _write(notifications_db, NOTIFICATIONS_TABLES, chunk)
                written += len(chunk["booking"])
                chunk = {}
            growth.copied += 1
        for conn, tables in (
            (booking_db, BOOKING_TABLES),
            (notifications_db, NOTIFICATIONS_TABLES),
        ):
            await conn.execute("ANALYZE " + ", ".join(table for _, table in tables))
        await _invalidate_feeds(stack, weeklies, names)
    finally:
        await booking_db.close()
        await notifications_db.close()
    data.booked += written
    return written


async def _invalidate_feeds(stack: Stack, weeklies: list[Weekly], names: _Names) -> None:
    """The feeds the copied series change are rendered anew, as the consumer has them be after
    each booking event: the space's, the site's and the club's."""
    keys = set()
    for weekly in weeklies:
        site_id = names.spaces[uuid.UUID(weekly.space_id)][0]
        keys |= {
            FeedKey(FeedKind.SPACE, weekly.space_id),
            FeedKey(FeedKind.SITE, str(site_id)),
            FeedKey(FeedKind.ORGANISATION, weekly.club.id),
        }
    redis = Redis.from_url(stack.redis_url)
    try:
        await FeedCache(redis, ttl_s=1).invalidate(keys)
    finally:
        await redis.aclose()


async def _write(
    conn: asyncpg.Connection,
    tables: Iterable[tuple[str, str]],
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    async with conn.transaction():
        for kind, table in tables:
            columns = list(rows[kind][0])
            records = [tuple(row[column] for column in columns) for row in rows[kind]]
            await conn.copy_records_to_table(table, records=records, columns=columns)


async def _connect(stack: Stack, service: str) -> asyncpg.Connection:
    url = plain_postgres_url(stack.database_urls[service])
    return await _retrying(lambda: asyncpg.connect(url, timeout=10))


async def _retrying(connect: Any) -> Any:
    """The PostgreSQL server may be at its connection limit for a moment (other clients)."""
    for attempt in range(30):
        try:
            return await connect()
        except asyncpg.TooManyConnectionsError:
            await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
    return await connect()


async def _check_copy(api: Api, data: DataSet, weekly: Weekly, growth: Growth) -> None:
    """The services treat a copied series as their own: its first hour is taken for booking,
    and its space's public feed shows it."""
    start, end = weekly.hour_on(weekly.first_date)
    club = data.clubs[0]
    body = {
        "space_id": weekly.space_id,
        "organisation_id": club.id,
        "activity": "Kontroll",
        "audience": "non_profit",
        "participants": 5,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    answer = await api.request("POST", "booking", "/bookings", club.token, json=body)
    if answer.status_code != 409 or "limit" in answer.text:
        raise BenchError(f"a booking on a copied hour answered {answer.status_code}")
    conn = await _connect(api.stack, "booking")
    try:
        series_id = await conn.fetchval(
            "SELECT series_id FROM booking WHERE space_id = $1 AND start = $2",
            uuid.UUID(weekly.space_id),
            start,
        )
    finally:
        await conn.close()
    feed = await api.request("GET", "notifications", f"/feeds/spaces/{weekly.space_id}.ics")
    if series_uid(series_id).encode() not in feed.content:
        raise BenchError("a copied series is missing from its space's feed")


# --- settling --------------------------------------------------------------------------------

BOOKING_COUNTS = """
SELECT (SELECT count(*) FROM booking) AS bookings,
       (SELECT count(*) FROM booking_series) AS series,
       (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS unpublished
"""
NOTIFICATIONS_COUNTS = """
SELECT (SELECT count(*) FROM booking) AS bookings,
       (SELECT count(*) FROM booking_series) AS series,
       (SELECT count(*) FROM message WHERE status = 'pending' AND next_attempt_at <= now())
         AS mail_due
"""


async def settled(stack: Stack, timeout_s: float = SETTLE_TIMEOUT_S) -> float:
    """Wait until the relay has published every event, notifications' read model holds every
    booking and series booking holds, and no message is due; the seconds it took."""
    started = time.perf_counter()

    async def caught_up() -> bool | None:
        source = await _counts(stack, "booking", BOOKING_COUNTS)
        read = await _counts(stack, "notifications", NOTIFICATIONS_COUNTS)
        done = (
            source["unpublished"] == 0
            and read["bookings"] >= source["bookings"]
            and read["series"] >= source["series"]
            and read["mail_due"] == 0
        )
        return True if done else None

    await eventually(caught_up, timeout_s=timeout_s, interval_s=0.5, what="notifications")
    return time.perf_counter() - started


async def _counts(stack: Stack, service: str, query: str) -> dict[str, int]:
    conn = await _connect(stack, service)
    try:
        row = await conn.fetchrow(query)
    finally:
        await conn.close()
    assert row is not None
    return {key: int(value) for key, value in row.items()}
