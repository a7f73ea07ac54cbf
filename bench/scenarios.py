"""The measurements. Each returns plain figures; the runner prints and stores them."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis

from bench.api import Api
from bench.dataset import DataSet, Slot, booking_body
from bench.measure import Job, Timing, eventually, run_concurrently, run_sequentially
from bench.scale import Scale
from bench.stack import BenchError
from notifications.domain.entries import booking_uid
from notifications.feeds.queries import FeedCache, FeedKey, FeedKind

LAG_TIMEOUT_S = 15.0
LAG_POLL_S = 0.005


# --- booking POST ----------------------------------------------------------------------------


def booking_jobs(api: Api, data: DataSet, slots: Iterator[Slot]) -> Iterator[Job]:
    """Endless booking requests, each on a free evening hour of a school space."""

    async def book(slot: Slot) -> str:
        club = data.club(slot.space_id)
        body = booking_body(slot, club, data.booked)
        data.booked += 1
        return await api.status("POST", "booking", "/bookings", club.token, json=body)

    while True:
        slot = next(slots)
        yield lambda slot=slot: book(slot)  # type: ignore[misc]


async def booking_posts(
    api: Api, data: DataSet, slots: Iterator[Slot], clients: int, count: int, timeout_s: float
) -> Timing:
    jobs = booking_jobs(api, data, slots)
    await run_concurrently(clients, jobs, clients, timeout_s)  # warm connections and caches
    return await run_concurrently(clients, jobs, count, timeout_s)


# --- availability ----------------------------------------------------------------------------


async def availability(api: Api, data: DataSet, scale: Scale) -> tuple[Timing, dict[str, Any]]:
    """All school spaces over the availability week, the busiest week of the data set."""
    params = {
        "from": data.availability_from.isoformat(),
        "to": data.availability_to.isoformat(),
        "site_kind": "school",
    }
    sizes: list[int] = []

    async def ask() -> str:
        response = await api.request("GET", "booking", "/availability", params=params)
        if response.status_code == 200:
            answer = response.json()
            if len(answer) != scale.spaces:
                raise BenchError(f"availability answered {len(answer)} of {scale.spaces} spaces")
            sizes.append(len(response.content))
        return str(response.status_code)

    def jobs() -> Iterator[Job]:
        while True:
            yield ask

    await run_sequentially(jobs(), 2, scale.phase_timeout_s)
    timing = await run_sequentially(jobs(), scale.availability_requests, scale.phase_timeout_s)
    return timing, {"spaces": scale.spaces, "days": 7, "response_bytes": max(sizes, default=0)}


# --- feed ------------------------------------------------------------------------------------


async def feed(
    api: Api, data: DataSet, scale: Scale, redis_url: str
) -> tuple[dict[str, Timing], dict[str, Any]]:
    """The public feed of the space with `scale.feed_events` bookings: rendered afresh (its
    cache entry invalidated, as an event would), served from the cache, and answered 304."""
    path = f"/feeds/spaces/{data.feed_space_id}.ics"
    body = await _full_feed(api, path, scale.feed_events)
    etag = ""
    key = FeedKey(FeedKind.SPACE, data.feed_space_id)
    redis = Redis.from_url(redis_url)
    cache = FeedCache(redis, ttl_s=300)

    async def get(headers: dict[str, str], expected: int) -> str:
        nonlocal etag
        response = await api.request("GET", "notifications", path, headers=headers)
        if response.status_code != expected:
            raise BenchError(f"feed answered {response.status_code}, expected {expected}")
        etag = response.headers.get("etag", etag)
        return str(response.status_code)

    def repeat(job: Job) -> Iterator[Job]:
        while True:
            yield job

    try:
        # The last render fills the cache the next two paths are served from.
        render = await timed_after(cache, key, lambda: get({}, 200), scale.feed_renders)
        cached = await run_sequentially(
            repeat(lambda: get({}, 200)), scale.feed_requests, scale.phase_timeout_s
        )
        not_modified = await run_sequentially(
            repeat(lambda: get({"If-None-Match": etag}, 304)),
            scale.feed_requests,
            scale.phase_timeout_s,
        )
    finally:
        await redis.aclose()
    facts = {"events": body.count(b"BEGIN:VEVENT"), "body_bytes": len(body)}
    return {"render": render, "cached": cached, "not_modified": not_modified}, facts


async def timed_after(cache: FeedCache, key: FeedKey, job: Job, count: int) -> Timing:
    """Time `job` right after the feed's cache entry is invalidated (the invalidation untimed)."""
    timing = Timing()
    started = time.perf_counter()
    for _ in range(count):
        await cache.invalidate([key])
        begun = time.perf_counter()
        timing.outcomes[await job()] += 1
        timing.latencies.append(time.perf_counter() - begun)
    timing.wall_s = time.perf_counter() - started
    return timing


