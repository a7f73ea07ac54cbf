"""The data set, loaded through the public APIs as a municipality would build it up.

- facilities: `scale.sites` schools with `scale.spaces` gyms and classrooms, each released
  every evening 17:00–22:00 for half a year; a culture house with the space whose feed is
  measured and the space whose event lag is measured (released 08:00–22:00); an equipment
  centre with a few item types of a few units each (scarce on purpose); default price rules;
- booking: `scale.organisations` clubs with valid organisation numbers, and `scale.bookings`
  one-hour bookings spread at random over the evenings of the availability week (days 1–7)
  plus `scale.feed_events` bookings on the feed space.

Measured bookings later take evenings from day 8 on, so they never clash with this set.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bench.api import Api
from bench.measure import eventually
from bench.scale import Scale
from bench.stack import BenchError
from booking.domain.organisations import org_number_check_digit

T = TypeVar("T")
OSLO = ZoneInfo("Europe/Oslo")
EVENING_HOURS = tuple(range(17, 22))  # one-hour slots of the 17:00–22:00 window
DAYTIME_HOURS = tuple(range(8, 22))  # one-hour slots of the 08:00–22:00 window
AVAILABILITY_DAYS = 7
FIRST_MEASURED_DAY = AVAILABILITY_DAYS + 1
HORIZON_DAYS = 175  # spaces accept bookings up to 180 days ahead
READ_MODEL_TIMEOUT_S = 120.0

DISTRICTS = ("lillestrom", "strommen", "skedsmokorset", "kjeller", "sorumsand", "fetsund")
SCHOOLS = (
    "Volla skole",
    "Tærudhallen skole",
    "Sagdalen skole",
    "Kjeller skole",
    "Vigernes skole",
    "Sørumsand skole",
    "Fetsund ungdomsskole",
    "Skjetten skole",
    "Asak skole",
    "Frogner skole",
)
CLUB_KINDS = ("Idrettslag", "Håndballklubb", "Turnforening", "Korps", "Sjakklubb")
PRICE_RULES = (
    {"space_kind": None, "category": "children_youth", "hourly_rate_ore": 0},
    {"space_kind": None, "category": "non_profit", "hourly_rate_ore": 10_000},
    {"space_kind": "gym", "category": "non_profit", "hourly_rate_ore": 15_000},
)


@dataclass(frozen=True)
class Slot:
    space_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Club:
    id: str
    token: str


@dataclass
class DataSet:
    today: date
    admin: str
    school_space_ids: list[str]
    feed_space_id: str
    lag_space_id: str
    clubs: list[Club]
    centre_id: str
    item_type_ids: list[str]
    org_numbers: Iterator[str]
    school_space_kinds: list[str] = field(default_factory=list)  # gym or classroom
    booked: int = 0
    measured_days: int = HORIZON_DAYS - FIRST_MEASURED_DAY
    _turns: dict[str, int] = field(default_factory=dict, repr=False)
    _evenings: Iterator[Slot] | None = field(default=None, repr=False)

    def club(self, space_id: str) -> Club:
        """The clubs take turns on each space, so each holds an equal share of every space's
        hours (the service refuses more than 40 future hours per club and space). Each space
        starts its turns at another club, so the clubs' shares are even across spaces too."""
        turn = self._turns.setdefault(space_id, len(self._turns))
        self._turns[space_id] = turn + 1
        return self.clubs[turn % len(self.clubs)]

    @property
    def first_free_day(self) -> int:
        """The first day (from today) after the evenings kept for measured bookings."""
        return FIRST_MEASURED_DAY + self.measured_days

    @property
    def availability_from(self) -> datetime:
        return _local(self.today + timedelta(days=1), time(0))

    @property
    def availability_to(self) -> datetime:
        return _local(self.today + timedelta(days=1 + AVAILABILITY_DAYS), time(0))

    def measured_slots(self) -> Iterator[Slot]:
        """Evenings of the `measured_days` from day 8 on, spread over every school space in
        turn; one sequence for the whole run, so no measured booking clashes with another, and
        the growth steps' series (from `first_free_day` on) clash with none of them."""
        if self._evenings is None:
            self._evenings = _measured(
                evening_slots(self.school_space_ids, self.today, days=self.measured_days)
            )
        return self._evenings

    def lag_slots(self) -> Iterator[Slot]:
        return daytime_slots(self.lag_space_id, self.today)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, OSLO)


