"""The answer `/availability` builds from kept days (encoded, decoded, joined over the period,
written span by span) is byte for byte the answer computed for the whole period at once, the
way it was computed before days were kept: over random windows (across midnight and the
spring-forward gap), closures of the space, its part, another space and the site, bookings,
rules, periods, clocks and minimum lengths, on ordinary and daylight-saving weeks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability.queries import _encoded, _space_time
from booking.availability.routes import _public
from booking.bookings.states import local_text
from booking.catalogue.queries import space_view
from booking.domain import BusyInterval, ClosureView, WindowView, days_time, free_slots
from booking.domain.views import closures_of, window_occurrences
from samspill.availability import local_day
from samspill.events import facilities as fe
from samspill.intervals import Interval, intersect, merge
from samspill.jsonbody import json_bytes
from samspill.recurrence import OSLO, local_dates

SITE = uuid.UUID("00000000-0000-4000-8000-00000000000a")
SPACE = uuid.UUID("00000000-0000-4000-8000-000000000001")
PART = uuid.UUID("00000000-0000-4000-8000-000000000002")
OTHER = uuid.UUID("00000000-0000-4000-8000-000000000003")
# Mondays: an ordinary week and the weeks of the spring and autumn clock changes.
WEEKS = (date(2026, 9, 7), date(2026, 3, 23), date(2026, 10, 19))
STEP = timedelta(minutes=5)

SITE_STATE = fe.SiteState(
    site_id=SITE,
    kind="school",
    name="Volla skole",
    address="Skolevegen 1",
    district="Lillestrøm",
    contact=fe.SiteContact(name="Kontoret"),
    accessibility=fe.Accessibility(),
)


def space_state(rules: dict[str, Any]) -> fe.SpaceState:
    return fe.SpaceState(
        space_id=SPACE,
        site_id=SITE,
        name="Storhallen",
        kind="gym",
        capacity=60,
        features=["basketball"],
        conflicts_with=[PART],
        rules=fe.BookingRulesState(
            max_minutes=24 * 60,
            cancellation_deadline_hours=24,
            approval_required=False,
            who_may_book="organisations",
            **rules,
        ),
    )


def week_start(week: date) -> datetime:
    return datetime.combine(week, time(0), tzinfo=OSLO).astimezone(UTC)


@st.composite
def windows(draw: st.DrawFn, week: date) -> list[WindowView]:
    found = []
    for number in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, 23 * 4)) * 15
        end = draw(st.integers(start // 15 + 1, 24 * 4)) * 15
        first = week + timedelta(days=draw(st.integers(-2, 6)))
        found.append(
            WindowView(
                f"w-{number}",
                draw(st.sampled_from([str(SPACE), str(SPACE), str(OTHER)])),
                frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
                time(start // 60, start % 60),
                time(0) if end == 24 * 60 else time(end // 60, end % 60),
                first,
                first + timedelta(days=draw(st.integers(0, 14))),
            )
        )
    return found


@st.composite
def intervals(draw: st.DrawFn, week: date, longest_steps: int) -> Interval:
    first = week_start(week) - timedelta(days=1)
    start = first + draw(st.integers(0, 9 * 24 * 12)) * STEP
    return Interval(start, start + draw(st.integers(1, longest_steps)) * STEP)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    week = draw(st.sampled_from(WEEKS))
    rules = {
        "min_minutes": draw(st.sampled_from([15, 30, 60, 120])),
        "granularity_minutes": draw(st.sampled_from([15, 30, 45, 60])),
        "horizon_days": draw(st.sampled_from([0, 3, 400, 400])),
        "buffer_minutes": draw(st.sampled_from([0, 10, 15, 30])),
    }
    if draw(st.booleans()):  # whole local days, as the portal asks
        first = week + timedelta(days=draw(st.integers(0, 6)))
        last = first + timedelta(days=draw(st.integers(1, 7)))
        period = Interval(local_day(first).start, local_day(last).start)
    else:  # any instant to the second
        start = week_start(week) + timedelta(seconds=draw(st.integers(0, 7 * 86400)))
        period = Interval(start, start + timedelta(seconds=draw(st.integers(1, 7 * 86400))))
    # Mostly before the period (nothing passed yet), sometimes within it.
    now = period.start + timedelta(seconds=draw(st.integers(-2 * 86400, 86400)))
    whose = st.sampled_from([str(SPACE), str(PART), str(OTHER), None])
    closures = [
        ClosureView(draw(intervals(week, 2 * 24 * 12)), "exam", draw(whose), str(SITE))
        for _ in range(draw(st.integers(0, 3)))
    ]
    busy = [
        BusyInterval(
            draw(st.sampled_from([str(SPACE), str(PART), str(OTHER)])),
            draw(intervals(week, 6 * 12)),
            f"b-{n}",
        )
        for n in range(draw(st.integers(0, 12)))
    ]
    return {
        "space": space_state(rules),
        "period": period,
        "windows": draw(windows(week)),
        "closures": closures,
        "busy": busy,
        "min_minutes": draw(st.sampled_from([0, 30, 90, 240])),
        "now": now,
    }


def whole_period_answer(case: dict[str, Any]) -> bytes:
    """The answer as computed before days were kept: the whole period at once."""
    view = space_view(case["space"])
    period = case["period"]
    slots = free_slots(
        view,
        period,
        case["windows"],
        case["closures"],
        case["busy"],
        case["min_minutes"],
        now=case["now"],
    )
    released = intersect(window_occurrences(view, case["windows"], period), [period])
    closed = intersect(merge(c.interval for c in closures_of(view, case["closures"])), [period])
    space, site = case["space"], SITE_STATE

    def spans(found: list[Interval]) -> list[dict[str, object]]:
        return [
            {
                "start": span.start,
                "end": span.end,
                "local_start": local_text(span.start),
                "local_end": local_text(span.end),
            }
            for span in found
        ]

    return json_bytes(
        [
            {
                "space_id": space.space_id,
                "space_name": space.name,
                "space_kind": space.kind,
                "capacity": space.capacity,
                "features": list(space.features),
                "site_id": site.site_id,
                "site_name": site.name,
                "site_kind": site.kind,
                "district": site.district,
                "who_may_book": space.rules.who_may_book,
                "approval_required": space.rules.approval_required,
                "slots": spans(slots),
                "released": spans(released),
                "closed": spans(closed),
            }
        ]
    )


def kept_days_answer(case: dict[str, Any]) -> bytes:
    view = space_view(case["space"])
    days = local_dates(case["period"])
    times = days_time(view, days, case["windows"], case["closures"], case["busy"])
    kept = [orjson.loads(_encoded(t, view.rules.granularity_minutes)) for t in times]
    item = _space_time(
        case["space"], view, SITE_STATE, kept, case["period"], case["min_minutes"], case["now"]
    )
    return b"[" + _public(item) + b"]"


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_answer_from_kept_days_is_the_answer_for_the_whole_period(
    case: dict[str, Any],
) -> None:
    assert kept_days_answer(case) == whole_period_answer(case)


def test_an_answer_with_slots_across_midnight_and_a_partial_first_day() -> None:
    week = WEEKS[0]
    last = week + timedelta(days=6)
    late = WindowView("late", str(SPACE), frozenset({4}), time(21), time(0), week, last)
    night = WindowView("night", str(SPACE), frozenset({5}), time(0), time(2), week, last)
    friday = week_start(week) + timedelta(days=4)
    case = {
        "space": space_state(
            {
                "min_minutes": 60,
                "granularity_minutes": 30,
                "horizon_days": 400,
                "buffer_minutes": 15,
            }
        ),
        "period": Interval(friday + timedelta(hours=21, minutes=40), friday + timedelta(days=2)),
        "windows": [late, night],
        "closures": [],
        "busy": [
            BusyInterval(
                str(PART), Interval(friday + timedelta(hours=22), friday + timedelta(hours=23)), "b"
            )
        ],
        "min_minutes": 0,
        "now": friday,
    }
    answer = kept_days_answer(case)
    assert answer == whole_period_answer(case)
    local = [(s["local_start"], s["local_end"]) for s in orjson.loads(answer)[0]["slots"]]
    # The part's booking and its buffer end at 23:15: from 23:30 on the grid, across midnight.
    assert local == [(f"{week + timedelta(days=4)}T23:30", f"{week + timedelta(days=5)}T02:00")]
