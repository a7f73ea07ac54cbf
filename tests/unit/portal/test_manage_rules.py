"""The manager pages' rules: reading the forms, what a closure cancels, the week grid."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from portal.domain import manage as rules
from portal.manage.schemas import FORM_MESSAGES
from samspill.intervals import Interval
from samspill.recurrence import resolve_local

DAY = date(2031, 3, 4)  # a Tuesday
SITE = "site-1"


def test_every_form_message_is_in_the_catalogue_list() -> None:
    messages = {v for k, v in vars(rules).items() if k.isupper() and isinstance(v, str)}
    messages = {m for m in messages if m.endswith(".")}
    assert messages == set(FORM_MESSAGES)


def test_a_weekly_release_over_a_term() -> None:
    form = {
        "type": "weekly",
        "ukedager": ["1", "3"],
        "fra": "18:00",
        "til": "20.00",
        "forste": "4.3.2031",
        "siste": "2031-06-10",
    }
    checked = rules.check_release(form)
    assert checked.errors == {}
    assert checked.value is not None
    assert checked.value.body() == {
        "kind": "weekly",
        "weekdays": [1, 3],
        "valid_from": "2031-03-04",
        "valid_to": "2031-06-10",
        "start_time": "18:00",
        "end_time": "20:00",
    }


def test_a_one_date_release_may_end_at_midnight() -> None:
    form = {"type": "one_off", "fra": "2000", "til": "24:00", "dato": "4.3.2031"}
    checked = rules.check_release(form)
    assert checked.value is not None
    assert checked.value.body() == {
        "kind": "one_off",
        "day": "2031-03-04",
        "start_time": "20:00",
        "end_time": "00:00",
    }


def test_a_release_form_names_every_field_it_cannot_read() -> None:
    form = {"type": "weekly", "ukedager": ["9"], "fra": "18", "til": "17:00", "siste": "1.1.2031"}
    checked = rules.check_release({**form, "forste": "2.2.2031"})
    assert checked.value is None
    assert checked.errors == {
        "ukedager": rules.NEED_WEEKDAY,
        "til": rules.END_AFTER_START,
        "siste": rules.LAST_AFTER_FIRST,
    }
    assert rules.check_release({"type": "x"}).errors["type"] == rules.NEED_KIND


def test_a_closure_of_whole_days_in_local_time() -> None:
    form = {"omfang": "space-1", "forste": "4.3.2031", "siste": "4.3.2031", "arsak": "exam"}
    checked = rules.check_closing(form, SITE, ["space-1"])
    assert checked.value is not None
    body = checked.value.body()
    assert body["space_id"] == "space-1"
    assert "site_id" not in body
    assert body["start"] == resolve_local(DAY, time(0)).isoformat()
    assert body["end"] == resolve_local(DAY + timedelta(days=1), time(0)).isoformat()
    whole = rules.check_closing({**form, "omfang": "site"}, SITE, ["space-1"]).value
    assert whole is not None
    assert whole.body()["site_id"] == SITE


def test_a_closure_form_refuses_another_sites_space_and_an_unknown_reason() -> None:
    form = {"omfang": "elsewhere", "forste": "4.3.2031", "siste": "4.3.2033", "arsak": "fun"}
    checked = rules.check_closing({**form, "merknad": "x" * 501}, SITE, ["space-1"])
    assert checked.errors == {
        "omfang": rules.NEED_SCOPE,
        "siste": rules.CLOSURE_TOO_LONG,
        "arsak": rules.NEED_REASON,
        "merknad": rules.NOTE_TOO_LONG,
    }


def test_a_rejection_needs_a_reason() -> None:
    assert rules.check_rejection({"begrunnelse": "  "}).errors
    assert rules.check_rejection({"begrunnelse": "x" * 501}).errors
    assert rules.check_rejection({"begrunnelse": " Eksamen "}).value == "Eksamen"


# --- what a closure cancels -------------------------------------------------------------------

START = resolve_local(DAY, time(0))
END = START + timedelta(days=1)
NOW = START - timedelta(days=3)
CONFLICTS = {"whole": ["part-a", "part-b"], "part-a": ["whole"], "part-b": ["whole"]}


def booking(space: str, hour: int, status: str = "confirmed", org: str = "IL") -> dict[str, Any]:
    start = resolve_local(DAY, time(hour))
    return {
        "space_id": space,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
        "status": status,
        "organisation_name": org,
    }


def test_closing_a_part_cancels_its_whole_but_not_the_other_part() -> None:
    found = [booking("part-a", 17), booking("whole", 19), booking("part-b", 18)]
    cancelled = rules.cancelled_by("part-a", CONFLICTS, found, START, END, NOW)
    assert [b["space_id"] for b in cancelled] == ["part-a", "whole"]


def test_closing_the_site_cancels_every_active_booking_in_the_period_only() -> None:
    found = [
        booking("part-b", 18, org="B"),
        booking("other", 17, org="A"),
        booking("other", 20, status="rejected"),
        {
            **booking("other", 10),
            "start": (START - timedelta(hours=3)).isoformat(),
            "end": (START - timedelta(hours=1)).isoformat(),
        },
    ]
    cancelled = rules.cancelled_by(None, CONFLICTS, found, START, END, NOW)
    assert [b["organisation_name"] for b in cancelled] == ["A", "B"]
    assert rules.clubs_told([*cancelled, *cancelled]) == ["A", "B"]


@given(
    st.lists(
        st.tuples(st.sampled_from(["whole", "part-a", "part-b", "other"]), st.integers(0, 22)),
        max_size=12,
    ),
    st.sampled_from([None, "whole", "part-a", "part-b", "other"]),
)
def test_a_space_closure_cancels_a_subset_of_the_site_closure(
    booked: list[tuple[str, int]], closed: str | None
) -> None:
    found = [booking(space, hour) for space, hour in booked]
    site = rules.cancelled_by(None, CONFLICTS, found, START, END, NOW)
    space = rules.cancelled_by(closed, CONFLICTS, found, START, END, NOW)
    assert all(b in site for b in space)
    assert len(site) == len(found)  # every booked hour lies in the closed day


# --- the week grid ----------------------------------------------------------------------------


def hours(day: date, start: int, end: int) -> Interval:
    return Interval(resolve_local(day, time(start)), resolve_local(day, time(end)))


def test_the_grid_shows_released_pending_booked_and_closed_hours() -> None:
    monday = rules.week_start(DAY)
    assert monday == date(2031, 3, 3)
    released = [hours(DAY, 17, 22), hours(DAY + timedelta(days=1), 17, 22)]
    held = [
        rules.Held(hours(DAY, 18, 19), "IL Kjeller"),
        rules.Held(hours(DAY, 20, 21), "Korpset", pending=True),
    ]
    closed = [hours(DAY + timedelta(days=1), 0, 23)]
    grid_hours = rules.grid_hours(released)
    assert grid_hours == (17, 22)
    grid = rules.space_week(monday, grid_hours, released, closed, held)
    assert [row.day for row in grid][1] == DAY
    tuesday = {slot.hour: slot for slot in grid[1].slots}
    assert tuesday[17].state == rules.SlotState.RELEASED
    assert (tuesday[18].state, tuesday[18].who) == (rules.SlotState.BOOKED, "IL Kjeller")
    assert tuesday[20].state == rules.SlotState.PENDING
    assert {slot.state for slot in grid[2].slots} == {rules.SlotState.CLOSED}
    assert {slot.state for slot in grid[0].slots} == {rules.SlotState.NOT_RELEASED}


def test_the_grid_defaults_to_the_evening_and_reaches_midnight() -> None:
    assert rules.grid_hours([]) == rules.DEFAULT_HOURS
    late = Interval(resolve_local(DAY, time(20)), resolve_local(DAY + timedelta(days=1), time(0)))
    assert rules.grid_hours([late]) == (20, 24)


def test_whole_day_closures_show_their_days_and_far_holidays_are_left_out() -> None:
    start, end = resolve_local(DAY, time(0)), resolve_local(DAY + timedelta(days=2), time(0))
    assert rules.whole_days(start, end) == (DAY, DAY + timedelta(days=1))
    assert rules.whole_days(start + timedelta(hours=17), end) is None
    now = start - timedelta(days=1)
    closures = [
        {"start": start.isoformat(), "end": end.isoformat(), "reason": "exam"},
        {
            "start": (start + timedelta(days=90)).isoformat(),
            "end": end.isoformat(),
            "reason": "holiday",
        },
        {
            "start": (start + timedelta(days=200)).isoformat(),
            "end": end.isoformat(),
            "reason": "maintenance",
        },
    ]
    shown = rules.listed_closures(closures, now, timedelta(days=60))
    assert [c["reason"] for c in shown] == ["exam", "maintenance"]
    assert shown[0]["last_day"] == DAY + timedelta(days=1)
