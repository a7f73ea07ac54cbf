"""The allocation bench section: its round is the same for the same seed, both methods solve
a small one, and its table carries the target line."""

from __future__ import annotations

from bench.allocation import make_round, run, table_lines
from booking.domain.allocation import allocate_greedy


def test_the_round_is_realistic_and_the_same_for_the_same_seed() -> None:
    problem = make_round(7)
    assert problem == make_round(7)
    assert problem != make_round(8)
    assert len(problem.sections) == 300
    assert len({s.club_id for s in problem.sections}) == 80
    assert len(problem.halls) == 60
    assert any(h.conflicts_with for h in problem.halls)
    assert allocate_greedy(problem).placements


def test_a_small_round_runs_both_ways_and_prints_its_target() -> None:
    figures = run(seed=3, time_limit_s=2, sections=40)
    assert figures["round"]["sections"] == 40
    for method in ("cp_sat", "greedy"):
        assert 0 < figures[method]["met_share"] <= 1
    text = "\n".join(table_lines(figures))
    assert "share of requested hours met" in text
    assert "target < 30 s" in text
