"""One benchmark run: start the stack, load the data, measure in a fixed order, report."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import psutil

import booking.main
from bench import growth as season
from bench import portal, rawdb, scenarios
from bench.api import Api
from bench.dataset import OSLO, DataSet, evening_slots, load
from bench.measure import Timing
from bench.report import Report
from bench.scale import Scale
from bench.stack import SERVICES, MemorySampler, Stack, databases, running_stack
from samspill.infra import Infrastructure, redact

Say = Callable[[str], None]

# The sections `--only` can pick; every one of them runs on the same loaded data set.
SECTIONS = ("bookings", "availability", "feeds", "loans", "portal", "growth")


def _say(message: str) -> None:
    print(f"bench ▸ {message}", flush=True)


async def run_benchmarks(
    infra: Infrastructure,
    scale: Scale,
    *,
    kafka_url: str | None = None,
    seed: int = 2026,
    growth: tuple[int, ...] = (),
    only: str | None = None,
    say: Say = _say,
) -> Report:
    """Every measurement of one run (or of the section `only`); the stack and its databases
    are gone when it returns. `growth` lists the factors after 1 (1 alone: no growth steps)."""
    rng = random.Random(seed)
    kafka_url = kafka_url or infra.kafka.url
    sections = {only} if only else set(SECTIONS)
    factors = tuple(f for f in growth if f > 1) if "growth" in sections else ()
    report = Report(meta={**_meta(infra, scale, seed, kafka_url), "only": only})
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
                seconds = report.results["seconds"] = {}
                with _timed(seconds, "load"):
                    sampler.phase = "load"
                    days = scale.measured_days(len(factors))
                    data = await load(api, scale, datetime.now(OSLO).date(), rng, days)
                report.results["data_set"] = _data_set(data, scale)
                say(f"loaded {data.booked} bookings over {scale.spaces + 2} spaces; measuring …")
                with _timed(seconds, "measure"):
                    await _measure(
                        api, stack, raw["raw"], data, scale, rng, sampler, report, sections, say
                    )
                if factors:
                    with _timed(seconds, "growth"):
                        report.results["growth"] = await _growth(
                            api, stack, data, scale, factors, sampler, report, say
                        )
        except Exception:
            say(f"failed; the service logs are in {stack.logs}:\n{stack.log_tail()}")
            raise
        finally:
            await api.aclose()
        report.results["memory"] = sampler.figures()
        report.results["mail_delivered"] = stack.smtp.received
    return report


@contextlib.contextmanager
def _timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = round(time.perf_counter() - started, 1)


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
    data: DataSet,
    scale: Scale,
    rng: random.Random,
    sampler: MemorySampler,
    report: Report,
    sections: set[str],
    say: Say,
) -> None:
    results = report.results
    if "availability" in sections:
        await _settled(stack, say)
        sampler.phase = "availability"
        timing, facts = await scenarios.availability(api, data, scale)
        results["availability"] = {**facts, **timing.summary(50, 95)}
        say(f"availability p50 {timing.ms(50):.1f} ms")

    if "feeds" in sections:
        await _settled(stack, say)
        sampler.phase = "feed"
        paths, facts = await scenarios.feed(api, data, scale, stack.redis_url)
        results["feed"] = {**facts, **{name: t.summary(50, 99) for name, t in paths.items()}}
        render, not_modified = paths["render"].ms(50), paths["not_modified"].ms(50)
        say(f"feed render p50 {render:.1f} ms, 304 p50 {not_modified:.1f} ms")

        sampler.phase = "event_lag"
        lag = await scenarios.event_lag(api, data, scale, rng)
        results["event_lag"] = lag.summary(50, 95)
        say(f"event lag p50 {lag.ms(50):.0f} ms")

    if "bookings" in sections:
        await _settled(stack, say)
        results["bookings"] = await _bookings(api, data, raw_url, stack, scale, sampler, say)

    if "loans" in sections:
        await _settled(stack, say)
        sampler.phase = "loans"
        loans = await scenarios.loans(api, data, scale, rng)
        results["loans"] = {
            "stock": {"item_types": scale.item_types, "units_per_type": scale.units_per_type},
            "clients": scale.loan_clients,
            **loans.summary(50, 99),
            "first_wave_p99_ms": round(loans.first_wave_ms(99), 2),
            "after_first_wave_p99_ms": round(loans.after_first_wave_ms(99), 2),
        }
        say(f"loans {loans.throughput:.0f}/s, outcomes {dict(loans.outcomes)}")

    if "portal" in sections:
        await _settled(stack, say)
        sampler.phase = "portal"
        results["portal"] = await portal.measure(stack, data, scale)
        say(f"portal pages p95 {results['portal']['all_pages_p95_ms']:.1f} ms")


async def _settled(stack: Stack, say: Say) -> None:
    """Each section starts on a quiet stack: what the load or the section before left to do
    (events to relay and consume, mail to deliver) would otherwise be measured with it."""
    seconds = await season.settled(stack)
    if seconds >= 1:
        say(f"waited {seconds:.0f} s for the stack to settle")


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

    The added bookings are clubs' weekly series (bench/growth.py): school evenings after the
    days kept for measured bookings, then sports halls; never the availability week or the
    feed's space, so the work each measurement asks for stays the same."""
    clients, posts = scale.growth_posts
    report.results["growth_work"] = {
        "availability_spaces": scale.spaces,
        "availability_days": 7,
        "feed_events": scale.feed_events,
        "post_clients": clients,
        "post_requests": posts,
    }
    sampler.phase = "growth_1x"
    first = await _growth_row(api, stack, data, scale, sampler, report.results)
    rows = [{"factor": "1×", **first}]
    say(f"growth 1×: {_growth_figures(first)}")
    # Grown as the issue counts it: the availability data set (2k in a full run) times factor.
    base, first_held = scale.bookings, data.booked
    most = first_held + (max(factors) - 1) * base - data.booked
    growth = await season.prepare(api, data, most)
    if growth.halls:
        say(f"growth: {len(growth.halls)} sports halls and {len(growth.clubs)} clubs added")
    for factor in factors:
        wanted = first_held + (factor - 1) * base - data.booked
        sampler.phase = f"growth_{factor}x"
        say(f"growth {factor}×: {wanted:,} more bookings as weekly series …")
        step = await season.grow(api, stack, data, growth, wanted)
        say(
            f"growth {factor}×: {step.booked_via_api:,} booked through the API and "
            f"{step.copied:,} copied in {step.seconds:.0f} s; measuring …"
        )
        row = await _growth_row(api, stack, data, scale, sampler, None)
        rows.append(
            {
                "factor": f"{factor}×",
                **row,
                "series_via_api": growth.series,
                "series_copied": growth.copied,
                "sports_halls": len(growth.halls),
                "booked_via_api": step.booked_via_api,
                "copied": step.copied,
                "load_s": round(step.seconds, 1),
            }
        )
        say(f"growth {factor}×: {_growth_figures(row)}")
    return rows


