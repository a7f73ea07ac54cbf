"""The simple baseline the solver is compared with: sections in priority order, each takes its
best free candidates."""

from __future__ import annotations

from time import perf_counter

from booking.domain.allocation_explain import explain
from booking.domain.allocation_rules import Context, Occupancy, candidates
from booking.domain.allocation_types import AllocationProblem, AllocationResult

__all__ = ["allocate_greedy"]


def allocate_greedy(problem: AllocationProblem) -> AllocationResult:
    """Serve the sections one by one (children and youth first, then local clubs, then the
    rest; within a class by the clubs' own ranking): each takes its best candidates that are
    still free, up to its times a week, one a day. Pinned placements are kept as given."""
    began = perf_counter()
    context = Context(problem)
    occupancy = Occupancy(context, problem.pinned)
    placements = list(problem.pinned)
    options = {s.section_id: candidates(context, s) for s in problem.sections}
    for section in sorted(problem.sections, key=context.priority_key):
        for option in options[section.section_id]:
            placement = option.placement()
            if occupancy.fits(placement):
                occupancy.add(placement)
                placements.append(placement)
    outcomes, order = explain(context, placements, options)
    return AllocationResult(
        method="greedy",
        placements=tuple(placements),
        outcomes=outcomes,
        waiting_order=order,
        seconds=perf_counter() - began,
        optimal=False,
    )
