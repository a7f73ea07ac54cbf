"""The growth steps' data: the season filling up with clubs' weekly series.

A municipality's bookings are mostly clubs' weekly training: one hour a week in a hall for the
rest of the half-year, booked as a series (`POST /booking-series`, the service's own path:
every rule, the occupancy rows under the exclusion constraints, one event per booking and one
per series through the outbox). The growth steps book such series until the bookings held reach
10×, 100× … the data set:

- first the school evenings after the days kept for measured bookings (`first_free_day` on,
  never the availability week, never the feed's space), space by space in turn, so each step
  spreads over all 100 spaces and every weekday;
- when those are full, sports halls made for the purpose (released 08:00–22:00 every day,
  not schools, so the measured availability query still answers the same 100 spaces).

Each weekly hour of a space goes to another growth club, so no club holds more than one series
(≤ 24 hours) on any space: the service's 40-hour limit per club and space holds without
being switched off. A step is over when notifications has every booking and series in its read
model and the mail due has gone out, so what is measured after it holds all of it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench.api import Api
from bench.dataset import (
    DISTRICTS,
    EVENING_HOURS,
    HORIZON_DAYS,
    Club,
    DataSet,
    new_site,
    new_space,
    register_clubs,
    wait_until_known,
)
from bench.measure import eventually
from bench.stack import Stack
from samspill.infra import plain_postgres_url

WEEKDAYS = tuple(range(7))
# Evenings go first, then the afternoon and the morning, as clubs and schools ask for them.
HALL_HOURS = (17, 18, 19, 20, 21, 16, 15, 14, 13, 12, 11, 10, 9, 8)
HALLS_PER_SITE = 5
SPORTS_HALLS = ("Lillestrøm idrettshall", "Skedsmohallen", "Kjellerhallen", "Fetsundhallen")
SETTLE_TIMEOUT_S = 1800.0
ACTIVITIES = ("Håndball J14 trening", "Innebandy senior", "Turn barn 8–10 år", "Volleyball mosjon")


@dataclass(frozen=True)
class Weekly:
    """One club's weekly hour on one space, from its first to its last date."""

    space_id: str
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

    def body(self, number: int) -> dict[str, Any]:
        children = number % 2 == 0
        return {
            "space_id": self.space_id,
            "organisation_id": self.club.id,
            "activity": ACTIVITIES[number % len(ACTIVITIES)],
            "audience": "children_youth" if children else "non_profit",
            "participants": 10 + number % 18,
            "weekday": self.weekday,
            "start_time": f"{self.hour:02d}:00",
            "end_time": f"{self.hour + 1:02d}:00",
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
        }


@dataclass
class Growth:
    halls: list[str]
    clubs: list[Club]
    plan: Iterator[Weekly]
    series: int = 0


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


def plan(data: DataSet, halls: list[str], clubs: list[Club]) -> Iterator[Weekly]:
    """Schools' evenings first, then the halls; within each, one weekly hour per space in turn.
    The club of a space's k-th weekly hour is the (space's number + k)-th club, so a space's
    series all belong to different clubs."""
    start, end = data.today + timedelta(days=data.first_free_day), _last_day(data)
    for spaces, hours, offset in (
        (data.school_space_ids, EVENING_HOURS, 0),
        (halls, HALL_HOURS, len(data.school_space_ids)),
    ):
        slots = weekly_hours(hours)
        for k, (weekday, hour) in enumerate(slots):
            first = first_on(weekday, start)
            last = first + timedelta(days=7 * ((end - first).days // 7))
            for number, space_id in enumerate(spaces):
                club = clubs[(offset + number + k) % len(clubs)]
                yield Weekly(space_id, weekday, hour, first, last, club)


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
    return Growth(hall_ids, clubs, plan(data, hall_ids, clubs))


async def _halls(api: Api, data: DataSet, count: int) -> list[str]:
    if not count:
        return []
    sites = []
    for number in range(math.ceil(count / HALLS_PER_SITE)):
        name = SPORTS_HALLS[number % len(SPORTS_HALLS)]
        name = name if number < len(SPORTS_HALLS) else f"{name} {number // len(SPORTS_HALLS) + 1}"
        district = DISTRICTS[number % len(DISTRICTS)]
        sites.append(await new_site(api, data.admin, "sports_hall", name, district))
    jobs = [
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
    ]
    semaphore = asyncio.Semaphore(16)

    async def one(job: Any) -> str:
        async with semaphore:
            return str(await job)

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def grow(api: Api, data: DataSet, growth: Growth, wanted: int, concurrency: int) -> int:
    """Book weekly series until `wanted` more bookings are held; the bookings booked."""
    booked = pending = 0

    def take() -> Weekly | None:
        nonlocal pending
        left = wanted - booked - pending
        if left <= 0:
            return None
        weekly = next(growth.plan, None)
        if weekly is None:
            raise ValueError("the growth plan ran out of weekly hours")
        weekly = weekly.shortened(left) if weekly.weeks > left else weekly
        pending += weekly.weeks
        return weekly

    async def worker() -> None:
        nonlocal booked, pending
        while (weekly := take()) is not None:
            body = weekly.body(growth.series)
            growth.series += 1
            answer = await api.call(
                "POST", "booking", "/booking-series", weekly.club.token, json=body
            )
            created = len(answer["created"])
            booked, pending = booked + created, pending - weekly.weeks
            data.booked += created

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return booked


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
    booking_db = plain_postgres_url(stack.database_urls["booking"])
    notifications_db = plain_postgres_url(stack.database_urls["notifications"])

    async def caught_up() -> bool | None:
        source = await _fetch(booking_db, BOOKING_COUNTS)
        read = await _fetch(notifications_db, NOTIFICATIONS_COUNTS)
        done = (
            source["unpublished"] == 0
            and read["bookings"] >= source["bookings"]
            and read["series"] >= source["series"]
            and read["mail_due"] == 0
        )
        return True if done else None

    await eventually(caught_up, timeout_s=timeout_s, interval_s=1.0, what="notifications")
    return time.perf_counter() - started


async def _fetch(url: str, query: str) -> dict[str, int]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        row = await conn.fetchrow(query)
    finally:
        await conn.close()
    assert row is not None
    return {key: int(value) for key, value in row.items()}
