"""The simple baseline the solver is compared with: sections in priority order, each takes its
best free candidates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from time import perf_counter

from booking.domain.allocation_explain import explain
from booking.domain.allocation_rules import Candidate, Context, Occupancy, candidates
from booking.domain.allocation_types import AllocationProblem, AllocationResult, Placement

__all__ = ["allocate_greedy", "greedy_placements"]


def allocate_greedy(problem: AllocationProblem) -> AllocationResult:
    """Serve the sections one by one (children and youth first, then local clubs, then the
    rest; within a class by the clubs' own ranking): each takes its best candidates that are
    still free, up to its times a week, one a day. Pinned placements are kept as given."""
    began = perf_counter()
    context = Context(problem)
    options = {s.section_id: candidates(context, s) for s in problem.sections}
    placements = greedy_placements(context, options)
    outcomes, order = explain(context, placements, options)
    return AllocationResult(
        method="greedy",
        placements=tuple(placements),
        outcomes=outcomes,
        waiting_order=order,
        seconds=perf_counter() - began,
        optimal=False,
    )


def greedy_placements(
    context: Context, options: Mapping[str, Sequence[Candidate]]
) -> list[Placement]:
    """The pinned placements and, section by section in priority order, the best candidates
    still free."""
    occupancy = Occupancy(context, context.problem.pinned)
    placements = list(context.problem.pinned)
    for section in sorted(context.problem.sections, key=context.priority_key):
        for option in options.get(section.section_id, ()):
            placement = option.placement()
            if occupancy.fits(placement):
                occupancy.add(placement)
                placements.append(placement)
    return placements
