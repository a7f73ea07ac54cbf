"""The seasonal allocation's figures: a realistic round solved by CP-SAT and by the greedy
baseline, side by side. Pure computation: no stack is started, so `python -m bench --only
allocation` runs it alone in under a minute.

The round is generated from the seed: 300 sections from 80 clubs over 60 halls (eight of them
divisible, a whole hall with 2–3 parts that each count as a hall), five evenings a week
17:00–23:00. Some halls are released only until 22:00, and a third of the evenings are partly
held for the season already. Clubs are mostly local and of very different sizes; children's
sections want 17–19:30, youth 18–21 and adults 19:30–23, some with an acceptable evening
besides, and rank 2–3 halls near their home.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from booking.domain.allocation import (
    AgeGroup,
    AllocationProblem,
    AllocationResult,
    Hall,
    Section,
    WeeklyTime,
    allocate,
    allocate_greedy,
    measure,
)

TARGET_S = 30.0
TIME_LIMIT_S = 20.0
SECTIONS, CLUBS, HALLS, DIVISIBLE = 300, 80, 60, 8
EVENINGS = range(5)  # Monday–Friday
EVENING = (17 * 60, 23 * 60)
DISTRICTS = 6


@dataclass(frozen=True)
class _Profile:
    share: float
    size: tuple[int, int]
    times: tuple[int, ...]
    minutes: tuple[int, int]  # min, max
    preferred: tuple[int, int]
    acceptable: tuple[int, int]


PROFILES = {
    AgeGroup.CHILDREN: _Profile(0.30, (10, 25), (1, 2, 2), (60, 90), (1020, 1170), (1020, 1230)),
    AgeGroup.YOUTH: _Profile(0.25, (12, 30), (2, 2, 3), (90, 120), (1080, 1260), (1020, 1320)),
    AgeGroup.ADULTS: _Profile(0.30, (10, 30), (1, 2, 2), (90, 120), (1170, 1380), (1080, 1380)),
    AgeGroup.SENIORS: _Profile(0.07, (8, 20), (1,), (60, 90), (1020, 1200), (1020, 1260)),
    AgeGroup.MIXED: _Profile(0.08, (10, 40), (1, 2), (60, 120), (1080, 1320), (1020, 1380)),
}


def make_round(seed: int = 2026, sections: int = SECTIONS, clubs: int = CLUBS) -> AllocationProblem:
    """A realistic round, the same for the same seed."""
    rng = random.Random(seed)
    halls = _halls(rng)
    by_district: dict[int, list[Hall]] = {}
    for i, hall in enumerate(halls):
        by_district.setdefault(i % DISTRICTS, []).append(hall)
    # Club sizes: a few large clubs with many sections, most with one to three.
    weights = [min(rng.paretovariate(1.2), 10.0) for _ in range(clubs)]
    owners = list(range(clubs)) + rng.choices(range(clubs), weights, k=sections - clubs)
    rng.shuffle(owners)
    local = [rng.random() < 0.75 for _ in range(clubs)]
    home = [rng.randrange(DISTRICTS) for _ in range(clubs)]
    rank: dict[int, int] = {}
    made = []
    for number, club in enumerate(owners):
        rank[club] = rank.get(club, 0) + 1
        age = rng.choices(list(PROFILES), [p.share for p in PROFILES.values()])[0]
        made.append(
            _section(rng, number, club, rank[club], age, local[club], by_district[home[club]])
        )
    return AllocationProblem(halls=tuple(halls), sections=tuple(made))


def _free(rng: random.Random) -> tuple[WeeklyTime, ...]:
    """Released 17–23 (some only until 22), less the evenings' parts already held for the
    season by the school or other users."""
    free = []
    end = 22 * 60 if rng.random() < 0.2 else EVENING[1]
    for day in EVENINGS:
        held = rng.random()
        if held < 0.2:  # held until 19:00
            free.append(WeeklyTime(day, 19 * 60, end))
        elif held < 0.35:  # held from 20:00
            free.append(WeeklyTime(day, EVENING[0], 20 * 60))
        else:
            free.append(WeeklyTime(day, EVENING[0], end))
    return tuple(free)


def _halls(rng: random.Random) -> list[Hall]:
    halls: list[Hall] = []
    for n in range(DIVISIBLE):
        whole = f"hall-{n:02d}"
        parts = [f"{whole}-{chr(ord('a') + p)}" for p in range(rng.choice((2, 3)))]
        free = _free(rng)
        name = f"Idrettshall {n + 1}"
        halls.append(
            Hall(whole, name, f"site-{n:02d}", rng.randint(60, 120), free, frozenset(parts))
        )
        for part in parts:
            halls.append(
                Hall(
                    part,
                    f"{name} – del {part[-1].upper()}",
                    f"site-{n:02d}",
                    rng.randint(20, 40),
                    free,
                    frozenset({whole}),
                )
            )
    n = DIVISIBLE
    while len(halls) < HALLS:
        halls.append(
            Hall(
                f"gym-{n:02d}",
                f"Skole {n + 1} – gymsal",
                f"site-{n:02d}",
                rng.randint(20, 45),
                _free(rng),
            )
        )
        n += 1
    return halls


def _section(
    rng: random.Random,
    number: int,
    club: int,
    club_rank: int,
    age: AgeGroup,
    local: bool,
    near: list[Hall],
) -> Section:
    profile = PROFILES[age]
    size = rng.randint(*profile.size)
    fitting = [h for h in near if h.capacity >= size] or near
    halls = rng.sample(fitting, min(len(fitting), rng.randint(2, 3)))
    times = rng.choice(profile.times)
    days = rng.sample(list(EVENINGS), min(5, times + rng.randint(0, 2)))
    preferred = tuple(_range(rng, day, profile.preferred) for day in days)
    others = [d for d in EVENINGS if d not in days]
    extra = rng.sample(others, min(len(others), rng.randint(0, 1)))
    acceptable = tuple(WeeklyTime(day, *profile.acceptable) for day in extra)
    return Section(
        section_id=f"section-{number:03d}",
        club_id=f"club-{club:02d}",
        name=f"{age.value} {number}",
        age_group=age,
        local=local,
        club_rank=club_rank,
        group_size=min(size, max(h.capacity for h in halls)),
        times_per_week=times,
        min_minutes=profile.minutes[0],
        max_minutes=profile.minutes[1],
        halls=tuple(h.space_id for h in halls),
        preferred=preferred,
        acceptable=acceptable,
    )


def _range(rng: random.Random, day: int, bounds: tuple[int, int]) -> WeeklyTime:
    """A preferred range inside the profile's, at least two and a half hours long."""
    start = bounds[0] + 30 * rng.randint(0, max(0, (bounds[1] - bounds[0] - 150) // 30))
    return WeeklyTime(day, start, min(bounds[1], start + 30 * rng.randint(5, 8)))


def _figures(problem: AllocationProblem, result: AllocationResult) -> dict[str, Any]:
    metrics = measure(problem, result)
    clubs = {s.section_id: s.club_id for s in problem.sections}
    served = {clubs[p.section_id] for p in result.placements if p.section_id in clubs}
    return {
        "seconds": result.seconds,
        "optimal": result.optimal,
        "requested_hours": metrics.requested_hours,
        "met_hours": metrics.met_hours,
        "met_share": metrics.met_share,
        "by_class": metrics.by_class,
        "gini": metrics.gini,
        "sections_refused": metrics.sections_refused,
        "clubs_with_nothing": len(set(clubs.values()) - served),
    }


def run(seed: int = 2026, time_limit_s: float = TIME_LIMIT_S) -> dict[str, Any]:
    """Solve the round both ways and return the figures (JSON-ready)."""
    problem = make_round(seed)
    greedy = allocate_greedy(problem)
    solved = allocate(problem, time_limit_s=time_limit_s, workers=2)
    return {
        "round": {
            "sections": len(problem.sections),
            "clubs": len({s.club_id for s in problem.sections}),
            "halls": len(problem.halls),
            "evenings": len(EVENINGS),
            "seed": seed,
            "time_limit_s": time_limit_s,
        },
        "cp_sat": _figures(problem, solved),
        "greedy": _figures(problem, greedy),
    }


def table_lines(figures: dict[str, Any] | None) -> list[str]:
    """The allocation's table and its target line, as the other sections print them."""
    if not figures:
        return []
    r = figures["round"]
    head = (
        f"Seasonal allocation: {r['sections']} sections, {r['clubs']} clubs, {r['halls']} halls, "
        f"{r['evenings']} evenings (seed {r['seed']})"
    )
    header = f"{'':<34}{'CP-SAT':>12}{'greedy':>12}"
    lines = [head, header, "─" * len(header)]
    cp, gr = figures["cp_sat"], figures["greedy"]

    def row(label: str, a: str, b: str) -> None:
        lines.append(f"{label:<34}{a:>12}{b:>12}")

    row("time (s)", f"{cp['seconds']:.1f}", f"{gr['seconds']:.1f}")
    row("proven optimal", "yes" if cp["optimal"] else "no", "–")
    row("requested h/week", f"{cp['requested_hours']:.0f}", f"{gr['requested_hours']:.0f}")
    row("met h/week", f"{cp['met_hours']:.0f}", f"{gr['met_hours']:.0f}")
    row(
        "share of requested hours met",
        f"{100 * cp['met_share']:.1f} %",
        f"{100 * gr['met_share']:.1f} %",
    )
    for name in ("children_youth", "local", "other"):
        if name in cp["by_class"]:
            row(
                f"  met share, {name.replace('_', '/')}",
                f"{100 * cp['by_class'][name]:.1f} %",
                f"{100 * gr['by_class'][name]:.1f} %",
            )
    row("Gini of clubs' met share", f"{cp['gini']:.3f}", f"{gr['gini']:.3f}")
    row("sections refused", str(cp["sections_refused"]), str(gr["sections_refused"]))
    row("clubs with nothing", str(cp["clubs_with_nothing"]), str(gr["clubs_with_nothing"]))
    met = cp["seconds"] < TARGET_S
    lines.append(
        f"{'allocation solver time':<34}{cp['seconds']:>11.1f}s  target < {TARGET_S:.0f} s  "
        f"{'ok' if met else 'MISSED'}"
    )
    return [*lines, ""]
