"""The allocation solved with OR-Tools CP-SAT.

One boolean per candidate (see `allocation_rules.candidates`). Hard rules: at most
`times_per_week` chosen per section and at most one a weekday; on every space and weekday, at
any candidate's start at most one chosen candidate covers it, over the space together with each
space it conflicts with (a whole hall with each of its parts, so two parts may be used at once
but never beside the whole). Pinned placements are kept as given and the candidates that would
clash with them are dropped before solving.

Objective: the chosen candidates' scores (met minutes weighted by priority class, the club's
own ranking, a preferred time and the hall's rank) plus fairness between clubs, weighted by
`Priorities.fairness`: each club's met share up to its first quarter earns a bonus (so a club
with nothing gains more from a time than one that has much), and the share of the worst-served
club that could be given anything is raised. The greedy baseline is the solver's first hint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from time import perf_counter

from ortools.sat.python import cp_model

from booking.domain.allocation_explain import explain
from booking.domain.allocation_greedy import greedy_placements
from booking.domain.allocation_rules import Candidate, Context, Occupancy, candidates
from booking.domain.allocation_types import AllocationProblem, AllocationResult

__all__ = ["allocate"]

PERMILLE = 1000
# The fairness terms per permille of a club's share, per unit of `Priorities.fairness`: with
# the default weights a club's first quarter is worth about a seventh of a children's 90-minute
# time and one and a half 90-minute times of a local club's adults.
_FAIRNESS_SCALE = 10
_FIRST_SHARE = 250  # permille: the part of a club's demand every club should get first


def allocate(
    problem: AllocationProblem, *, time_limit_s: float = 20.0, workers: int = 2
) -> AllocationResult:
    """The best allocation CP-SAT finds within the time limit (`optimal` when proven)."""
    began = perf_counter()
    context = Context(problem)
    options = {s.section_id: candidates(context, s) for s in problem.sections}
    hint = greedy_placements(context, options)
    usable = _usable(context, options)
    model = cp_model.CpModel()
    chosen = {c: model.new_bool_var("") for cs in usable.values() for c in cs}
    _section_rules(context, model, usable, chosen)
    _no_overlap(context, model, chosen)
    objective: list[cp_model.LinearExprT] = [c.score * v for c, v in chosen.items()]
    objective += _fairness(context, model, usable, chosen)
    model.maximize(sum(objective))
    hinted = set(hint)
    for candidate, var in chosen.items():
        model.add_hint(var, candidate.placement() in hinted)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = 1
    # Probing in presolve takes most of the time limit on a round of 300 sections and finds
    # little in a model of at-most-one constraints; without it the search starts at once.
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = list(problem.pinned) + [
            c.placement() for c, v in chosen.items() if solver.boolean_value(v)
        ]
    else:  # no solution within the limit: the greedy one keeps every rule
        placements = hint
    outcomes, order = explain(context, placements, options)
    return AllocationResult(
        method="cp_sat",
        placements=tuple(placements),
        outcomes=outcomes,
        waiting_order=order,
        seconds=perf_counter() - began,
        optimal=status == cp_model.OPTIMAL,
    )


def _usable(
    context: Context, options: Mapping[str, Sequence[Candidate]]
) -> dict[str, list[Candidate]]:
    """Each section's candidates that the pinned placements leave room for."""
    pinned = Occupancy(context, context.problem.pinned)
    usable: dict[str, list[Candidate]] = {}
    for section in context.problem.sections:
        own = pinned.by_section.get(section.section_id, [])
        if len(own) >= section.times_per_week:
            continue
        days = {p.time.weekday for p in own}
        usable[section.section_id] = [
            c
            for c in options.get(section.section_id, ())
            if c.time.weekday not in days and not pinned.blockers(c.placement())
        ]
    return usable


def _section_rules(
    context: Context,
    model: cp_model.CpModel,
    usable: Mapping[str, Sequence[Candidate]],
    chosen: Mapping[Candidate, cp_model.IntVar],
) -> None:
    pinned = Occupancy(context, context.problem.pinned)
    for section_id, options in usable.items():
        section = context.sections[section_id]
        room = section.times_per_week - len(pinned.by_section.get(section_id, []))
        by_day: dict[int, list[cp_model.IntVar]] = {}
        for option in options:
            by_day.setdefault(option.time.weekday, []).append(chosen[option])
        for day_vars in by_day.values():
            model.add_at_most_one(day_vars)
        if room < len(by_day):
            model.add(sum(chosen[o] for o in options) <= room)


def _no_overlap(
    context: Context, model: cp_model.CpModel, chosen: Mapping[Candidate, cp_model.IntVar]
) -> None:
    """At every start of a candidate, at most one chosen candidate covers it on a space and
    each space it conflicts with: two intervals overlap exactly when one starts inside the
    other, so this is the whole rule."""
    by_space_day: dict[tuple[str, int], list[Candidate]] = {}
    for candidate in chosen:
        by_space_day.setdefault((candidate.space_id, candidate.time.weekday), []).append(candidate)
    groups: set[frozenset[str]] = set()
    for space_id in context.halls:
        others = context.conflicts.get(space_id, frozenset())
        groups.update(frozenset({space_id, o}) for o in others)
        if not others:
            groups.add(frozenset({space_id}))
    for group in sorted(groups, key=sorted):
        for day in range(7):
            members = [c for s in sorted(group) for c in by_space_day.get((s, day), ())]
            if len(members) < 2:
                continue
            for moment in sorted({c.time.start for c in members}):
                covering = [chosen[c] for c in members if c.time.start <= moment < c.time.end]
                if len(covering) > 1:
                    model.add_at_most_one(covering)


def _fairness(
    context: Context,
    model: cp_model.CpModel,
    usable: Mapping[str, Sequence[Candidate]],
    chosen: Mapping[Candidate, cp_model.IntVar],
) -> list[cp_model.LinearExprT]:
    weight = context.problem.priorities.fairness * _FAIRNESS_SCALE
    if weight <= 0:
        return []
    requested: dict[str, int] = {}
    pinned_minutes: dict[str, int] = {}
    options: dict[str, list[Candidate]] = {}
    for section in context.problem.sections:
        club = section.club_id
        requested[club] = requested.get(club, 0) + section.times_per_week * section.max_minutes
        options.setdefault(club, []).extend(usable.get(section.section_id, ()))
    for placement in context.problem.pinned:
        owner = context.sections.get(placement.section_id)
        if owner is not None:
            pinned_minutes[owner.club_id] = (
                pinned_minutes.get(owner.club_id, 0) + placement.time.minutes
            )
    worst = model.new_int_var(0, PERMILLE, "worst_share")
    terms: list[cp_model.LinearExprT] = [weight * worst]
    for club, asked in sorted(requested.items()):
        if not options[club] and not pinned_minutes.get(club):
            continue  # nothing can be given: it does not hold the others back
        share = model.new_int_var(0, PERMILLE, "")
        met = sum(c.time.minutes * chosen[c] for c in options[club])
        model.add(share * asked <= PERMILLE * (met + pinned_minutes.get(club, 0)))
        first = model.new_int_var(0, _FIRST_SHARE, "")
        model.add(first <= share)
        model.add(worst <= share)
        terms.append(weight * first)
    return terms
