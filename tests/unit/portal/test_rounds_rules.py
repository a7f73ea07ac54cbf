"""The round pages' rules: reading the round, run and force forms, the figures of a run, the
allocation as a grid per hall and weekday, and the applications' summaries."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from portal.domain import rounds as rules
from portal.rounds.schemas import FORM_MESSAGES

HALL = "11111111-1111-1111-1111-111111111111"
OTHER_HALL = "22222222-2222-2222-2222-222222222222"
SECTION = "33333333-3333-3333-3333-333333333333"
DAYS = {0: "Monday", 1: "Tuesday", 2: "Wednesday", 3: "Thursday", 4: "Friday"}


def _round_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Hall time 2031–2032",
        "applications_open": "1.3.2031",
        "applications_close": "31.3.2031",
        "allocation_until": "2031-04-30",
        "results_date": "15.5.2031",
        "season_first_date": "15.8.2031",
        "season_last_date": "15.6.2032",
        "space_ids": [HALL],
        "weekdays": ["0", "2"],
        "evening_start": "17.00",
        "evening_end": "22:30",
    }
    values.update(changes)
    return values


def test_every_form_message_is_in_the_catalogue_list() -> None:
    messages = {v for k, v in vars(rules).items() if k.isupper() and isinstance(v, str)}
    assert {m for m in messages if m.endswith(".")} == set(FORM_MESSAGES)


def test_a_round_form_becomes_the_api_body() -> None:
    form = rules.RoundForm.read(_round_values(), [HALL, OTHER_HALL])
    assert form.errors == {}
    assert form.body() == {
        "name": "Hall time 2031–2032",
        "applications_open": "2031-03-01",
        "applications_close": "2031-03-31",
        "allocation_until": "2031-04-30",
        "results_date": "2031-05-15",
        "season_first_date": "2031-08-15",
        "season_last_date": "2032-06-15",
        "space_ids": [HALL],
        "weekdays": [0, 2],
        "evening_start": "17:00",
        "evening_end": "22:30",
    }


def test_weights_are_sent_only_when_given() -> None:
    form = rules.RoundForm.read(_round_values(children_youth="2 000", fairness="0"), [HALL])
    assert form.errors == {}
    assert form.body()["priorities"] == {"children_youth": 2000, "fairness": 0}


def test_a_bad_round_form_keeps_what_was_typed_and_names_each_field() -> None:
    values = _round_values(
        name="x",
        results_date="31.2.2031",
        space_ids=["not-a-hall"],
        weekdays=["9"],
        evening_start="17:15",
        evening_end="16:00",
        local="many",
    )
    form = rules.RoundForm.read(values, [HALL])
    assert form.errors == {
        "name": rules.NAME_NEEDED,
        "results_date": rules.DATE_NEEDED,
        "space_ids": rules.HALL_NEEDED,
        "weekdays": rules.WEEKDAY_NEEDED,
        "evening_start": rules.TIME_NEEDED,
        "local": rules.WEIGHT_INVALID,
    }
    assert form.dates["results_date"] == "31.2.2031"
    assert form.priorities["local"] == "many"
    assert form.evening_end == "16:00"


def test_the_evening_must_end_after_it_starts() -> None:
    form = rules.RoundForm.read(_round_values(evening_start="20:00", evening_end="18:00"), [HALL])
    assert form.errors == {"evening_end": rules.END_AFTER_START}


def test_the_order_of_the_periods_is_left_to_booking() -> None:
    """Booking judges the periods and says why; the portal only reads the dates."""
    backwards = _round_values(applications_open="1.4.2031", applications_close="1.3.2031")
    assert rules.RoundForm.read(backwards, [HALL]).errors == {}


def test_a_round_from_the_api_fills_the_edit_form() -> None:
    found = {
        "name": "Hall time",
        **{name: "2031-03-0" + str(i + 1) for i, name in enumerate(rules.DATES)},
        "spaces": [{"space_id": HALL}],
        "weekdays": [1, 3],
        "evening_start": "17:30",
        "evening_end": "22:00",
        "priorities": {"children_youth": 1000, "local": 100},
    }
    form = rules.RoundForm.of(found)
    assert form.dates["applications_open"] == "1.3.2031"
    assert form.space_ids == [HALL]
    assert form.weekdays == ["1", "3"]
    assert form.priorities["children_youth"] == "1000"
    assert form.priorities["fairness"] == ""
    assert rules.RoundForm.read(_as_posted(form), [HALL]).body()["weekdays"] == [1, 3]


def _as_posted(form: rules.RoundForm) -> dict[str, Any]:
    return {
        "name": form.name,
        **form.dates,
        "space_ids": form.space_ids,
        "weekdays": form.weekdays,
        "evening_start": form.evening_start,
        "evening_end": form.evening_end,
        **form.priorities,
    }


def test_only_upcoming_and_open_rounds_are_edited() -> None:
    assert [s for s in ("upcoming", "open", "in_allocation", "handled") if rules.editable(s)] == [
        "upcoming",
        "open",
    ]


def test_running_the_allocation() -> None:
    assert rules.read_run({"method": "greedy", "time_limit_s": ""}) == (
        rules.RunChoice("greedy", 20),
        {},
    )
    assert rules.read_run({"method": "magic", "time_limit_s": "61"}) == (
        None,
        {"method": rules.METHOD_NEEDED, "time_limit_s": rules.TIME_LIMIT_INVALID},
    )


def test_forcing_a_time() -> None:
    values = {
        "section_id": SECTION,
        "space_id": HALL,
        "weekday": "2",
        "start": "18.30",
        "end": "2000",
    }
    form = rules.ForceForm.read(values, [SECTION], [HALL])
    assert form.errors == {}
    assert form.body() == {
        "section_id": SECTION,
        "space_id": HALL,
        "weekday": 2,
        "start": "18:30",
        "end": "20:00",
    }
    bad = rules.ForceForm.read({**values, "weekday": "7", "end": "18:00"}, [SECTION], [])
    assert bad.errors == {
        "space_id": rules.SPACE_NEEDED,
        "weekday": rules.DAY_NEEDED,
        "end": rules.END_AFTER_START,
    }
    assert bad.start == "18.30"


def test_the_figures_of_a_run() -> None:
    run = {
        "method": "cp_sat",
        "seconds": 3.14159,
        "optimal": False,
        "metrics": {
            "requested_hours": 12.0,
            "met_hours": 9.25,
            "met_share": 0.7708,
            "by_class": {"other": 0.5, "children_youth": 1.0, "local": 0.666},
            "gini": 0.12345,
            "sections_refused": 1,
        },
    }
    found = rules.figures(run)
    assert found is not None
    assert found.met_percent == 77
    assert found.by_class == [("children_youth", 100), ("local", 67), ("other", 50)]
    assert (found.gini, found.seconds, found.optimal) == (0.123, 3.14, False)
    assert (found.met_hours, found.requested_hours) == (9.2, 12.0)
    assert rules.figures(None) is None


def _time(time_id: str, weekday: int, start: str, end: str, space: str = HALL) -> dict[str, Any]:
    return {
        "id": time_id,
        "space_id": space,
        "weekday": weekday,
        "start": start,
        "end": end,
        "section_name": time_id,
    }


def test_the_grid_of_a_hall_merges_the_half_hours_of_each_time() -> None:
    spaces = [{"space_id": HALL, "space_name": "Gym", "site_name": "School"}]
    times = [_time("a", 1, "18:00", "19:30"), _time("b", 1, "19:30", "20:00")]
    (grid,) = rules.hall_grids(spaces, times, [1, 3], "17:00", "21:00")
    assert (grid.columns[0], grid.columns[-1]) == ("17:00", "20:30")
    assert [row.weekday for row in grid.rows] == [1, 3]
    tuesday = grid.rows[0].cells
    assert [(c.start, c.end, c.span, [t["id"] for t in c.times]) for c in tuesday] == [
        ("17:00", "18:00", 2, []),
        ("18:00", "19:30", 3, ["a"]),
        ("19:30", "20:00", 1, ["b"]),
        ("20:00", "21:00", 2, []),
    ]
    assert [c.span for c in grid.rows[1].cells] == [8]
    assert grid.count == 2


def test_a_time_outside_the_evening_widens_the_grid_and_adds_its_day() -> None:
    spaces = [{"space_id": HALL}, {"space_id": OTHER_HALL}]
    times = [_time("late", 5, "22:00", "23:30")]
    first, second = rules.hall_grids(spaces, times, [0], "17:00", "23:00")
    assert first.columns[-1] == "23:00"
    assert [row.weekday for row in first.rows] == [0, 5]
    assert [row.weekday for row in second.rows] == [0]
    assert second.columns[-1] == "22:30"


@given(
    st.lists(
        st.tuples(
            st.integers(0, 4), st.integers(34, 44), st.integers(1, 6)
        ),  # day, start half hour, length
        max_size=8,
    )
)
def test_every_grid_row_covers_the_whole_evening_once(
    found: list[tuple[int, int, int]],
) -> None:
    times = [
        _time(str(i), day, rules.clock(start * 30), rules.clock(min(start + length, 47) * 30))
        for i, (day, start, length) in enumerate(found)
    ]
    (grid,) = rules.hall_grids([{"space_id": HALL}], times, [0, 1, 2, 3, 4], "17:00", "23:00")
    for row in grid.rows:
        assert sum(cell.span for cell in row.cells) == len(grid.columns)
        assert row.cells[0].start == grid.columns[0]
        for before, after in zip(row.cells, row.cells[1:], strict=False):
            assert before.end == after.start
        held = {t["id"] for cell in row.cells for t in cell.times}
        assert held == {t["id"] for t in times if t["weekday"] == row.weekday}


def test_a_section_in_words() -> None:
    section: dict[str, Any] = {
        "min_minutes": 60,
        "max_minutes": 90,
        "halls": [OTHER_HALL, HALL],
        "preferred": [
            {"weekday": 3, "start": "18:00", "end": "20:00"},
            {"weekday": 1, "start": "17:30:00", "end": "19:00:00"},
        ],
    }
    assert rules.lengths(section) == "60–90 min"
    assert rules.lengths({"min_minutes": 90, "max_minutes": 90}) == "90 min"
    assert rules.hall_names(section, {HALL: "Gym"}) == [OTHER_HALL, "Gym"]
    assert rules.ranges(section["preferred"], DAYS) == [
        "Tuesday 17:30–19:00",
        "Thursday 18:00–20:00",
    ]


def test_the_choices_of_sections_and_halls() -> None:
    applications = [
        {"organisation_name": "Volla IL", "sections": [{"id": SECTION, "name": "G14"}]},
        {"organisation_name": "Arbeidernes IL", "sections": [{"id": "s2", "name": "Senior"}]},
    ]
    assert list(rules.section_choices(applications).values()) == [
        "Arbeidernes IL – Senior",
        "Volla IL – G14",
    ]
    spaces = [{"space_id": HALL, "site_name": "School", "space_name": "Gym"}]
    assert rules.space_choices(spaces) == {HALL: "School – Gym"}
    assert rules.items({"items": [{"a": 1}]}) == [{"a": 1}]
    assert rules.items([{"a": 1}]) == [{"a": 1}]
    assert rules.items(None) == []
