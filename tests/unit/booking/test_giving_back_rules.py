"""Pure rules of giving time back: what may be given back and whether a direct wish fits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain.allocation import WeeklyTime
from booking.domain.giving_back import (
    DirectWish,
    check_direct_wish,
    check_give_back_date,
    check_give_back_from,
    direct_fit,
    direct_wish,
)
from samspill.errors import Conflict, RuleViolation

NOW = datetime(2030, 3, 6, 12, tzinfo=UTC)


def test_a_started_or_past_booking_cannot_be_given_back() -> None:
    check_give_back_date(NOW + timedelta(minutes=1), NOW)
    with pytest.raises(Conflict):
        check_give_back_date(NOW, NOW)
    with pytest.raises(Conflict):
        check_give_back_from(date(2030, 3, 5), date(2030, 3, 6))
    check_give_back_from(date(2030, 3, 6), date(2030, 3, 6))


def test_a_wish_must_be_on_the_half_hour_and_fit_the_hall() -> None:
    assert direct_wish(2, 18 * 60, 0) == WeeklyTime(2, 18 * 60, 24 * 60)
    with pytest.raises(RuleViolation):
        direct_wish(2, 18 * 60 + 15, 20 * 60)
    with pytest.raises(RuleViolation):
        direct_wish(2, 20 * 60, 18 * 60)
    with pytest.raises(RuleViolation):
        check_direct_wish(WeeklyTime(2, 1080, 1200), 41, 40)


minutes = st.integers(min_value=0, max_value=47).map(lambda half: half * 30)


@given(st.integers(0, 6), minutes, minutes, st.integers(0, 6), minutes, minutes, st.integers(1, 60))
def test_a_direct_wish_is_offered_whole_or_not_at_all(
    wd: int, ws: int, we: int, fd: int, fs: int, fe: int, size: int
) -> None:
    if ws >= we or fs >= fe:
        return
    wish = DirectWish("hall", WeeklyTime(wd, ws, we), size)
    freed = WeeklyTime(fd, fs, fe)
    fit = direct_fit(wish, "hall", 40, freed)
    inside = wd == fd and fs <= ws and we <= fe and size <= 40
    assert (fit == wish.time) if inside else fit is None
    assert direct_fit(wish, "other hall", 40, freed) is None
