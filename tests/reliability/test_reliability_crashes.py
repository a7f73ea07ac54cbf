"""Crashes: `kill -9` of the notifications process in the middle of a batch of events, and of
the booking process under load; both are started again and what is stored is checked.

- consumer crash: every booking leads to exactly one confirmation message, sent; each message
  reached the SMTP server, and the feeds list exactly the confirmed bookings. Sending and
  marking a message sent cannot be one atomic step, so a kill between the SMTP server's
  acceptance and the commit sends that one message again on restart, under the same
  Message-ID (mail systems drop such a copy): at most one message per kill may arrive twice.
- service crash: no booking a client was told is confirmed (201) is lost, every stored booking
  was either confirmed to its client or asked for by a request that got no answer, and every
  `booking.*` event in the outbox and on the topic belongs to a stored booking (none for a
  booking that was rolled back), each stored booking having exactly one.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from samspill.events import booking as bk
from samspill.infra import Infrastructure
from samspill.kafka import KafkaConfig
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.reliability.delivery import (
    Slot,
    book,
    booking_events_on_topic,
    check_each_message_once,
    check_space_feeds,
    confirmed_ids,
    free_slots,
    stored_bookings,
    wait_messages_sent,
    wait_outbox_drained,
    wait_read_model,
)
from tests.reliability.load import Recorder, run_workers
from tests.reliability.stack import (
    DatabaseFactory,
    Stack,
    logs_on_failure,
    running_stack,
)
from tests.reliability.town import Town, booking_knows, build_school, register_clubs
from tests.support import eventually

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.calendar,
    pytest.mark.timeout(420),
]

NO_HOUR_LIMIT = {"BOOKING_MAX_FUTURE_HOURS_PER_SPACE": "100000"}


# --- consumer crash -------------------------------------------------------------------------

PILED_UP = 200
KILL_AT = (40, 120)  # booking events applied when notifications is killed


async def test_notifications_killed_mid_batch_sends_each_message_once(
    infra: Infrastructure,
    isolated_kafka: KafkaConfig,
    database_factory: DatabaseFactory,
    tmp_path: Path,
) -> None:
    mailbox = Mailbox()
    async with (
        smtp_server(mailbox) as smtp_port,
        running_stack(
            infra,
            database_factory,
            isolated_kafka,
            tmp_path,
            smtp_port=smtp_port,
            label="consumer_crash",
            env={"booking": NO_HOUR_LIMIT},
        ) as stack,
    ):
        with logs_on_failure(tmp_path):
            town = Town()
            await build_school(stack, town, gyms=["Gymsal 1", "Gymsal 2", "Gymsal 3"])
            await register_clubs(stack, town, 6, seed=2)
            await booking_knows(stack, town)
            await notifications_knows_clubs(stack, town)

            # Events pile up on the topic while notifications is away, so it meets full batches.
            await asyncio.to_thread(stack.services["notifications"].stop)
            recorder = Recorder(stack)
            slots = free_slots(town, PILED_UP)
            await run_workers(16, PILED_UP, lambda n: book(recorder, slots[n]))
            told = confirmed_ids(recorder)
            assert len(told) == PILED_UP
            await wait_outbox_drained(stack)

            for applied in KILL_AT:
                stack.services["notifications"].start()
                await eventually(
                    functools.partial(booking_events_applied, stack, applied),
                    timeout=60,
                    interval=0.01,
                )
                await stack.kill("notifications")
            await stack.restart("notifications")

            await wait_read_model(stack, told)
            await check_space_feeds(stack, await stored_bookings(stack))
            await wait_messages_sent(stack, PILED_UP)
            clubs = {club.organisation_id: club for club in town.clubs}
            received = await check_each_message_once(stack, mailbox, told, clubs)
            again = sum(count - 1 for count in received.values())
            assert again <= len(KILL_AT), f"{again} messages arrived twice"
            inbox = await stack.db("notifications").scalar(
                "SELECT count(*) FROM inbox WHERE event_type = :type",
                type="samspill.booking.confirmed.v1",
            )
            assert inbox == PILED_UP


async def notifications_knows_clubs(stack: Stack, town: Town) -> None:
    async def known() -> bool:
        count = await stack.db("notifications").scalar("SELECT count(*) FROM organisation")
        return bool(count == len(town.clubs))

    await eventually(known)


async def booking_events_applied(stack: Stack, least: int) -> bool:
    """At least `least` booking events applied, but not all: the kill lands mid-batch."""
    applied = await stack.db("notifications").scalar(
        "SELECT count(*) FROM inbox WHERE event_type = :type",
        type="samspill.booking.confirmed.v1",
    )
    assert applied < PILED_UP, "notifications finished before it could be killed"
    return bool(applied >= least)


# --- service crash --------------------------------------------------------------------------

CONTESTED_SLOTS = 140
KILL_AFTER_ANSWERS = 90


async def test_booking_killed_under_load_loses_no_confirmed_booking_and_no_event_strays(
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
        label="service_crash",
        services=("facilities", "booking"),
        env={"booking": NO_HOUR_LIMIT},
    ) as stack:
        with logs_on_failure(tmp_path):
            town = Town()
            await build_school(stack, town, halls=[("Storhallen", 2, 0)], gyms=["Gymsal"])
            await register_clubs(stack, town, 6, seed=3)
            await booking_knows(stack, town)

            requests = contested(town, random.Random(8))
            recorder = Recorder(stack)
            killer = asyncio.create_task(kill_and_restart(stack, recorder))
            await run_workers(16, len(requests), lambda n: attempt(stack, recorder, requests[n]))
            await killer
            await wait_outbox_drained(stack)
            await check_survivors(stack, recorder)


def contested(town: Town, rng: random.Random) -> list[Slot]:
    """Each slot asked for by two clubs, and the whole hall's slots clash with its parts' too:
    more than half of the requests must be refused, their transactions rolled back."""
    slots = free_slots(town, CONTESTED_SLOTS)
    others = {club.organisation_id: club for club in town.clubs}
    requests: list[Slot] = []
    for slot in slots:
        rival = rng.choice([c for c in others.values() if c != slot.club])
        requests += [
            slot,
            Slot(slot.space_id, rival, slot.start_hour, slot.end_hour, slot.day),
        ]
    rng.shuffle(requests)
    return requests


async def attempt(stack: Stack, recorder: Recorder, slot: Slot) -> None:
    call = await recorder.send(
        "book", "POST", "booking", "/bookings", slot.club.member, slot.body(), slot=slot
    )
    if call.status is None:  # the service is away: wait for it instead of spinning the load
        await eventually(lambda: answers(stack), timeout=60, interval=0.1)


async def answers(stack: Stack) -> bool:
    try:
        return (await stack.request("GET", "booking", "/healthz")).status_code == 200
    except httpx.TransportError:
        return False


async def kill_and_restart(stack: Stack, recorder: Recorder) -> None:
    async def enough() -> bool:
        return len([c for c in recorder.calls if c.status is not None]) >= KILL_AFTER_ANSWERS

    await eventually(enough, timeout=60, interval=0.01)
    await stack.kill("booking")
    await asyncio.sleep(0.5)
    await stack.restart("booking")


async def check_survivors(stack: Stack, recorder: Recorder) -> None:
    calls = recorder.of("book")
    statuses = Counter(call.status for call in calls)
    assert statuses[None] >= 1, f"the kill hit no request in flight: {statuses}"
    assert set(statuses) <= {201, 409, None}, statuses
    assert statuses[201] >= 40, statuses
    assert statuses[409] >= 40, statuses
    told = confirmed_ids(recorder)
    stored = await stored_bookings(stack)
    assert told <= set(stored), f"{len(told - set(stored))} confirmed bookings were lost"
    assert all(stored[b]["status"] == "confirmed" for b in told)
    unanswered = {slot_key(c.request["body"]) for c in calls if c.status is None}
    for booking_id, row in stored.items():
        if booking_id not in told:
            key = (row["space_id"], row["organisation_id"], row["start"], row["end"])
            assert key in unanswered, f"{booking_id} is stored but its client was refused"

    outbox = await outbox_bookings(stack)
    assert set(outbox) == set(stored), "outbox events and stored bookings differ"
    assert all(types == ["confirmed"] for types in outbox.values()), outbox
    on_topic = await booking_events_on_topic(stack)
    assert set(on_topic) == set(stored), "events on the topic and stored bookings differ"
    for envelopes in on_topic.values():
        assert {type(e.data) for e in envelopes} == {bk.BookingConfirmed}
    overlapping = await stack.db("booking").scalar(
        """
        SELECT count(*) FROM booking_occupancy a JOIN booking_occupancy b
          ON a.space_id = b.space_id AND a.booking_id < b.booking_id AND a.during && b.during
        WHERE a.active AND b.active AND (a.own OR b.own)
        """
    )
    assert overlapping == 0


def slot_key(body: dict[str, str]) -> tuple[str, str, datetime, datetime]:
    return (
        body["space_id"],
        body["organisation_id"],
        datetime.fromisoformat(body["start"]),
        datetime.fromisoformat(body["end"]),
    )


async def outbox_bookings(stack: Stack) -> dict[str, list[str]]:
    """Booking id → the kinds of its events in the outbox, oldest first."""
    found: dict[str, list[str]] = defaultdict(list)
    for row in await stack.db("booking").rows("SELECT event_type, value FROM outbox ORDER BY id"):
        data = json.loads(bytes(row["value"]))
        if "booking" in data:
            found[data["booking"]["booking_id"]].append(row["event_type"].split(".")[-2])
    return found
