"""Races: randomized concurrent bookings, cancellations and series over divisible halls, and
loans over scarce units, against the booking service as a real process.

The answers are recorded with the client's clock and then checked against what the database
holds: no two active bookings of one conflict set overlap (buffers included), no unit is lent
twice, no organisation holds more future hours than the limit, every 2xx answer matches a
stored row (and every stored row was answered with a 2xx), every 409 names a real conflict,
and the outbox holds exactly the events the stored bookings call for.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from tests.dates import ordinary_days, weekly_dates
from tests.reliability.load import Call, Recorder, run_workers
from tests.reliability.stack import DatabaseFactory, Stack, bearer, logs_on_failure, running_stack
from tests.reliability.town import (
    Club,
    Town,
    booking_knows,
    build_centre,
    build_school,
    evening,
    register_clubs,
    today,
)

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.calendar,
    pytest.mark.timeout(420),
]

HOURS_LIMIT = 8
ACTIVE = ("requested", "confirmed")
BOOKING_ENV = {
    "BOOKING_MAX_FUTURE_HOURS_PER_SPACE": str(HOURS_LIMIT),
    "LENDING_MAX_ACTIVE_LOANS": "100",
    "LENDING_MAX_ACTIVE_UNITS": "100",
}
OPERATIONS = 420
RESIDENT = "resident-hall"
WORKERS = 24


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


async def test_concurrent_bookings_series_cancellations_and_loans_keep_every_invariant(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: DatabaseFactory,
    tmp_path: Path,
) -> None:
    async with running_stack(
        infra,
        database_factory,
        isolated_kafka,
        tmp_path,
        label="races",
        services=("facilities", "booking"),
        env={"booking": BOOKING_ENV},
    ) as stack:
        with logs_on_failure(tmp_path):
            town = Town()
            await build_school(
                stack, town, halls=[("Storhallen", 2, 0), ("Idrettshallen", 3, 30)], gyms=["Gymsal"]
            )
            await build_centre(stack, town, {"Langrennski 130 cm": 3, "Telt 4 personer": 2})
            await register_clubs(stack, town, 4)
            await booking_knows(stack, town)

            races = Races(Recorder(stack), town, random.Random(20260126))
            await races.hoarding_burst()
            await run_workers(WORKERS, OPERATIONS, races.operation)
            await check_invariants(stack, races)


# --- the load -------------------------------------------------------------------------------


@dataclass
class Races:
    recorder: Recorder
    town: Town
    rng: random.Random
    clubs_by_id: dict[str, Club] = field(init=False)
    # Contested evenings a few days ahead, and series starting on them where none of their
    # weeks is a holiday: a holiday closure would answer 422, not the 409s checked here.
    near_days: list[date] = field(init=False)
    series_starts: list[date] = field(init=False)

    def __post_init__(self) -> None:
        self.clubs_by_id = {club.organisation_id: club for club in self.town.clubs}
        self.near_days = ordinary_days(3, 3)
        self.series_starts = [
            weekly_dates(3, 3, weekday=day.weekday())[0] for day in self.near_days
        ]

    @property
    def calls(self) -> list[Call]:
        return self.recorder.calls

    async def hoarding_burst(self) -> None:
        """A club and a resident each ask for 12 two-hour evenings on one gym at once; the
        limit allows 4 each."""
        gym = next(s for s in self.town.spaces.values() if s.name == "Gymsal")
        club = self.town.clubs[0]
        days = ordinary_days(12, 10)
        requests = [self._book(gym.space_id, club, day, 18 * 60, 120) for day in days]
        requests += [self._book(gym.space_id, None, day, 20 * 60, 120) for day in days]
        await asyncio.gather(*requests)

    async def operation(self, number: int) -> None:
        roll = self.rng.random()
        if roll < 0.45:
            await self.book()
        elif roll < 0.55:
            await self.series()
        elif roll < 0.73:
            await self.cancel()
        elif roll < 0.77:
            await self.cancel_series()
        elif roll < 0.94:
            await self.reserve()
        else:
            await self.cancel_loan()

    async def book(self) -> None:
        space = self.rng.choice(list(self.town.spaces))
        club = self.rng.choice(self.town.clubs)
        length = self.rng.choice([60, 90, 120])
        start = self.rng.choice(range(0, 300 - length + 1, 30))
        day = self.rng.choice(self.near_days)
        await self._book(space, club, day, 17 * 60 + start, length)

    async def _book(
        self, space: str, club: Club | None, day: date, start: int, length: int
    ) -> None:
        """A club's booking, or with no club a resident's own."""
        begin = evening(day, start // 60, start % 60)
        body: dict[str, object] = {
            "space_id": space,
            "activity": "håndball" if club else "bursdag",
            "audience": "children_youth" if club else "private",
            "participants": 12,
            "start": begin.isoformat(),
            "end": (begin + timedelta(minutes=length)).isoformat(),
        }
        if club is None:
            body["contact"] = {"name": "Familien Hansen", "email": f"{RESIDENT}@example.no"}
            token = bearer(RESIDENT)
            await self.recorder.send(
                "book", "POST", "booking", "/bookings", token, body, sub=RESIDENT
            )
            return
        body["organisation_id"] = club.organisation_id
        await self.recorder.send("book", "POST", "booking", "/bookings", club.member, body)

    async def series(self) -> None:
        space = self.rng.choice(list(self.town.spaces))
        club = self.rng.choice(self.town.clubs)
        first = self.rng.choice(self.series_starts)
        start = self.rng.choice(["17:30", "18:00", "19:00"])
        body = {
            "space_id": space,
            "organisation_id": club.organisation_id,
            "activity": "innebandy",
            "audience": "children_youth",
            "participants": 12,
            "weekday": first.weekday(),
            "start_time": start,
            "end_time": f"{int(start[:2]) + 2}:{start[3:]}",
            "first_date": first.isoformat(),
            "last_date": (first + timedelta(weeks=2)).isoformat(),
        }
        await self.recorder.send("series", "POST", "booking", "/booking-series", club.member, body)

    async def cancel(self) -> None:
        booked = [
            b for b in answered_bookings(self.calls) if b["organisation_id"] in self.clubs_by_id
        ]
        if not booked:
            await self.book()
            return
        booking = self.rng.choice(booked)
        club = self.clubs_by_id[booking["organisation_id"]]
        path = f"/bookings/{booking['booking_id']}/cancel"
        await self.recorder.send(
            "cancel", "POST", "booking", path, club.member, booking_id=booking["booking_id"]
        )

    async def cancel_series(self) -> None:
        created = [call.body for call in self.recorder.of("series") if call.ok]
        if not created:
            await self.series()
            return
        series = self.rng.choice(created)
        club = self.clubs_by_id[series["organisation_id"]]
        path = f"/booking-series/{series['id']}/cancel"
        await self.recorder.send("cancel_series", "POST", "booking", path, club.member)

    async def reserve(self) -> None:
        resident = f"resident-{self.rng.randint(0, 39)}"
        item_type = self.rng.choice(list(self.town.item_types))
        pickup = today() + timedelta(days=self.rng.randint(1, 4))  # loans close on no day
        body = {
            "pickup_date": pickup.isoformat(),
            "return_date": (pickup + timedelta(days=self.rng.randint(0, 2))).isoformat(),
            "lines": [{"item_type_id": item_type, "quantity": self.rng.choice([1, 1, 2])}],
            "contact": {"name": "Familien Hansen", "email": f"{resident}@example.no"},
        }
        token = bearer(resident)
        await self.recorder.send("loan", "POST", "booking", "/loans", token, body, sub=resident)

    async def cancel_loan(self) -> None:
        loans = [call for call in self.recorder.of("loan") if call.ok]
        if not loans:
            await self.reserve()
            return
        loan = self.rng.choice(loans)
        path = f"/loans/{loan.body['loan_id']}/cancel"
        token = bearer(loan.request["sub"])
        await self.recorder.send(
            "cancel_loan", "POST", "booking", path, token, loan_id=loan.body["loan_id"]
        )


def answered_bookings(calls: Iterable[Call]) -> list[dict[str, Any]]:
    """Every booking a 201 told about, single or created by a series."""
    found: list[dict[str, Any]] = []
    for call in calls:
        if call.kind == "book" and call.ok:
            found.append(call.body)
        elif call.kind == "series" and call.ok:
            found.extend(call.body["created"])
    return found


# --- the invariants -------------------------------------------------------------------------


@dataclass
class Told:
    """What the answers said, indexed for the checks."""

    booked: dict[str, tuple[Call, dict[str, Any]]] = field(default_factory=dict)
    cancelled: dict[str, list[Call]] = field(default_factory=lambda: defaultdict(list))
    loans: dict[str, Call] = field(default_factory=dict)
    loans_cancelled: dict[str, list[Call]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, calls: list[Call]) -> Told:
        told = cls()
        for call in calls:
            if not call.ok:
                continue
            if call.kind == "book":
                told.booked[call.body["booking_id"]] = (call, call.body)
            elif call.kind == "series":
                for booking in call.body["created"]:
                    told.booked[booking["booking_id"]] = (call, booking)
            elif call.kind == "cancel":
                told.cancelled[call.request["booking_id"]].append(call)
            elif call.kind == "cancel_series":
                for booking_id in call.body["cancelled"]:
                    told.cancelled[str(booking_id)].append(call)
            elif call.kind == "loan":
                told.loans[call.body["loan_id"]] = call
            elif call.kind == "cancel_loan":
                told.loans_cancelled[call.request["loan_id"]].append(call)
        return told

    def may_hold(self, booking_id: str, call: Call) -> bool:
        """The booking may have been active while `call` ran: it was asked for before the call
        was answered, and no cancellation had been answered before the call was sent."""
        booked = self.booked.get(booking_id)
        if booked is None or booked[0].sent > call.received:
            return False
        return not any(c.received < call.sent for c in self.cancelled.get(booking_id, []))

    def may_hold_loan(self, loan_id: str, call: Call) -> bool:
        loan = self.loans[loan_id]
        if loan.sent > call.received:
            return False
        return not any(c.received < call.sent for c in self.loans_cancelled.get(loan_id, []))


async def check_invariants(stack: Stack, races: Races) -> None:
    calls, town = races.calls, races.town
    assert not [c for c in calls if c.status is None], "a request got no answer"
    assert not races.recorder.server_errors(), races.recorder.server_errors()[:3]
    told = Told.of(calls)
    db = stack.db("booking")
    bookings = {
        str(row["id"]): row
        for row in await db.rows(
            "SELECT id, space_id::text AS space_id, organisation_id::text AS organisation_id, "
            'start, "end", status, version, cancellation_reason FROM booking'
        )
    }
    await check_no_overlap(db, town, bookings)
    check_answers_match_rows(told, bookings)
    check_conflicts_are_real(calls, told, town)
    await check_hours_limit(db)
    await check_events(db, bookings)
    await check_loans(db, calls, told, town)
    kinds = Counter((c.kind, c.status) for c in calls)
    for kind, status, least in (
        ("book", 201, 20),
        ("book", 409, 20),
        ("series", 201, 2),
        ("cancel", 200, 5),
        ("loan", 201, 5),
        ("loan", 409, 5),
    ):
        assert kinds[(kind, status)] >= least, f"the load never hit {kind} {status}: {kinds}"


async def check_no_overlap(db: Any, town: Town, bookings: dict[str, Any]) -> None:
    clashing_rows = await db.scalar(
        """
        SELECT count(*) FROM booking_occupancy a JOIN booking_occupancy b
          ON a.space_id = b.space_id AND a.booking_id < b.booking_id AND a.during && b.during
        WHERE a.active AND b.active AND (a.own OR b.own)
        """
    )
    assert clashing_rows == 0
    active = [b for b in bookings.values() if b["status"] in ACTIVE]
    held = {
        (str(row["booking_id"]), str(row["space_id"]))
        for row in await db.rows("SELECT booking_id, space_id FROM booking_occupancy WHERE active")
    }
    for booking in bookings.values():
        space = town.space(booking["space_id"])
        expected = (
            {(str(booking["id"]), other) for other in space.conflict_set}
            if booking["status"] in ACTIVE
            else set()
        )
        assert {h for h in held if h[0] == str(booking["id"])} == expected, booking
    overlapping = []
    for i, first in enumerate(active):
        first_space = town.space(first["space_id"])
        first_held = (first["start"], first["end"] + timedelta(minutes=first_space.buffer_minutes))
        for second in active[i + 1 :]:
            if second["space_id"] not in first_space.conflict_set:
                continue
            buffer = timedelta(minutes=town.space(second["space_id"]).buffer_minutes)
            if overlaps(first_held, (second["start"], second["end"] + buffer)):
                overlapping.append((first, second))
    assert not overlapping, overlapping[:3]


def check_answers_match_rows(told: Told, bookings: dict[str, Any]) -> None:
    assert set(bookings) == set(told.booked), "stored bookings differ from the 201 answers"
    for booking_id, (call, answer) in told.booked.items():
        row = bookings[booking_id]
        assert row["space_id"] == answer["space_id"]
        assert row["organisation_id"] == call.request["body"].get("organisation_id")
        assert (row["start"], row["end"]) == (instant(answer["start"]), instant(answer["end"]))
        cancels = told.cancelled.get(booking_id, [])
        assert len(cancels) <= 1, f"{booking_id} was cancelled twice: {cancels}"
        assert row["status"] == ("cancelled" if cancels else "confirmed"), (row, cancels)
        if cancels:
            reasons = {"cancel": "by_organisation", "cancel_series": "series_cancelled"}
            assert row["cancellation_reason"] == reasons[cancels[0].kind]


def check_conflicts_are_real(calls: list[Call], told: Told, town: Town) -> None:
    answered = {booking_id: answer for booking_id, (_, answer) in told.booked.items()}
    for call in calls:
        if call.status is None or call.ok:
            continue
        if call.kind in ("book", "series"):
            check_refused_booking(call, told, town, answered)
        elif call.kind == "cancel":
            assert (call.status, call.code) == (409, "transition-not-allowed"), call
            booking_id = call.request["booking_id"]
            assert any(c.sent < call.received for c in told.cancelled[booking_id]), call
        elif call.kind == "loan":
            check_refused_loan(call, told, town)
        elif call.kind == "cancel_loan":
            assert (call.status, call.code) == (409, "transition-not-allowed"), call
            loan_id = call.request["loan_id"]
            assert any(c.sent < call.received for c in told.loans_cancelled[loan_id]), call
        else:
            raise AssertionError(f"unexpected answer {call}")


def requested_intervals(call: Call) -> list[tuple[datetime, datetime]]:
    body = call.request["body"]
    if call.kind == "book":
        return [(instant(body["start"]), instant(body["end"]))]
    first, last = date.fromisoformat(body["first_date"]), date.fromisoformat(body["last_date"])
    start_h, start_m = map(int, body["start_time"].split(":"))
    end_h, end_m = map(int, body["end_time"].split(":"))
    days = (first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1))
    return [(evening(d, start_h, start_m), evening(d, end_h, end_m)) for d in days]


def check_refused_booking(
    call: Call, told: Told, town: Town, answered: dict[str, dict[str, Any]]
) -> None:
    body = call.request["body"]
    space = town.space(body["space_id"])
    wanted = requested_intervals(call)
    if call.kind == "series" and call.status == 422:
        assert "No date of the series" in call.body["detail"], call  # every date was taken
        return
    assert call.status == 409, call
    if call.code == "limit-exceeded":
        minutes = sum(
            (instant(a["end"]) - instant(a["start"])).total_seconds() / 60
            for booking_id, (by, a) in told.booked.items()
            if holder(by) == holder(call)
            and a["space_id"] == body["space_id"]
            and told.may_hold(booking_id, call)
        )
        asked = sum((end - start).total_seconds() / 60 for start, end in wanted)
        assert minutes + asked > HOURS_LIMIT * 60, (call, minutes, asked)
        return
    assert call.code == "conflict", call
    named = call.body["conflicting_interval"]
    interval = (instant(named["start"]), instant(named["end"]))
    holders = [
        booking_id
        for booking_id, a in answered.items()
        if a["space_id"] in space.conflict_set
        and (instant(a["start"]), instant(a["end"])) == interval
        and told.may_hold(booking_id, call)
    ]
    assert holders, f"409 names {interval} but no booking of the conflict set held it: {call}"
    buffer = timedelta(
        minutes=max(town.space(answered[h]["space_id"]).buffer_minutes for h in holders)
        + space.buffer_minutes
    )
    padded = (interval[0] - buffer, interval[1] + buffer)
    assert any(overlaps(padded, w) for w in wanted), (call, interval)


def holder(call: Call) -> str:
    """Whose hours a booking request counts against: its organisation, or the resident."""
    return str(call.request["body"].get("organisation_id") or call.request["sub"])


def loan_days(body: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(body["pickup_date"]), date.fromisoformat(body["return_date"])


def check_refused_loan(call: Call, told: Told, town: Town) -> None:
    """An 'insufficient stock' answer: the units that may have been held then leave too few."""
    assert (call.status, call.code) == (409, "insufficient-stock"), call
    pickup, back = loan_days(call.request["body"])
    (line,) = call.request["body"]["lines"]
    item_type = town.item_types[line["item_type_id"]]
    held: set[str] = set()
    for loan_id, loan in told.loans.items():
        other_pickup, other_back = loan_days(loan.request["body"])
        if other_pickup <= back and pickup <= other_back and told.may_hold_loan(loan_id, call):
            held.update(unit["unit_id"] for line in loan.body["lines"] for unit in line["units"])
    free = set(item_type.unit_ids) - held
    assert len(free) < line["quantity"], (call, free)


async def check_hours_limit(db: Any) -> None:
    over = await db.rows(
        """
        SELECT coalesce(organisation_id::text, booker_sub) AS holder, space_id,
               sum(extract(epoch FROM "end" - start)) / 3600 AS hours
        FROM booking WHERE status IN ('requested', 'confirmed') AND "end" > :now
        GROUP BY 1, space_id HAVING sum(extract(epoch FROM "end" - start)) > :limit
        """,
        limit=HOURS_LIMIT * 3600,
        now=datetime.now(UTC),  # the services' clock, not the database's
    )
    assert not over, f"organisations over the limit of {HOURS_LIMIT} hours: {over}"


async def check_events(db: Any, bookings: dict[str, Any]) -> None:
    """One placed event per booking, one cancelled event per cancellation, and the last event
    of each booking carries its stored status and version."""
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in await db.rows("SELECT event_type, value FROM outbox ORDER BY id"):
        data = json.loads(bytes(row["value"]))
        if "booking" not in data:
            continue  # series and loan events
        events[data["booking"]["booking_id"]].append(
            {"type": row["event_type"].split(".")[-2], **data["booking"]}
        )
    assert set(events) == set(bookings)
    for booking_id, row in bookings.items():
        types = Counter(e["type"] for e in events[booking_id])
        cancelled = 1 if row["status"] == "cancelled" else 0
        assert types == Counter(
            {"confirmed": 1, "cancelled": cancelled} if cancelled else {"confirmed": 1}
        ), (
            booking_id,
            types,
        )
        last = events[booking_id][-1]
        assert (last["status"], last["version"]) == (row["status"], row["version"])


async def check_loans(db: Any, calls: list[Call], told: Told, town: Town) -> None:
    double = await db.scalar(
        """
        SELECT count(*) FROM loan_unit a JOIN loan_unit b
          ON a.unit_id = b.unit_id AND a.id < b.id AND a.period && b.period
        WHERE a.active AND b.active
        """
    )
    assert double == 0, "a unit is lent twice"
    loans = {str(row["loan_id"]): row for row in await db.rows("SELECT loan_id, status FROM loan")}
    assert set(loans) == set(told.loans), "stored loans differ from the 201 answers"
    units: dict[str, set[str]] = defaultdict(set)
    active: dict[str, set[bool]] = defaultdict(set)
    for row in await db.rows("SELECT loan_id, unit_id, active FROM loan_unit"):
        units[str(row["loan_id"])].add(str(row["unit_id"]))
        active[str(row["loan_id"])].add(bool(row["active"]))
    for loan_id, call in told.loans.items():
        answered_units = {u["unit_id"] for line in call.body["lines"] for u in line["units"]}
        assert units[loan_id] == answered_units
        cancelled = bool(told.loans_cancelled.get(loan_id))
        assert loans[loan_id]["status"] == ("cancelled" if cancelled else "reserved")
        assert active[loan_id] == {not cancelled}
    known_units = {u for t in town.item_types.values() for u in t.unit_ids}
    assert set().union(*units.values()) <= known_units
