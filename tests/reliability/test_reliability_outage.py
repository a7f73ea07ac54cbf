"""Broker outage: every service reaches the broker through a TCP proxy the test controls; it
is cut in the middle of 500 bookings and restored.

The embedded broker keeps its data in memory only, so it is cut off rather than restarted (a
restart of Apache Kafka is the same test; a restart of the in-memory broker is another one: it
loses what it held). Bookings go on while the broker is away (their events wait in the
outbox), and afterwards every committed booking's event is on the topic, notifications' read
model and space feeds list every confirmed booking, and each confirmation is one message,
received once by the SMTP server.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from samspill.events import booking as bk
from samspill.infra import Infrastructure
from tests.integration.notifications.builders import Mailbox, smtp_server
from tests.reliability.delivery import (
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
    broker_behind_proxy,
    logs_on_failure,
    running_stack,
)
from tests.reliability.tcp_proxy import TcpProxy
from tests.reliability.town import Town, booking_knows, build_school, register_clubs
from tests.support import eventually

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.calendar,
    pytest.mark.timeout(420),
]

BOOKINGS = 500
CUT_AFTER = 150
RESTORE_AFTER = 300
CUT_FOR_S = 4.0
NO_HOUR_LIMIT = {"BOOKING_MAX_FUTURE_HOURS_PER_SPACE": "100000"}


async def test_broker_cut_off_mid_load_loses_and_duplicates_nothing(
    infra: Infrastructure, database_factory: DatabaseFactory, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    async with (
        broker_behind_proxy() as (proxy, kafka),
        smtp_server(mailbox) as smtp_port,
        running_stack(
            infra,
            database_factory,
            kafka,
            tmp_path,
            smtp_port=smtp_port,
            label="outage",
            env={"booking": NO_HOUR_LIMIT},
        ) as stack,
    ):
        with logs_on_failure(tmp_path):
            town = Town()
            await build_school(stack, town, gyms=[f"Gymsal {n}" for n in range(1, 6)])
            await register_clubs(stack, town, 10, seed=1)
            await booking_knows(stack, town)

            recorder = Recorder(stack)
            slots = free_slots(town, BOOKINGS)
            outage = asyncio.create_task(cut_during(stack, proxy, recorder))
            await run_workers(16, BOOKINGS, lambda n: book(recorder, slots[n]))
            waited_in_outbox = await outage

            await check_nothing_lost(stack, recorder, town, mailbox)
            assert waited_in_outbox > 0, "no event waited for the broker: the cut did nothing"


async def cut_during(stack: Stack, proxy: TcpProxy, recorder: Recorder) -> int:
    """Cut the broker off after CUT_AFTER answers, restore it after RESTORE_AFTER; returns
    how many events waited in the outbox just before the broker came back."""
    await eventually(lambda: answered(recorder, CUT_AFTER), timeout=90, interval=0.02)
    await proxy.cut()
    cut_at = time.monotonic()
    await eventually(lambda: answered(recorder, RESTORE_AFTER), timeout=90, interval=0.05)
    # Long enough for the clients' request timeouts (5 s in the test stack) to run out.
    await asyncio.sleep(max(0.0, CUT_FOR_S - (time.monotonic() - cut_at)))
    waiting = int(
        await stack.db("booking").scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    )
    await proxy.restore()
    return waiting


async def answered(recorder: Recorder, least: int) -> bool:
    return len([c for c in recorder.of("book") if c.status is not None]) >= least


async def check_nothing_lost(
    stack: Stack, recorder: Recorder, town: Town, mailbox: Mailbox
) -> None:
    calls = recorder.of("book")
    assert len(calls) == BOOKINGS
    assert all(c.status == 201 for c in calls), [c for c in calls if c.status != 201][:3]
    told = confirmed_ids(recorder)
    assert len(told) == BOOKINGS

    await wait_outbox_drained(stack)
    dead_lettered = await stack.db("booking").scalar("SELECT count(*) FROM outbox_dead_letter")
    assert dead_lettered == 0, "the outage was taken for a fault of the records"
    stored = await stored_bookings(stack)
    assert set(stored) == told
    events = await booking_events_on_topic(stack)
    assert set(events) == told, "a committed booking's event is not on the topic"
    for booking_id, envelopes in events.items():
        assert {type(e.data) for e in envelopes} == {bk.BookingConfirmed}, booking_id
        assert len({e.id for e in envelopes}) == 1, f"{booking_id} was published as two events"

    await wait_read_model(stack, told)
    await check_space_feeds(stack, stored)
    await wait_messages_sent(stack, BOOKINGS)
    clubs = {club.organisation_id: club for club in town.clubs}
    received = await check_each_message_once(stack, mailbox, told, clubs)
    twice = {message_id: n for message_id, n in received.items() if n > 1}
    assert not twice, f"the SMTP server received messages more than once: {twice}"