async def _full_feed(api: Api, path: str, events: int) -> bytes:
    async def full() -> bytes | None:
        response = await api.request("GET", "notifications", path)
        body = response.content
        return body if body.count(b"BEGIN:VEVENT") >= events else None

    return await eventually(full, timeout_s=120, interval_s=0.5, what=f"a feed of {events}")


# --- event lag -------------------------------------------------------------------------------


async def event_lag(api: Api, data: DataSet, scale: Scale, rng: random.Random) -> Timing:
    """From the booking's 201 (its transaction committed) to its VEVENT in the space's feed.

    Samples start at random moments, so none lines up with the relay's or consumer's polls.
    """
    path = f"/feeds/spaces/{data.lag_space_id}.ics"
    slots = data.lag_slots()
    timing = Timing()
    started = time.perf_counter()
    etag = (await api.request("GET", "notifications", path)).headers.get("etag", "")
    for _ in range(scale.lag_samples):
        await asyncio.sleep(rng.uniform(0.05, 0.3))
        lag, etag = await _one_lag(api, data, path, next(slots), etag)
        timing.latencies.append(lag)
        timing.outcomes["visible"] += 1
    timing.wall_s = time.perf_counter() - started
    return timing


async def _one_lag(api: Api, data: DataSet, path: str, slot: Slot, etag: str) -> tuple[float, str]:
    club = data.club(slot.space_id)
    body = booking_body(slot, club, data.booked)
    data.booked += 1
    response = await api.request("POST", "booking", "/bookings", club.token, json=body)
    committed = time.perf_counter()
    if response.status_code != 201:
        raise BenchError(f"lag booking answered {response.status_code}: {response.text[:300]}")
    uid = booking_uid(uuid.UUID(response.json()["booking_id"])).encode()
    deadline = committed + LAG_TIMEOUT_S
    while time.perf_counter() < deadline:
        feed = await api.request("GET", "notifications", path, headers={"If-None-Match": etag})
        if feed.status_code == 200:
            etag = feed.headers.get("etag", etag)
            if uid in feed.content:
                return time.perf_counter() - committed, etag
        await asyncio.sleep(LAG_POLL_S)
    raise BenchError(f"booking not in the space feed after {LAG_TIMEOUT_S:.0f} s")


# --- loans -----------------------------------------------------------------------------------


def loan_jobs(api: Api, data: DataSet, rng: random.Random) -> Iterator[Job]:
    """Residents (one each, so no resident limit applies) reserve 1–2 units of a scarce item
    type for 1–3 days within the coming two weeks."""
    number = 0

    async def reserve(token: str, body: dict[str, Any]) -> str:
        return await api.status("POST", "booking", "/loans", token, json=body)

    while True:
        number += 1
        pickup = data.today + timedelta(days=rng.randint(1, 12))
        body = {
            "pickup_date": pickup.isoformat(),
            "return_date": (pickup + timedelta(days=rng.randint(1, 3))).isoformat(),
            "lines": [
                {"item_type_id": rng.choice(data.item_type_ids), "quantity": rng.randint(1, 2)}
            ],
            "contact": {"name": "Familien Hansen", "email": f"familie{number}@example.no"},
        }
        token = api.stack.token(f"resident-{number}")
        yield lambda token=token, body=body: reserve(token, body)  # type: ignore[misc]


async def loans(api: Api, data: DataSet, scale: Scale, rng: random.Random) -> Timing:
    jobs = loan_jobs(api, data, rng)
    return await run_concurrently(
        scale.loan_clients, jobs, scale.loan_requests, scale.phase_timeout_s
    )
