"""One benchmark run: start the stack, load the data, measure in a fixed order, report."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import platform
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import booking.main
from bench import portal, rawdb, scenarios
from bench.api import Api
from bench.dataset import OSLO, DataSet, book, evening_slots, load
from bench.measure import Timing
from bench.report import Report
from bench.scale import Scale
from bench.stack import MemorySampler, Stack, databases, running_stack
from samspill.infra import Infrastructure, redact

Say = Callable[[str], None]


def _say(message: str) -> None:
    print(f"bench ▸ {message}", flush=True)


async def run_benchmarks(
    infra: Infrastructure,
    scale: Scale,
    *,
    kafka_url: str | None = None,
    seed: int = 2026,
    growth: tuple[int, ...] = (),
    say: Say = _say,
) -> Report:
    """Every measurement of one run; the stack and its databases are gone when it returns."""
    rng = random.Random(seed)
    kafka_url = kafka_url or infra.kafka.url
    report = Report(meta=_meta(infra, scale, seed, kafka_url))
    say(f"{scale.name}: {infra.describe()}")
    async with (
        running_stack(infra, kafka_url) as stack,
        databases(infra, ["raw"]) as raw,
    ):
        say("services ready; loading data through the APIs …")
        sampler = MemorySampler(stack.pids())
        sampler.mark_baseline()
        api = Api(stack, connections=max(scale.concurrency_levels) + 16)
        try:
            async with _sampling(sampler):
                data = await _measure(api, stack, raw["raw"], scale, rng, sampler, report, say)
                if growth:
                    report.results["growth"] = await _growth(
                        api, stack, data, scale, growth, sampler, report, say
                    )
        except Exception:
            say(f"failed; the service logs are in {stack.logs}:\n{stack.log_tail()}")
            raise
        finally:
            await api.aclose()
        report.results["memory"] = sampler.figures()
        report.results["mail_delivered"] = stack.smtp.received
    return report


@contextlib.asynccontextmanager
async def _sampling(sampler: MemorySampler) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(sampler.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def _measure(
    api: Api,
    stack: Stack,
    raw_url: str,
    scale: Scale,
    rng: random.Random,
    sampler: MemorySampler,
    report: Report,
    say: Say,
) -> DataSet:
    results = report.results
    sampler.phase = "load"
    today = datetime.now(OSLO).date()
    data = await load(api, scale, today, rng)
    results["data_set"] = _data_set(data, scale)
    say(f"loaded {data.booked} bookings over {scale.spaces + 2} spaces; measuring …")

    sampler.phase = "availability"
    timing, facts = await scenarios.availability(api, data, scale)
    results["availability"] = {**facts, **timing.summary(50, 95)}
    say(f"availability p50 {timing.ms(50):.1f} ms")

    sampler.phase = "feed"
    paths, facts = await scenarios.feed(api, data, scale, stack.redis_url)
    results["feed"] = {**facts, **{name: t.summary(50, 99) for name, t in paths.items()}}
    render, not_modified = paths["render"].ms(50), paths["not_modified"].ms(50)
    say(f"feed render p50 {render:.1f} ms, 304 p50 {not_modified:.1f} ms")

    sampler.phase = "event_lag"
    lag = await scenarios.event_lag(api, data, scale, rng)
    results["event_lag"] = lag.summary(50, 95)
    say(f"event lag p50 {lag.ms(50):.0f} ms")

    results["bookings"] = await _bookings(api, data, raw_url, stack, scale, sampler, say)

    sampler.phase = "loans"
    loans = await scenarios.loans(api, data, scale, rng)
    results["loans"] = {
        "stock": {"item_types": scale.item_types, "units_per_type": scale.units_per_type},
        "clients": scale.loan_clients,
        **loans.summary(50, 99),
    }
    say(f"loans {loans.throughput:.0f}/s, outcomes {dict(loans.outcomes)}")

    sampler.phase = "portal"
    results["portal"] = await portal.measure(stack, data, scale)
    say(f"portal pages p95 {results['portal']['all_pages_p95_ms']:.1f} ms")
    return data


async def _growth(
    api: Api,
    stack: Stack,
    data: DataSet,
    scale: Scale,
    factors: tuple[int, ...],
    sampler: MemorySampler,
    report: Report,
    say: Say,
) -> list[dict[str, Any]]:
    """The same measurements with the bookings held grown to each factor of the data set.

    The added bookings lie in the evenings from day 8 on, outside the week availability asks
    for and on other spaces than the feed's: what should not make those answers dearer."""
    results = report.results
    by_clients = {row["clients"]: row for row in results.get("bookings", [])}
    posts = dict(scale.booking_levels).get(16, scale.booking_levels[-1][1])
    first = by_clients.get(16, {})
    rows: list[dict[str, Any]] = [
        {
            "factor": "1×",
            "bookings_held": data.booked,
            "availability_p95_ms": results["availability"]["p95_ms"],
            "feed_render_p50_ms": results["feed"]["render"]["p50_ms"],
            "post_per_s": first.get("service", {}).get("per_s"),
            "post_p99_ms": first.get("service", {}).get("p99_ms"),
            "raw_per_s": first.get("raw_database", {}).get("per_s"),
        }
    ]
    # Grown as the issue counts it: the availability data set (2k in a full run) times factor.
    base, first_held = scale.bookings, data.booked
    for factor in sorted(f for f in factors if f > 1):
        wanted = first_held + (factor - 1) * base - data.booked
        if wanted > data.evening_capacity() - (data.booked - scale.bookings):
            say(f"growth {factor}×: {wanted:,} more bookings do not fit the evenings; skipped")
            continue
        sampler.phase = f"growth_{factor}x"
        say(f"growth {factor}×: booking {wanted:,} more …")
        await book(api, data, itertools.islice(data.measured_slots(), wanted), scale.load_clients)
        timing, _ = await scenarios.availability(api, data, scale)
        paths, _ = await scenarios.feed(api, data, scale, stack.redis_url)
        posted = await scenarios.booking_posts(
            api, data, data.measured_slots(), min(16, posts), posts, scale.phase_timeout_s
        )
        rows.append(
            {
                "factor": f"{factor}×",
                "bookings_held": data.booked,
                "availability_p95_ms": round(timing.ms(95), 2),
                "feed_render_p50_ms": round(paths["render"].ms(50), 2),
                "post_per_s": round(posted.throughput, 1),
                "post_p99_ms": round(posted.ms(99), 1),
                "raw_per_s": None,
            }
        )
        say(f"growth {factor}×: availability p95 {timing.ms(95):.1f} ms")
    return rows


