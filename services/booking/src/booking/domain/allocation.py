"""Allocating a seasonal round: which section gets which weekly time in which hall, and why.

The problem is pure data: the round's halls with their free weekly time, the sections that
applied, the municipality's priorities and the times staff pinned. `allocate` solves it with
OR-Tools CP-SAT, `allocate_greedy` is the simple baseline it is compared with, and `measure`
gives the figures both are judged by. `placement_errors` names the hard rules a staff-forced
placement would break. Times are Oslo wall-clock minutes from midnight.

The parts live beside this module: the types (`allocation_types`), the hard rules and the
candidates (`allocation_rules`), the solvers (`allocation_cp_sat`, `allocation_greedy`), the
explanations (`allocation_explain`) and the figures (`allocation_metrics`).
"""

from __future__ import annotations

from booking.domain.allocation_cp_sat import allocate
from booking.domain.allocation_greedy import allocate_greedy
from booking.domain.allocation_metrics import measure
from booking.domain.allocation_rules import placement_errors
from booking.domain.allocation_types import (
    MINUTES_PER_DAY,
    PRIORITY_ORDER,
    AgeGroup,
    AllocationMetrics,
    AllocationProblem,
    AllocationResult,
    Hall,
    Outcome,
    Placement,
    Priorities,
    PriorityClass,
    Section,
    SectionOutcome,
    WeeklyTime,
    priority_class,
)

__all__ = [
    "MINUTES_PER_DAY",
    "PRIORITY_ORDER",
    "AgeGroup",
    "AllocationMetrics",
    "AllocationProblem",
    "AllocationResult",
    "Hall",
    "Outcome",
    "Placement",
    "Priorities",
    "PriorityClass",
    "Section",
    "SectionOutcome",
    "WeeklyTime",
    "allocate",
    "allocate_greedy",
    "measure",
    "placement_errors",
    "priority_class",
]
