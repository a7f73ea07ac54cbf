"""The printed table and the JSON file of one run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.allocation import table_lines as allocation_lines
from bench.portal import table_lines as portal_lines

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Report:
    meta: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "results": self.results}

    def write(self, directory: Path = RESULTS_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = directory / f"{stamp}.json"
        path.write_text(json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n")
        return path

    def table(self) -> str:
        r, m = self.results, self.meta
        lines = [
            f"Samspill benchmarks ({m['scale']}), {m['started_at']}, {m['cpus']} CPUs, "
            f"Python {m['python']}",
            f"  PostgreSQL {m['postgres']}; Kafka {m['kafka']}; Redis {m['redis']}",
            *_seconds(r.get("seconds", {}), m.get("only")),
            "",
        ]
        lines += _bookings(r.get("bookings", []))
        lines += _others(r)
        lines += _targets(r)
        lines += _growth(r.get("growth", []), r.get("growth_work"))
        lines += portal_lines(r.get("portal"))
        lines += allocation_lines(r.get("allocation"))
        lines += _memory(r.get("memory", {}))
        return "\n".join(lines)


def _seconds(seconds: dict[str, float], only: str | None) -> list[str]:
    names = {"load": "loading", "measure": "measuring", "growth": "growth", "run": "whole run"}
    parts = [
        f"{label} {seconds[key] / 60:.1f} min" for key, label in names.items() if key in seconds
    ]
    section = f" (only {only})" if only else ""
    return [f"  Took{section}: " + ", ".join(parts)] if parts else []


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _bookings(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    header = (
        f"{'POST /bookings':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9} │"
        f"{'raw req/s':>11}{'p50 ms':>9}{'p99 ms':>9} │{'× of raw':>10}{'p50 ×':>8}"
        f"{'CPU ms':>8}  answers"
    )
    lines = [header, "─" * len(header)]
    for row in rows:
        ours, raw = row["service"], row["raw_database"]
        lines.append(
            f"{str(row['clients']) + ' clients':<16}{_f(ours['per_s']):>9}"
            f"{_f(ours['p50_ms']):>9}{_f(ours['p99_ms']):>9} │{_f(raw['per_s']):>11}"
            f"{_f(raw['p50_ms'], 2):>9}{_f(raw['p99_ms'], 2):>9} │"
            f"{_f(row['throughput_ratio'], 3):>10}{_f(row['p50_latency_ratio']):>8}"
            f"{_f(ours['booking_cpu_ms_per_request']):>8}  "
            f"{_outcomes(ours)}"
        )
    return [*lines, "", *_cpu_by_process(rows)]


def _cpu_by_process(rows: list[dict[str, Any]]) -> list[str]:
    """Where a booking's CPU time goes on the machine, at each concurrency."""
    by_level = [row["service"].get("cpu_ms_per_request_by_process") for row in rows]
    if not all(by_level):
        return []
    header = f"{'CPU ms per booking':<36}" + "".join(
        f"{str(row['clients']) + ' clients':>12}" for row in rows
    )
    lines = [header, "─" * len(header)]
    for name, label in _CPU_ROWS:
        lines.append(f"{label:<36}" + "".join(f"{_f(level[name]):>12}" for level in by_level))
    return [*lines, ""]


_CPU_ROWS = (
    ("booking", "booking (the request, relay)"),
    ("notifications", "notifications (feeds, messages)"),
    ("facilities", "facilities"),
    ("bench process", "bench process (load, SMTP sink)"),
    ("others", "PostgreSQL, broker, Redis, other"),
    ("machine", "whole machine"),
)


def _outcomes(figures: dict[str, Any]) -> str:
    return " ".join(f"{code}×{count}" for code, count in figures.get("outcomes", {}).items())


