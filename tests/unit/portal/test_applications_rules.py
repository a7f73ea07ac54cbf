"""The season application pages' pure rules: the form read from posted fields, adding and
removing a section with everything typed kept, the portal's own checks, the body sent to
booking and back, which field a refusal names, and the rounds a club sees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.applications import (
    ApplicationFields,
    Problem,
    SectionFields,
    TimeFields,
    application_from_api,
    application_summary,
    can_apply,
    check,
    clock,
    field_of_error,
    offer_times,
    parse_application,
    rounds_overview,
    section_indexes,
    with_section_added,
    with_section_removed,
)

HALL_A = "5b1a3f0e-0000-4000-8000-000000000001"
HALL_B = "5b1a3f0e-0000-4000-8000-000000000002"
TODAY = date(2031, 5, 14)


def posted(index: int = 0, **overrides: str) -> dict[str, str]:
    p = f"s{index}-"
    values = {
        p + "name": "G12",
        p + "activity": "Fotball",
        p + "age_group": "youth",
        p + "group_size": "20",
        p + "times_per_week": "2",
        p + "min_minutes": "60",
        p + "max_minutes": "90",
        p + "hall0": HALL_A,
        p + "hall1": HALL_B,
        p + "hall2": "",
        p + "pref0-day": "1",
        p + "pref0-from": "18:00",
        p + "pref0-to": "20:00",
        p + "acc0-day": "3",
        p + "acc0-from": "1730",
        p + "acc0-to": "19.30",
    }
    return {**values, **{p + key: value for key, value in overrides.items()}}


def a_round(state: str = "open", opens: int = -1, closes: int = 10) -> dict[str, Any]:
    return {
        "id": f"r-{state}-{opens}",
        "name": f"Round {state}",
        "state": state,
        "applications_open": str(TODAY + timedelta(days=opens)),
        "applications_close": str(TODAY + timedelta(days=closes)),
    }


def test_the_form_is_read_section_by_section_in_order() -> None:
    form = {**posted(1, name="Senior"), **posted(0), "note": " hei ", "csrf_token": "x"}
    fields = parse_application(form)
    assert [s.name for s in fields.sections] == ["G12", "Senior"]
    assert fields.note == "hei"
    assert fields.sections[0].halls == (HALL_A, HALL_B, "")
    assert fields.sections[0].preferred[0] == TimeFields("1", "18:00", "20:00")
    assert fields.sections[0].preferred[1].empty


def test_section_indexes_ignore_other_fields_and_cap_at_twenty() -> None:
    form = {f"s{n}-name": "x" for n in range(30)} | {"handling": "lagre", "sx-name": "y"}
    assert section_indexes(form) == list(range(20))


def test_a_valid_form_becomes_the_body_booking_takes() -> None:
    checked = check(parse_application({**posted(0), "note": ""}))
    assert checked.problems == {}
    assert checked.body == {
        "note": None,
        "sections": [
            {
                "name": "G12",
                "activity": "Fotball",
                "age_group": "youth",
                "group_size": 20,
                "times_per_week": 2,
                "min_minutes": 60,
                "max_minutes": 90,
                "halls": [HALL_A, HALL_B],
                "preferred": [{"weekday": 1, "start": "18:00", "end": "20:00"}],
                "acceptable": [{"weekday": 3, "start": "17:30", "end": "19:30"}],
                "team_id": None,
            }
        ],
    }


def test_a_maximum_below_the_minimum_is_left_for_booking_to_refuse() -> None:
    checked = check(parse_application(posted(0, min_minutes="120", max_minutes="60")))
    assert checked.problems == {}
    assert checked.body is not None


def test_what_cannot_be_read_is_named_by_field() -> None:
    form = {
        **posted(0, name="", age_group="teens", group_size="many", hall0="", hall1=""),
        **posted(1, **{"pref0-day": "", "pref0-from": "", "pref0-to": "", "acc0-to": "17:00"}),
    }
    problems = check(parse_application(form)).problems
    assert problems == {
        "s0-name": Problem.NAME,
        "s0-age_group": Problem.AGE_GROUP,
        "s0-group_size": Problem.WHOLE_NUMBER,
        "s0-hall0": Problem.HALL,
        "s1-pref0-day": Problem.PREFERRED,
        "s1-acc0-to": Problem.END_AFTER_START,
    }


def test_a_hall_chosen_twice_is_refused() -> None:
    problems = check(parse_application(posted(0, hall1=HALL_A))).problems
    assert problems == {"s0-hall1": Problem.SAME_HALL}


def test_adding_and_removing_keep_what_was_typed() -> None:
    fields = parse_application({**posted(0), **posted(1, name="Senior"), "note": "n"})
    added = with_section_added(fields)
    assert len(added.sections) == 3
    assert added.sections[:2] == fields.sections
    assert added.sections[2] == SectionFields()
    removed = with_section_removed(added, 0)
    assert [s.name for s in removed.sections] == ["Senior", ""]
    assert removed.note == "n"
    assert with_section_removed(ApplicationFields(), 0).sections == (SectionFields(),)


def test_no_more_than_twenty_sections() -> None:
    fields = ApplicationFields(sections=tuple(SectionFields() for _ in range(20)))
    assert with_section_added(fields) is fields


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.integers(17 * 2, 21 * 2),
            st.integers(1, 4),
        ),
        min_size=1,
        max_size=2,
    ),
    st.integers(1, 500),
    st.integers(30, 120),
    st.integers(0, 120),
)
def test_a_stored_application_comes_back_as_the_same_body(
    ranges: list[tuple[int, int, int]], size: int, shortest: int, extra: int
) -> None:
    def hhmm(half_hours: int) -> str:
        return f"{half_hours // 2:02d}:{half_hours % 2 * 30:02d}"

    preferred = [
        {"weekday": day, "start": hhmm(start), "end": hhmm(start + length)}
        for day, start, length in ranges
    ]
    section = {
        "name": "G12",
        "activity": "Fotball",
        "age_group": "children",
        "group_size": size,
        "times_per_week": 1,
        "min_minutes": shortest,
        "max_minutes": shortest + extra,
        "halls": [HALL_B],
        "preferred": preferred,
        "acceptable": [],
        "team_id": None,
    }
    stored = {
        "status": "submitted",
        "note": "x",
        "sections": [{**section, "id": "s", "position": 1}],
    }
    fields = application_from_api(stored)
    assert check(fields).body == {"note": "x", "sections": [section]}


def test_a_withdrawn_or_missing_application_is_a_fresh_form() -> None:
    assert application_from_api(None) == ApplicationFields()
    assert application_from_api({"status": "withdrawn", "sections": [{"name": "x"}]}) == (
        ApplicationFields()
    )


def test_sections_come_back_in_the_club_s_order() -> None:
    stored = {
        "status": "submitted",
        "sections": [{"name": "B", "position": 2}, {"name": "A", "position": 1}],
    }
    assert [s.name for s in application_from_api(stored).sections] == ["A", "B"]


def test_clock_reads_what_people_type() -> None:
    assert clock("18:00") == "18:00"
    assert clock("8.30") == "08:30"
    assert clock("1930") == "19:30"
    assert clock("24:00") is None
    assert clock("18") is None
    assert clock("kveld") is None


def test_an_api_error_location_names_the_field() -> None:
    assert field_of_error(["body", "sections", 1, "max_minutes"]) == "s1-max_minutes"
    assert field_of_error(["body", "sections", 0, "halls", 2]) == "s0-hall2"
    assert field_of_error(["body", "sections", 0, "halls", 7]) == "s0-hall2"
    assert field_of_error(["body", "sections", 2, "preferred", 1, "start"]) == "s2-pref1-day"
    assert field_of_error(["body", "sections", 0, "acceptable"]) == "s0-acc0-day"
    assert field_of_error(["body", "sections", 3]) == "s3-name"
    assert field_of_error(["body", "note"]) == "note"
    assert field_of_error(["body", "sections"]) is None
    assert field_of_error(["query", "x"]) is None


def test_applications_are_taken_only_when_open_and_inside_the_period() -> None:
    assert can_apply(a_round("open"), TODAY)
    assert can_apply(a_round("open", opens=0, closes=0), TODAY)
    assert not can_apply(a_round("open", opens=-10, closes=-1), TODAY)
    assert not can_apply(a_round("upcoming", opens=3), TODAY)
    assert not can_apply(a_round("in_allocation"), TODAY)


def test_the_overview_shows_open_rounds_closing_first_and_upcoming_opening_first() -> None:
    rounds = [
        a_round("open", closes=20),
        a_round("open", closes=5),
        a_round("upcoming", opens=30, closes=40),
        a_round("upcoming", opens=3, closes=40),
        a_round("results_sent", opens=-100, closes=-90),
        a_round("open", opens=2, closes=9),  # the job has not moved it yet
    ]
    overview = rounds_overview(rounds, TODAY)
    assert [r["applications_close"] for r in overview.open] == [
        str(TODAY + timedelta(days=5)),
        str(TODAY + timedelta(days=20)),
    ]
    assert [r["applications_open"] for r in overview.upcoming] == [
        str(TODAY + timedelta(days=2)),
        str(TODAY + timedelta(days=3)),
        str(TODAY + timedelta(days=30)),
    ]


def test_the_summary_counts_the_results() -> None:
    sections = [
        {"result": {"status": "granted"}},
        {"result": {"status": "refused"}},
        {"result": {"status": "granted"}},
        {},
    ]
    assert application_summary(sections) == {"granted": 2, "partly": 0, "refused": 1}


def test_an_offer_s_time_as_text_or_minutes() -> None:
    assert offer_times({"start": "18:00:00", "end": "19:30"}) == ("18:00", "19:30")
    assert offer_times({"start_minute": 1080, "end_minute": 1170}) == ("18:00", "19:30")
