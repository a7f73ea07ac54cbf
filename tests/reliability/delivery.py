"""Checks shared by the fault tests: what reached the topic, the feeds and the mailbox.

Every check reads stored state: the booking service's outbox and the `samspill.booking` topic,
the notifications service's read model and message table, the public feeds it serves, and
what a real SMTP server received.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from notifications.domain.entries import booking_uid
from samspill.events import booking as bk
from samspill.events.base import Envelope
from tests.dates import ordinary_dates
from tests.integration.notifications.builders import Mailbox
from tests.reliability.load import Recorder
from tests.reliability.stack import Stack
from tests.reliability.town import Club, Town, evening
from tests.support import eventually

SLOTS_PER_EVENING = ((17, 19), (19, 21))


@dataclass(frozen=True)
class Slot:
    space_id: str
    club: Club
    start_hour: int
    end_hour: int
    day: date

    def body(self) -> dict[str, Any]:
        return {
            "space_id": self.space_id,
            "organisation_id": self.club.organisation_id,
            "activity": "fotball",
            "audience": "children_youth",
            "participants": 14,
            "start": evening(self.day, self.start_hour).isoformat(),
            "end": evening(self.day, self.end_hour).isoformat(),
        }


def free_slots(town: Town, count: int, *, first_day: int = 2) -> list[Slot]:
    """`count` slots that clash with no other: spaces × ordinary evenings × two slots, clubs in
    turn (no holiday closes the schools then)."""
    spaces = sorted(town.spaces)
    slots: list[Slot] = []
    days = ordinary_dates(first_day)
    while len(slots) < count:
        day = next(days)
        for space_id in spaces:
            for begin, end in SLOTS_PER_EVENING:
                club = town.clubs[len(slots) % len(town.clubs)]
                slots.append(Slot(space_id, club, begin, end, day))
    return slots[:count]


async def book(recorder: Recorder, slot: Slot) -> None:
    await recorder.send(
        "book", "POST", "booking", "/bookings", slot.club.member, slot.body(), slot=slot
    )


def confirmed_ids(recorder: Recorder) -> set[str]:
    """The bookings a client was told are confirmed (201)."""
    return {
        call.body["booking_id"]
        for call in recorder.of("book")
        if call.status == 201 and call.body["status"] == "confirmed"
    }


async def wait_outbox_drained(stack: Stack, timeout: float = 60) -> None:
    db = stack.db("booking")

    async def drained() -> bool:
        return bool(await db.scalar("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"))

    await eventually(drained, timeout=timeout, interval=0.2)


async def booking_events_on_topic(stack: Stack) -> dict[str, list[Envelope]]:
    """Booking events on `samspill.booking`, by booking id, in topic order per partition."""
    found: dict[str, list[Envelope]] = defaultdict(list)
    for envelope in await stack.read_topic(bk.contract):
        booking = getattr(envelope.data, "booking", None)
        if isinstance(booking, bk.BookingState):
            found[str(booking.booking_id)].append(envelope)
    return found


async def stored_bookings(stack: Stack) -> dict[str, Any]:
    rows = await stack.db("booking").rows(
        "SELECT id::text AS id, space_id::text AS space_id, "
        'organisation_id::text AS organisation_id, start, "end", status, version FROM booking'
    )
    return {row["id"]: row for row in rows}


async def wait_read_model(stack: Stack, booking_ids: Iterable[str], timeout: float = 60) -> None:
    """Until notifications' read model holds every booking as confirmed."""
    wanted = sorted(booking_ids)
    db = stack.db("notifications")

    async def converged() -> bool:
        confirmed = await db.scalar(
            "SELECT count(*) FROM booking "
            "WHERE status = 'confirmed' AND booking_id::text = ANY(:ids)",
            ids=wanted,
        )
        return bool(confirmed == len(wanted))

    await eventually(converged, timeout=timeout, interval=0.25)


async def check_space_feeds(stack: Stack, bookings: dict[str, Any]) -> None:
    """Each space's public feed lists exactly the bookings of that space the booking service
    holds as confirmed."""
    by_space: dict[str, set[str]] = defaultdict(set)
    for booking_id, row in bookings.items():
        if row["status"] == "confirmed":
            by_space[row["space_id"]].add(booking_uid(uuid.UUID(booking_id)))
    for space_id, uids in by_space.items():
        response = await stack.request("GET", "notifications", f"/feeds/spaces/{space_id}.ics")
        assert response.status_code == 200, response.text
        listed = {
            line.removeprefix("UID:").strip()
            for line in response.text.splitlines()
            if line.startswith("UID:booking-")
        }
        assert listed == uids, (
            f"the feed of {space_id} misses {len(uids - listed)} bookings "
            f"and lists {len(listed - uids)} unknown ones"
        )


async def confirmation_event_ids(stack: Stack) -> dict[str, str]:
    """Booking id → id of its `booking.confirmed` event, from the booking service's outbox."""
    rows = await stack.db("booking").rows(
        "SELECT event_id, value FROM outbox WHERE event_type = :type",
        type="samspill.booking.confirmed.v1",
    )
    return {
        json.loads(bytes(row["value"]))["booking"]["booking_id"]: row["event_id"] for row in rows
    }


async def confirmation_messages(stack: Stack) -> dict[str, list[Any]]:
    """Confirmation messages by the id of the event that queued them."""
    rows = await stack.db("notifications").rows(
        "SELECT id::text AS id, dedupe_key, address, status FROM message "
        "WHERE kind = 'booking_confirmed'"
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row["dedupe_key"].split(":", 1)[0]].append(row)
    return found


async def wait_messages_sent(stack: Stack, expected: int, timeout: float = 60) -> None:
    """Until `expected` confirmation messages are sent and none waits."""
    db = stack.db("notifications")

    async def sent() -> bool:
        counts = dict(
            (row["status"], row["n"])
            for row in await db.rows(
                "SELECT status, count(*) AS n FROM message WHERE kind = 'booking_confirmed' "
                "GROUP BY status"
            )
        )
        return bool(counts.get("sent", 0) >= expected and counts.get("pending", 0) == 0)

    await eventually(sent, timeout=timeout, interval=0.25)


async def check_each_message_once(
    stack: Stack, mailbox: Mailbox, booking_ids: Iterable[str], clubs: dict[str, Club]
) -> Counter[str]:
    """One confirmation message per booking, sent to its club; returns how often the SMTP
    server received each of them (by Message-ID)."""
    events = await confirmation_event_ids(stack)
    messages = await confirmation_messages(stack)
    received = received_message_ids(mailbox)
    bookings = await stored_bookings(stack)
    for booking_id in booking_ids:
        queued = messages.get(events[booking_id], [])
        assert len(queued) == 1, f"{booking_id}: {len(queued)} confirmation messages"
        (message,) = queued
        assert message["status"] == "sent", message
        assert received[message["id"]] >= 1, f"message {message['id']} never reached SMTP"
        club = clubs[bookings[booking_id]["organisation_id"]]
        assert message["address"] == club.email
    assert len(received) == sum(len(m) for m in messages.values()), "unknown mail received"
    return received


def received_message_ids(mailbox: Mailbox) -> Counter[str]:
    """How often the SMTP server received each Message-ID."""
    return Counter(
        str(message["Message-ID"]).strip("<>").split("@", 1)[0] for message in mailbox.received
    )