def _others(r: dict[str, Any]) -> list[str]:
    lines = []
    if a := r.get("availability"):
        lines.append(
            f"Availability, {a['spaces']} spaces × {a['days']} days over "
            f"{r['data_set']['bookings_in_availability_week']:,} bookings: "
            f"p50 {_f(a['p50_ms'])} ms, p95 {_f(a['p95_ms'])} ms "
            f"({a['requests']} requests, {a['response_bytes'] / 1024:,.0f} KiB each)"
        )
    if feed := r.get("feed"):
        lines.append(
            f"Space feed of {feed['events']:,} events ({feed['body_bytes'] / 1024:,.0f} KiB):"
        )
        for name, label in (
            ("render", "rendered (cache invalidated)"),
            ("cached", "200 from the cache"),
            ("not_modified", "304 (If-None-Match)"),
        ):
            path = feed[name]
            lines.append(
                f"  {label:<30} p50 {_f(path['p50_ms']):>7} ms   p99 {_f(path['p99_ms']):>7} ms"
            )
    if lag := r.get("event_lag"):
        lines.append(
            f"Event lag, booking committed → in the space feed: p50 {_f(lag['p50_ms'], 0)} ms, "
            f"p95 {_f(lag['p95_ms'], 0)} ms ({lag['requests']} samples)"
        )
    if loans := r.get("loans"):
        stock = loans["stock"]
        lines.append(
            f"Loan reservations, {loans['clients']} clients over {stock['item_types']} item types "
            f"× {stock['units_per_type']} units: {_f(loans['per_s'])} req/s, "
            f"p50 {_f(loans['p50_ms'])} ms, p99 {_f(loans['p99_ms'])} ms ({_outcomes(loans)})"
        )
        if "first_wave_p99_ms" in loans:
            lines.append(
                f"  of which the first {loans['clients']}, sent at once: p99 "
                f"{_f(loans['first_wave_p99_ms'])} ms; the rest: p99 "
                f"{_f(loans['after_first_wave_p99_ms'])} ms"
            )
    return [*lines, ""] if lines else []


def _targets(r: dict[str, Any]) -> list[str]:
    """Each figure the performance work aims at, beside its target (never asserted)."""
    rows = [(name, _shown(figure), target, met) for name, figure, target, met in _goals(r)]
    if not rows:
        return []
    width = max(len(name) for name, *_ in rows)
    lines = [f"{'Targets':<{width}}  {'now':>22}  {'target':<22}"]
    lines.append("─" * len(lines[0]))
    for name, shown, target, met in rows:
        mark = "ok" if met else "MISSED" if met is not None else ""
        lines.append(f"{name:<{width}}  {shown:>22}  {target:<22}{mark}")
    return [*lines, ""]


def _shown(figure: float | str | None) -> str:
    if figure is None:
        return "–"
    return figure if isinstance(figure, str) else _f(figure)


Goal = tuple[str, float | str | None, str, bool | None]


def _goals(r: dict[str, Any]) -> list[Goal]:
    goals: list[Goal] = []
    by_clients = {row["clients"]: row for row in r.get("bookings", [])}
    if row := by_clients.get(16):
        ratio = row["throughput_ratio"]
        ours, raw = row["service"]["per_s"], row["raw_database"]["per_s"]
        shown = f"{100 * ratio:.0f} % ({ours:.0f}/{raw:.0f}/s)"
        goals.append(
            ("POST /bookings, 16 clients, share of raw DB rate", shown, "≥ 25 %", ratio >= 0.25)
        )
    if row := by_clients.get(64):
        service = row["service"]
        failed = sum(
            n for code, n in service.get("outcomes", {}).items() if not code.startswith(("2", "4"))
        )
        shown = f"{service['p99_ms']:,.0f} ms, {failed} failed"
        goals.append(
            (
                "POST /bookings, 64 clients, p99",
                shown,
                "< 250 ms, no 5xx",
                service["p99_ms"] < 250 and not failed,
            )
        )
    if by_clients:
        cpu = [row["service"]["booking_cpu_ms_per_request"] for row in by_clients.values()]
        shown = f"{min(cpu):.1f}–{max(cpu):.1f} ms"
        goals.append(("CPU per booking request (booking process)", shown, "≤ 3 ms", max(cpu) <= 3))
    if a := r.get("availability"):
        label = f"availability, {a['spaces']} spaces × {a['days']} days, p95"
        goals.append((label, f"{a['p95_ms']:.1f} ms", "< 25 ms", a["p95_ms"] < 25))
    if feed := r.get("feed"):
        render = feed["render"]["p50_ms"]
        label = f"feed of {feed['events']:,} events, render after a change, p50"
        goals.append((label, f"{render:.1f} ms", "< 40 ms", render < 40))
    if loans := r.get("loans"):
        label = f"loan reservations, {loans['clients']} clients, p99"
        goals.append((label, f"{loans['p99_ms']:,.0f} ms", "< 300 ms", loans["p99_ms"] < 300))
    if lag := r.get("event_lag"):
        goals.append(
            (
                "booking committed → in the space feed, p95",
                f"{lag['p95_ms']:.0f} ms",
                "< 100 ms",
                lag["p95_ms"] < 100,
            )
        )
    return goals