def evening_slots(
    space_ids: Sequence[str], today: date, days: int = HORIZON_DAYS - FIRST_MEASURED_DAY
) -> Iterator[Slot]:
    for offset in range(FIRST_MEASURED_DAY, FIRST_MEASURED_DAY + days):
        day = today + timedelta(days=offset)
        for hour in EVENING_HOURS:
            for space_id in space_ids:
                yield Slot(space_id, _local(day, time(hour)), _local(day, time(hour + 1)))


def _measured(slots: Iterator[Slot]) -> Iterator[Slot]:
    yield from slots
    raise BenchError("the evenings kept for measured bookings are used up (see Scale)")


def daytime_slots(space_id: str, today: date) -> Iterator[Slot]:
    for offset in range(1, HORIZON_DAYS):
        day = today + timedelta(days=offset)
        for hour in DAYTIME_HOURS:
            yield Slot(space_id, _local(day, time(hour)), _local(day, time(hour + 1)))


def booking_body(slot: Slot, club: Club, number: int) -> dict[str, Any]:
    children = number % 2 == 0
    return {
        "space_id": slot.space_id,
        "organisation_id": club.id,
        "activity": "Håndball G12 trening" if children else "Bridge for voksne",
        "audience": "children_youth" if children else "non_profit",
        "participants": 10 + number % 18,
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
    }


def org_numbers(rng: random.Random) -> Iterator[str]:
    """Distinct valid organisation numbers (nine digits, mod-11)."""
    seen: set[str] = set()
    while True:
        first = "9" + "".join(str(rng.randrange(10)) for _ in range(7))
        digit = org_number_check_digit(first)
        if digit is not None and first not in seen:
            seen.add(first)
            yield f"{first}{digit}"


async def limited(concurrency: int, jobs: Iterable[Awaitable[T]]) -> list[T]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(job: Awaitable[T]) -> T:
        async with semaphore:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs))


# --- loading -------------------------------------------------------------------------------


async def load(
    api: Api, scale: Scale, today: date, rng: random.Random, measured_days: int
) -> DataSet:
    admin = api.stack.token("bench-admin", admin=True)
    await limited(
        4, (api.call("POST", "facilities", "/price-rules", admin, json=r) for r in PRICE_RULES)
    )
    school_spaces, school_kinds = await _schools(api, admin, scale, today)
    feed_space, lag_space = await _culture_house(api, admin, today)
    centre_id, item_type_ids = await _equipment_centre(api, admin, scale)
    data = DataSet(
        today,
        admin,
        school_spaces,
        feed_space,
        lag_space,
        [],
        centre_id,
        item_type_ids,
        org_numbers(rng),
        school_kinds,
        measured_days=measured_days,
    )
    data.clubs = await register_clubs(
        api, data, scale.organisations, concurrency=scale.load_clients
    )
    await _wait_for_read_models(api, data, scale)
    await _book(api, data, _availability_week(data, scale, rng), scale.load_clients)
    feed_slots = daytime_slots(feed_space, today)
    await _book(api, data, [next(feed_slots) for _ in range(scale.feed_events)], scale.load_clients)
    return data


async def new_site(api: Api, admin: str, kind: str, name: str, district: str) -> str:
    body = {
        "kind": kind,
        "name": name,
        "address": f"{name}veien 1, 2000 Lillestrøm",
        "district": district,
        "contact": {"name": f"{name}, resepsjonen", "email": "post@example.no"},
        "closes_on_public_holidays": False,
    }
    site = await api.call("POST", "facilities", "/sites", admin, json=body)
    return str(site["site_id"])


