"""The figures an allocation is judged by: hours met, per priority class, and fairness."""

from __future__ import annotations

from collections.abc import Sequence

from booking.domain.allocation_types import (
    PRIORITY_ORDER,
    AllocationMetrics,
    AllocationProblem,
    AllocationResult,
)

__all__ = ["gini", "measure"]


def gini(values: Sequence[float]) -> float:
    """The Gini coefficient: 0 when all are equal, towards 1 when one has everything."""
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return 0.0
    ordered = sorted(values)
    weighted = sum((2 * (i + 1) - n - 1) * v for i, v in enumerate(ordered))
    return weighted / (n * total)


def measure(problem: AllocationProblem, result: AllocationResult) -> AllocationMetrics:
    """Requested and met hours a week (a section's met minutes capped at what it asked for),
    the met share overall and per priority class, the Gini coefficient of the clubs' met
    shares and how many sections got nothing."""
    met: dict[str, int] = {}
    for placement in result.placements:
        met[placement.section_id] = met.get(placement.section_id, 0) + placement.time.minutes
    requested_by_class = dict.fromkeys(PRIORITY_ORDER, 0)
    met_by_class = dict.fromkeys(PRIORITY_ORDER, 0)
    requested_by_club: dict[str, int] = {}
    met_by_club: dict[str, int] = {}
    refused = 0
    for section in problem.sections:
        asked = section.times_per_week * section.max_minutes
        got = min(asked, met.get(section.section_id, 0))
        refused += got == 0
        requested_by_class[section.priority] += asked
        met_by_class[section.priority] += got
        requested_by_club[section.club_id] = requested_by_club.get(section.club_id, 0) + asked
        met_by_club[section.club_id] = met_by_club.get(section.club_id, 0) + got
    requested = sum(requested_by_class.values())
    achieved = sum(met_by_class.values())
    return AllocationMetrics(
        requested_hours=requested / 60,
        met_hours=achieved / 60,
        met_share=achieved / requested if requested else 1.0,
        by_class={
            str(c): met_by_class[c] / requested_by_class[c]
            for c in PRIORITY_ORDER
            if requested_by_class[c]
        },
        gini=gini([met_by_club[c] / requested_by_club[c] for c in requested_by_club]),
        sections_refused=refused,
    )