async def _bookings(
    api: Api,
    data: DataSet,
    raw_url: str,
    stack: Stack,
    scale: Scale,
    sampler: MemorySampler,
    say: Say,
) -> list[dict[str, Any]]:
    """Service POST /bookings at each concurrency, then the raw limit at the same ones."""
    sampler.phase = "bookings"
    slots = data.measured_slots()
    service: dict[int, Timing] = {}
    cpu_ms: dict[int, float] = {}
    for clients, count in scale.booking_levels:
        before = sampler.cpu_seconds().get("booking", 0.0)
        service[clients] = await scenarios.booking_posts(
            api, data, slots, clients, count, scale.phase_timeout_s
        )
        used = sampler.cpu_seconds().get("booking", 0.0) - before
        cpu_ms[clients] = 1000 * used / max(1, service[clients].count + clients)
        say(f"POST /bookings × {clients}: {service[clients].throughput:.0f}/s")
    sampler.phase = "raw_database"
    template = await rawdb.template_from(stack.database_urls["booking"])
    organisation_id = await rawdb.prepare(raw_url, booking.main.definition.migrations_dir)
    raw_slots = evening_slots(data.school_space_ids, data.today)
    rows = []
    for clients, count in scale.booking_levels:
        raw = await rawdb.measure(
            raw_url, template, organisation_id, raw_slots, clients, count, scale.phase_timeout_s
        )
        say(f"raw database × {clients}: {raw.throughput:.0f}/s")
        ours = service[clients]
        rows.append(
            {
                "clients": clients,
                "service": {
                    **ours.summary(50, 99),
                    "booking_cpu_ms_per_request": round(cpu_ms[clients], 2),
                },
                "raw_database": raw.summary(50, 99),
                "throughput_ratio": _ratio(ours.throughput, raw.throughput),
                "p50_latency_ratio": _ratio(ours.ms(50), raw.ms(50)),
            }
        )
    return rows


def _ratio(ours: float, limit: float) -> float:
    return round(ours / limit, 3) if limit else 0.0


def _data_set(data: DataSet, scale: Scale) -> dict[str, Any]:
    return {
        "school_spaces": len(data.school_space_ids),
        "sites": scale.sites,
        "organisations": len(data.clubs),
        "bookings_in_availability_week": scale.bookings,
        "bookings_on_feed_space": scale.feed_events,
        "item_types": len(data.item_type_ids),
        "units_per_type": scale.units_per_type,
    }


def _meta(infra: Infrastructure, scale: Scale, seed: int, kafka_url: str) -> dict[str, Any]:
    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": scale.name,
        "seed": seed,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres": f"{redact(infra.postgres.url)} ({infra.postgres.source})",
        "kafka": kafka_url
        if kafka_url != infra.kafka.url
        else f"{kafka_url} ({infra.kafka.source})",
        "redis": f"{infra.redis.url} ({infra.redis.source})",
    }
