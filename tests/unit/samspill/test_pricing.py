from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samspill.errors import RuleViolation
from samspill.intervals import Interval
from samspill.pricing import (
    FREE_PRINCIPLE_EN,
    FREE_PRINCIPLE_NB,
    BookerCategory,
    PriceRule,
    RatePeriod,
    SpaceKind,
    ensure_unique_scope,
    format_kr,
    price_list,
    quote,
    select_rule,
    split_by_period,
)
from samspill.recurrence import OSLO

NON_PROFIT = BookerCategory.NON_PROFIT
COMMERCIAL = BookerCategory.COMMERCIAL
YOUTH = BookerCategory.CHILDREN_YOUTH

DEFAULT_NON_PROFIT = PriceRule(None, None, NON_PROFIT, 10_000, 15_000, 20_000)
GYM_NON_PROFIT = PriceRule(None, SpaceKind.GYM, NON_PROFIT, 12_000)
SPACE_NON_PROFIT = PriceRule("gym-1", None, NON_PROFIT, 9_000)
DEFAULT_COMMERCIAL = PriceRule(None, None, COMMERCIAL, 50_000, 60_000, 80_000)
RULES = [DEFAULT_NON_PROFIT, GYM_NON_PROFIT, SPACE_NON_PROFIT, DEFAULT_COMMERCIAL]


