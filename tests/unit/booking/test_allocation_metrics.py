"""The figures of an allocation: hours, shares per class and the Gini coefficient."""

from __future__ import annotations

import pytest

from booking.domain.allocation import AgeGroup, AllocationProblem, allocate_greedy, measure
from booking.domain.allocation_metrics import gini
from tests.unit.booking.allocation_builders import TUESDAY, at, hall, section


def test_gini() -> None:
    assert gini([]) == 0
    assert gini([0.5, 0.5, 0.5]) == 0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert gini([0, 0]) == 0


def test_measure_counts_requested_and_met_hours_by_class_and_club() -> None:
    one = hall("gym", at(TUESDAY, "18:00", "20:00"))
    kids = section("kids", club="c1", age=AgeGroup.CHILDREN, minutes=(120, 120))
    adults = section("adults", club="c2", times=2, minutes=(60, 120))
    problem = AllocationProblem(halls=(one,), sections=(kids, adults))
    figures = measure(problem, allocate_greedy(problem))
    assert figures.requested_hours == 6
    assert figures.met_hours == 2
    assert figures.met_share == pytest.approx(1 / 3)
    assert figures.by_class == {"children_youth": 1.0, "local": 0.0}
    assert figures.gini == pytest.approx(0.5)
    assert figures.sections_refused == 1