def _growth_figures(row: dict[str, Any]) -> str:
    return (
        f"availability p95 {row['availability_p95_ms']:.1f} ms, feed render p50 "
        f"{row['feed_render_p50_ms']:.1f} ms, POST ×16 {row['post_per_s']:.0f}/s"
    )


async def _growth_row(
    api: Api,
    stack: Stack,
    data: DataSet,
    scale: Scale,
    sampler: MemorySampler,
    results: dict[str, Any] | None,
) -> dict[str, Any]:
    """Availability p95, feed render p50 and POST /bookings at 16 clients now; at 1× the
    figures the run measured already (`results`), where it did."""
    results = results or {}
    clients, posts = scale.growth_posts
    by_clients = {row["clients"]: row for row in results.get("bookings", [])}
    held = data.booked
    if "availability" in results:
        availability = {key: results["availability"][key] for key in ("p50_ms", "p95_ms")}
    else:
        timing, _ = await scenarios.availability(api, data, scale)
        availability = {"p50_ms": round(timing.ms(50), 2), "p95_ms": round(timing.ms(95), 2)}
    if "feed" in results:
        render_p50 = results["feed"]["render"]["p50_ms"]
    else:
        paths, _ = await scenarios.feed(api, data, scale, stack.redis_url)
        render_p50 = round(paths["render"].ms(50), 2)
    if row := by_clients.get(clients):
        service = row["service"]
        post = {
            "post_per_s": service["per_s"],
            "post_p99_ms": service["p99_ms"],
            "post_cpu_ms": service["booking_cpu_ms_per_request"],
            "raw_per_s": row["raw_database"]["per_s"],
        }
    else:
        before = sampler.cpu_seconds().get("booking", 0.0)
        posted = await scenarios.booking_posts(
            api, data, data.measured_slots(), clients, posts, scale.phase_timeout_s
        )
        used = sampler.cpu_seconds().get("booking", 0.0) - before
        post = {
            "post_per_s": round(posted.throughput, 1),
            "post_p99_ms": round(posted.ms(99), 1),
            "post_cpu_ms": round(1000 * used / max(1, posted.count + clients), 2),
            "post_outcomes": dict(posted.outcomes),
            "raw_per_s": None,
        }
    return {
        "bookings_held": held,
        "availability_p50_ms": availability["p50_ms"],
        "availability_p95_ms": availability["p95_ms"],
        "feed_render_p50_ms": render_p50,
        **post,
    }


def _machine_cpu(sampler: MemorySampler) -> dict[str, float]:
    """CPU seconds used so far by each service, by this process (the load), by everything
    else on the machine (PostgreSQL, the broker, Redis, other work) and by all together."""
    services = sampler.cpu_seconds()
    load = time.process_time()
    times = psutil.cpu_times()
    machine = times.user + times.nice + times.system + times.irq + times.softirq
    return {
        **{name: services.get(name, 0.0) for name in SERVICES},
        "bench process": load,
        "others": machine - sum(services.values()) - load,
        "machine": machine,
    }


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
    cpu_ms: dict[int, dict[str, float]] = {}
    for clients, count in scale.booking_levels:
        before = _machine_cpu(sampler)
        service[clients] = await scenarios.booking_posts(
            api, data, slots, clients, count, scale.phase_timeout_s
        )
        requests = max(1, service[clients].count + clients)
        after = _machine_cpu(sampler)
        cpu_ms[clients] = {
            name: round(1000 * (after[name] - before[name]) / requests, 2) for name in after
        }
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
                    "booking_cpu_ms_per_request": cpu_ms[clients]["booking"],
                    "cpu_ms_per_request_by_process": cpu_ms[clients],
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