def _growth(rows: list[dict[str, Any]], work: dict[str, Any] | None) -> list[str]:
    """How each cost grows with the bookings held (1×, 10×, … the data set): the same work
    asked for at every step, so a flat column is what a good index gives."""
    if not rows:
        return []
    first = rows[0]
    intro = []
    if work:
        intro.append(
            f"Growth: the same work at every step (availability of {work['availability_spaces']} "
            f"spaces × {work['availability_days']} days, the feed of {work['feed_events']:,} "
            f"events, {work['post_requests']:,} POST /bookings by {work['post_clients']} clients) "
            "over more bookings held"
        )
    header = (
        f"{'factor':<7}{'held':>9}{'avail. p50':>12}{'avail. p95':>20}{'feed render p50':>20}"
        f"{'POST ×16/s':>12}{'p99 ms':>9}{'CPU ms':>8}{'raw DB/s':>10}  added as weekly series"
    )
    lines = [*intro, header, "─" * len(header)]
    for row in rows:
        loaded = (
            f"{row['booked_via_api']:,} via API + {row['copied']:,} copied, {row['load_s']:,.0f} s"
            if "load_s" in row
            else ""
        )
        lines.append(
            f"{row['factor']:<7}{row['bookings_held']:>9,}{_ms(row.get('availability_p50_ms')):>12}"
            f"{_grown(row, first, 'availability_p95_ms'):>20}"
            f"{_grown(row, first, 'feed_render_p50_ms'):>20}{_shown(row.get('post_per_s')):>12}"
            f"{_shown(row.get('post_p99_ms')):>9}{_shown(row.get('post_cpu_ms')):>8}"
            f"{_shown(row.get('raw_per_s')):>10}  {loaded}"
        )
    lines.append(
        "  (× = against 1×; added: bookings through POST /booking-series, bookings copied from "
        "those rows (bench/growth.py), seconds until notifications held them all)"
    )
    return [*lines, ""]


def _grown(row: dict[str, Any], first: dict[str, Any], key: str) -> str:
    value, base = row.get(key), first.get(key)
    if value is None:
        return "–"
    if row is first or not base:
        return f"{value:,.1f} ms"
    return f"{value:,.1f} ms ({value / base:,.1f}×)"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} ms"


def _memory(memory: dict[str, Any]) -> list[str]:
    if not memory:
        return []
    lines = ["Resident memory (RSS) of each service process:"]
    for name, figures in memory.items():
        busiest = max(figures["peak_by_phase_mb"].items(), key=lambda kv: kv[1], default=("", 0))
        lines.append(
            f"  {name:<14} idle {_f(figures['idle_mb']):>7} MiB   peak "
            f"{_f(figures['peak_mb']):>7} MiB (during {busiest[0]})"
        )
    return lines