def oslo(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def local(start: datetime, end: datetime) -> Interval:
    return Interval(start, end)


# --- the free principle -------------------------------------------------------------------


def test_free_principle_quotes_zero_for_a_youth_club_on_a_weekday_evening() -> None:
    tuesday_evening = local(oslo(6, 18), oslo(6, 20))
    result = quote("gym-1", SpaceKind.GYM, tuesday_evening, YOUTH, RULES, True, True)
    assert result.total_ore == 0
    assert result.total_text == "0,00 kr"
    assert result.free_principle
    assert result.explanation_nb == FREE_PRINCIPLE_NB
    assert result.explanation_nb.startswith("Gratisprinsippet: aktiviteter for barn og unge")
    assert result.explanation_en == FREE_PRINCIPLE_EN
    assert "under 20" in result.explanation_en


def test_free_principle_applies_whatever_category_a_voluntary_youth_activity_names() -> None:
    evening = local(oslo(6, 18), oslo(6, 20))
    result = quote("gym-1", SpaceKind.GYM, evening, NON_PROFIT, RULES, True, True)
    assert result.total_ore == 0
    assert result.free_principle


def test_youth_category_without_a_voluntary_organisation_is_refused() -> None:
    evening = local(oslo(6, 18), oslo(6, 20))
    with pytest.raises(RuleViolation, match="voluntary organisation") as caught:
        quote("gym-1", SpaceKind.GYM, evening, YOUTH, RULES, False, True)
    assert "frivillig" in caught.value.detail_nb
    with pytest.raises(RuleViolation):
        quote("gym-1", SpaceKind.GYM, evening, YOUTH, RULES, True, False)


def test_voluntary_adult_activity_pays_the_non_profit_price() -> None:
    evening = local(oslo(6, 18), oslo(6, 20))
    result = quote("gym-2", SpaceKind.CLASSROOM, evening, NON_PROFIT, RULES, True, False)
    assert result.total_ore == 30_000
    assert not result.free_principle


def test_an_explicit_youth_price_rule_overrides_the_free_principle() -> None:
    auditorium_youth = PriceRule(None, SpaceKind.AUDITORIUM, YOUTH, 5_000)
    evening = local(oslo(6, 18), oslo(6, 20))
    result = quote("aud-1", SpaceKind.AUDITORIUM, evening, YOUTH, [auditorium_youth], True, True)
    assert result.total_ore == 10_000
    assert result.rule_applied == auditorium_youth
    gym = quote("gym-1", SpaceKind.GYM, evening, YOUTH, [auditorium_youth], True, True)
    assert gym.free_principle


def test_a_zero_youth_rule_still_explains_the_free_principle() -> None:
    free_rule = PriceRule(None, None, YOUTH, 0)
    result = quote(
        "gym-1", SpaceKind.GYM, local(oslo(6, 18), oslo(6, 20)), YOUTH, [free_rule], True, True
    )
    assert result.free_principle
    assert result.rule_applied == free_rule


def test_no_rule_for_the_category_means_free_with_an_explanation() -> None:
    result = quote(
        "gym-1",
        SpaceKind.GYM,
        local(oslo(6, 18), oslo(6, 20)),
        BookerCategory.PRIVATE,
        RULES,
        False,
        False,
    )
    assert result.total_ore == 0
    assert result.rule_applied is None
    assert not result.free_principle
    assert "Ingen prisregel" in result.explanation_nb


# --- rule selection -----------------------------------------------------------------------


def test_most_specific_rule_wins() -> None:
    assert select_rule("gym-1", SpaceKind.GYM, NON_PROFIT, RULES) == SPACE_NON_PROFIT
    assert select_rule("gym-2", SpaceKind.GYM, NON_PROFIT, RULES) == GYM_NON_PROFIT
    assert select_rule("room-1", SpaceKind.CLASSROOM, NON_PROFIT, RULES) == DEFAULT_NON_PROFIT
    assert select_rule("room-1", SpaceKind.CLASSROOM, COMMERCIAL, RULES) == DEFAULT_COMMERCIAL
    assert select_rule("room-1", SpaceKind.CLASSROOM, BookerCategory.PRIVATE, RULES) is None


def test_quote_names_the_rule_it_used() -> None:
    result = quote(
        "gym-2", SpaceKind.GYM, local(oslo(6, 10), oslo(6, 12)), NON_PROFIT, RULES, True, False
    )
    assert result.rule_applied == GYM_NON_PROFIT
    assert result.total_ore == 24_000
    assert "gymsal" in result.explanation_nb
    assert "240,00 kr" in result.explanation_nb


# --- splitting across rate periods --------------------------------------------------------


def test_weekday_booking_across_the_evening_boundary() -> None:
    result = quote(
        "r",
        SpaceKind.CLASSROOM,
        local(oslo(6, 16), oslo(6, 18, 30)),
        NON_PROFIT,
        RULES,
        True,
        False,
    )
    assert [(line.period, line.duration, line.amount_ore) for line in result.lines] == [
        (RatePeriod.STANDARD, timedelta(hours=1), 10_000),
        (RatePeriod.EVENING, timedelta(hours=1, minutes=30), 22_500),
    ]
    assert result.total_ore == 32_500
    assert result.lines[1].label_nb == "Kveldssats"


def test_friday_night_into_saturday_uses_the_weekend_rate_after_midnight() -> None:
    durations = split_by_period(DEFAULT_NON_PROFIT, local(oslo(9, 21), oslo(10, 1)))
    assert durations == {
        RatePeriod.EVENING: timedelta(hours=3),
        RatePeriod.WEEKEND: timedelta(hours=1),
    }


def test_public_holiday_uses_the_weekend_rate() -> None:
    # 17 May 2027 is a Monday.
    monday_holiday = local(oslo(17, 10, month=5, year=2027), oslo(17, 12, month=5, year=2027))
    durations = split_by_period(DEFAULT_NON_PROFIT, monday_holiday)
    assert durations == {RatePeriod.WEEKEND: timedelta(hours=2)}


def test_missing_evening_and_weekend_rates_fall_back_to_the_standard_rate() -> None:
    saturday_evening = local(oslo(10, 16), oslo(10, 20))
    assert split_by_period(GYM_NON_PROFIT, saturday_evening) == {
        RatePeriod.STANDARD: timedelta(hours=4)
    }


def test_custom_evening_start() -> None:
    rule = PriceRule(None, None, NON_PROFIT, 10_000, 20_000, evening_from=time(18, 30))
    durations = split_by_period(rule, local(oslo(6, 18), oslo(6, 19)))
    assert durations == {
        RatePeriod.STANDARD: timedelta(minutes=30),
        RatePeriod.EVENING: timedelta(minutes=30),
    }


def test_spring_forward_sunday_evening_is_charged_for_five_hours() -> None:
    sunday = Interval(
        datetime(2027, 3, 28, 17, tzinfo=OSLO).astimezone(UTC),
        datetime(2027, 3, 28, 22, tzinfo=OSLO).astimezone(UTC),
    )
    result = quote("r", SpaceKind.CLASSROOM, sunday, NON_PROFIT, RULES, True, False)
    assert result.total_ore == 5 * 20_000


def test_fall_back_night_is_charged_for_the_hours_that_elapse() -> None:
    # Saturday 24 October 22:00 to Sunday 04:00 local time: 7 hours elapse.
    start = datetime(2026, 10, 24, 20, tzinfo=UTC)
    night = Interval(start, start + timedelta(hours=7))
    result = quote("r", SpaceKind.CLASSROOM, night, COMMERCIAL, RULES, False, False)
    assert result.total_ore == 7 * 80_000


def test_per_minute_price_is_rounded_once_at_the_end() -> None:
    rule = PriceRule(None, None, NON_PROFIT, 100, 100, 100)
    # Each minute costs 1/0.6 øre; 59 minutes cost 98.33 øre, rounded to 98.
    result = quote(
        "r",
        SpaceKind.OTHER,
        local(oslo(6, 16, 30), oslo(6, 17, 29)),
        NON_PROFIT,
        [rule],
        True,
        False,
    )
    assert result.total_ore == 98
    assert sum(line.amount_ore for line in result.lines) == 98


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.integers(min_value=1, max_value=36 * 60),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
)
def test_lines_add_up(
    start: datetime, minutes: int, hourly: int, evening: int, weekend: int
) -> None:
    rule = PriceRule(None, None, COMMERCIAL, hourly, evening, weekend)
    instant = start.replace(tzinfo=UTC)
    interval = Interval(instant, instant + timedelta(minutes=minutes))
    result = quote("r", SpaceKind.OTHER, interval, COMMERCIAL, [rule], False, False)
    assert sum((line.duration for line in result.lines), timedelta()) == interval.duration
    exact = sum(
        Fraction(line.duration.total_seconds()) / 3600 * line.hourly_rate_ore
        for line in result.lines
    )
    assert result.total_ore == math.floor(exact + Fraction(1, 2))
    assert sum(line.amount_ore for line in result.lines) == result.total_ore
    assert all(
        abs(line.amount_ore - Fraction(line.duration.total_seconds()) / 3600 * line.hourly_rate_ore)
        < 1
        for line in result.lines
    )


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.integers(min_value=1, max_value=36 * 60),
    st.integers(0, 100_000),
)
def test_a_flat_rate_ignores_the_split(start: datetime, minutes: int, rate: int) -> None:
    rule = PriceRule(None, None, COMMERCIAL, rate, rate, rate)
    instant = start.replace(tzinfo=UTC)
    interval = Interval(instant, instant + timedelta(minutes=minutes))
    result = quote("r", SpaceKind.OTHER, interval, COMMERCIAL, [rule], False, False)
    assert result.total_ore == math.floor(Fraction(minutes * rate, 60) + Fraction(1, 2))