async def new_space(
    api: Api, admin: str, site_id: str, name: str, kind: str, hours: str, today: date
) -> str:
    body = {
        "site_id": site_id,
        "name": name,
        "kind": kind,
        "capacity": 60 if kind == "gym" else 30,
        "features": ["garderobe", "dusj"] if kind == "gym" else ["prosjektor"],
        "activities": ["håndball", "turn"] if kind == "gym" else ["møte"],
    }
    space = await api.call("POST", "facilities", "/spaces", admin, json=body)
    space_id = str(space["space_id"])
    start, end = hours.split("-")
    window = {
        "kind": "weekly",
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "start_time": start,
        "end_time": end,
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=HORIZON_DAYS + 10)).isoformat(),
    }
    await api.call("POST", "facilities", f"/spaces/{space_id}/windows", admin, json=window)
    return space_id


async def _schools(api: Api, admin: str, scale: Scale, today: date) -> tuple[list[str], list[str]]:
    site_ids = [
        await new_site(api, admin, "school", _school_name(i), DISTRICTS[i % len(DISTRICTS)])
        for i in range(scale.sites)
    ]
    jobs, kinds = [], []
    for number in range(scale.spaces):
        site_id = site_ids[number % len(site_ids)]
        kind = "gym" if number % 3 else "classroom"
        name = f"{'Gymsal' if kind == 'gym' else 'Klasserom'} {number // len(site_ids) + 1}"
        jobs.append(new_space(api, admin, site_id, name, kind, "17:00-22:00", today))
        kinds.append(kind)
    return await limited(scale.load_clients, jobs), kinds


def _school_name(number: int) -> str:
    name = SCHOOLS[number % len(SCHOOLS)]
    return name if number < len(SCHOOLS) else f"{name} {number // len(SCHOOLS) + 1}"


async def _culture_house(api: Api, admin: str, today: date) -> tuple[str, str]:
    site_id = await new_site(api, admin, "culture_house", "Lillestrøm kultursenter", "lillestrom")
    feed = await new_space(api, admin, site_id, "Storsalen", "auditorium", "08:00-22:00", today)
    lag = await new_space(api, admin, site_id, "Lillesalen", "auditorium", "08:00-22:00", today)
    return feed, lag


async def _equipment_centre(api: Api, admin: str, scale: Scale) -> tuple[str, list[str]]:
    centre_id = await new_site(api, admin, "equipment_centre", "BUA Lillestrøm", "lillestrom")
    staff = api.stack.token("bench-staff")
    path = f"/centres/{centre_id}/staff/{api.stack.person_id('bench-staff')}"
    await api.call("PUT", "facilities", path, admin)
    item_type_ids = []
    for number in range(scale.item_types):
        size = 100 + 10 * number
        body = {
            "name": "Langrennski barn",
            "category": "ski",
            "variant": f"{size} cm",
            "age_min": 4,
            "age_max": 12,
            "max_loan_days": 7,
        }
        path = f"/centres/{centre_id}/item-types"
        item_type = await api.call("POST", "facilities", path, staff, json=body)
        item_type_id = str(item_type["item_type_id"])
        for unit in range(1, scale.units_per_type + 1):
            label = {"label": f"SKI-{size}-{unit:02d}"}
            await api.call(
                "POST", "facilities", f"/item-types/{item_type_id}/units", staff, json=label
            )
        item_type_ids.append(item_type_id)
    return centre_id, item_type_ids


async def register_clubs(
    api: Api, data: DataSet, count: int, *, first_number: int = 0, concurrency: int = 16
) -> list[Club]:
    """`count` clubs, each registered by its own board member (who then administers it)."""

    async def register(number: int) -> Club:
        body = {
            "name": f"Bench {CLUB_KINDS[number % len(CLUB_KINDS)]} {number + 1}",
            "org_number": next(data.org_numbers),
            "category": "sports",
            "district": DISTRICTS[number % len(DISTRICTS)],
            "contact": {"name": "Styret", "email": f"styret{number + 1}@klubb.example.no"},
        }
        token = api.stack.token(f"club-{number}")  # registers the club, so administers it
        created = await api.call("POST", "booking", "/organisations", token, json=body)
        return Club(str(created["id"]), token)

    numbers = range(first_number, first_number + count)
    return await limited(concurrency, (register(n) for n in numbers))