# --- rule validation ----------------------------------------------------------------------


def test_valid_rules() -> None:
    for rule in RULES:
        rule.validate()


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (PriceRule("gym-1", SpaceKind.GYM, NON_PROFIT, 100), "not to both"),
        (PriceRule(None, None, NON_PROFIT, -1), "negative"),
        (PriceRule(None, None, NON_PROFIT, 100, evening_rate_ore=-5), "negative"),
        (PriceRule(None, None, NON_PROFIT, 100, weekend_rate_ore=-5), "negative"),
        (PriceRule(None, None, NON_PROFIT, 100, evening_from=time(0)), "evening rate"),
        (PriceRule(None, None, NON_PROFIT, 100, evening_from=time(17, 0, 1)), "evening rate"),
    ],
)
def test_invalid_rules_are_refused(rule: PriceRule, fragment: str) -> None:
    with pytest.raises(RuleViolation, match=fragment) as caught:
        rule.validate()
    assert caught.value.detail_nb


def test_a_second_rule_for_the_same_scope_is_refused() -> None:
    existing = {"p1": DEFAULT_NON_PROFIT, "p2": GYM_NON_PROFIT}
    ensure_unique_scope(PriceRule(None, SpaceKind.GYM, COMMERCIAL, 1), existing)
    with pytest.raises(RuleViolation, match="p2"):
        ensure_unique_scope(PriceRule(None, SpaceKind.GYM, NON_PROFIT, 1), existing)


# --- formatting and the price list --------------------------------------------------------


@pytest.mark.parametrize(
    ("ore", "text"),
    [
        (15_000, "150,00 kr"),
        (0, "0,00 kr"),
        (5, "0,05 kr"),
        (150_000, "1 500,00 kr"),
        (123_456_789, "1 234 567,89 kr"),
    ],
)
def test_format_kr(ore: int, text: str) -> None:
    assert format_kr(ore) == text


def test_price_list_orders_space_kind_default_and_adds_the_free_principle() -> None:
    rows = price_list(RULES, {"gym-1": "Gymsal, Kjeller skole"})
    assert [(row.scope_nb, row.category) for row in rows] == [
        ("Gymsal, Kjeller skole", NON_PROFIT),
        ("Lokaletype: gymsal", NON_PROFIT),
        ("Alle lokaler", YOUTH),
        ("Alle lokaler", NON_PROFIT),
        ("Alle lokaler", COMMERCIAL),
    ]
    youth = rows[2]
    assert youth.hourly_rate == "0,00 kr"
    assert youth.note_nb == FREE_PRINCIPLE_NB
    default = rows[3]
    assert (default.hourly_rate, default.evening_rate, default.weekend_rate) == (
        "100,00 kr",
        "150,00 kr",
        "200,00 kr",
    )
    assert default.evening_from == "17:00"
    assert rows[1].evening_rate is None


def test_price_list_uses_the_id_when_a_space_name_is_missing() -> None:
    (row, _free) = price_list([SPACE_NON_PROFIT], {})
    assert row.scope_nb == "gym-1"


def test_price_list_keeps_an_explicit_default_youth_rule() -> None:
    rows = price_list([PriceRule(None, None, YOUTH, 0)], {})
    assert len(rows) == 1
    assert rows[0].note_en == FREE_PRINCIPLE_EN