async def _wait_for_read_models(api: Api, data: DataSet, scale: Scale) -> None:
    """Booking and notifications learn the facilities data from events; wait for all of it."""
    day = data.today + timedelta(days=1)
    params = {
        "from": _local(day, time(0)).isoformat(),
        "to": _local(day + timedelta(days=1), time(0)).isoformat(),
    }
    expected = {*data.school_space_ids, data.feed_space_id, data.lag_space_id}

    async def spaces_known() -> bool | None:
        answer = await api.call("GET", "booking", "/availability", params=params)
        with_slots = {str(space["space_id"]) for space in answer if space["slots"]}
        return True if expected <= with_slots else None

    async def stock_known() -> bool | None:
        params = {
            "centre_id": data.centre_id,
            "pickup_date": day.isoformat(),
            "return_date": day.isoformat(),
        }
        answer = await api.call("GET", "booking", "/lending/availability", params=params)
        stock = [t["units_in_stock"] for t in answer["item_types"]]
        return True if stock == [scale.units_per_type] * scale.item_types else None

    async def feeds_known() -> bool | None:
        for space_id in (data.feed_space_id, data.lag_space_id):
            response = await api.request("GET", "notifications", f"/feeds/spaces/{space_id}.ics")
            if response.status_code != 200:
                return None
        return True

    for probe, what in (
        (spaces_known, "booking's read model of spaces and windows"),
        (stock_known, "booking's read model of equipment stock"),
        (feeds_known, "notifications' read model of spaces"),
    ):
        await eventually(probe, timeout_s=READ_MODEL_TIMEOUT_S, interval_s=0.25, what=what)


async def wait_until_known(
    api: Api, data: DataSet, space_ids: Sequence[str], *, site_kind: str
) -> None:
    """Booking's and notifications' read models know the new spaces and their windows."""
    day = data.today + timedelta(days=data.first_free_day)
    params = {
        "from": _local(day, time(0)).isoformat(),
        "to": _local(day + timedelta(days=1), time(0)).isoformat(),
        "site_kind": site_kind,
    }

    async def in_booking() -> bool | None:
        answer = await api.call("GET", "booking", "/availability", params=params)
        with_slots = {str(space["space_id"]) for space in answer if space["slots"]}
        return True if set(space_ids) <= with_slots else None

    async def in_notifications() -> bool | None:
        for space_id in space_ids:
            response = await api.request("GET", "notifications", f"/feeds/spaces/{space_id}.ics")
            if response.status_code != 200:
                return None
        return True

    for probe, what in (
        (in_booking, "booking's read model of the new spaces"),
        (in_notifications, "notifications' read model of the new spaces"),
    ):
        await eventually(probe, timeout_s=READ_MODEL_TIMEOUT_S, interval_s=0.25, what=what)


def _availability_week(data: DataSet, scale: Scale, rng: random.Random) -> list[Slot]:
    """`scale.bookings` distinct evening hours of the week, chosen at random."""
    week = [
        Slot(space_id, _local(day, time(hour)), _local(day, time(hour + 1)))
        for offset in range(1, AVAILABILITY_DAYS + 1)
        for day in [data.today + timedelta(days=offset)]
        for hour in EVENING_HOURS
        for space_id in data.school_space_ids
    ]
    if scale.bookings > len(week):
        raise ValueError(f"{scale.bookings} bookings do not fit into {len(week)} evening hours")
    return rng.sample(week, scale.bookings)


async def book(api: Api, data: DataSet, slots: Iterable[Slot], concurrency: int) -> None:
    """Book every slot through the API, `concurrency` at a time (anything but 201 stops)."""
    await _book(api, data, slots, concurrency)


async def _book(api: Api, data: DataSet, slots: Iterable[Slot], concurrency: int) -> None:
    async def one(slot: Slot) -> None:
        club = data.club(slot.space_id)
        body = booking_body(slot, club, data.booked)
        data.booked += 1
        await api.call("POST", "booking", "/bookings", club.token, json=body)

    await limited(concurrency, (one(slot) for slot in slots))
