"""The usage page's rules: the period form, the tables, the CSV for Norwegian Excel and the
chart's bars."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.usage import (
    Grouping,
    PeriodProblem,
    bar_chart,
    default_period,
    hours,
    invoice_table,
    read_form,
    to_csv,
    usage_table,
)

TODAY = date(2027, 3, 10)
HEADERS = ["Name", "Released", "Booked", "Cancelled", "Used", "Free", "Share"]


def figures(released: int | None, booked: int, share: float | None = None) -> dict:
    return {
        "released_minutes": released,
        "booked_minutes": booked,
        "cancelled_minutes": 0,
        "used_minutes": booked,
        "free_minutes": 0,
        "free_share": share,
    }


def test_an_empty_form_asks_for_the_half_year_by_site() -> None:
    form = read_form({}, TODAY)
    assert form.period == default_period(TODAY)
    assert (form.period.first, form.period.last) == (date(2027, 1, 1), date(2027, 6, 30))
    assert form.grouping is Grouping.SITE
    assert default_period(date(2027, 9, 1)).first == date(2027, 7, 1)


def test_bad_dates_are_kept_with_their_problem() -> None:
    form = read_form({"fra": "31.02.2027", "til": "2027-03-01", "gruppering": "x"}, TODAY)
    assert form.period is None
    assert form.first == "31.02.2027"
    assert form.problems == {"fra": PeriodProblem.FIRST_INVALID}
    assert form.grouping is Grouping.SITE
    backwards = read_form({"fra": "2027-03-02", "til": "2027-03-01"}, TODAY)
    assert backwards.problems == {"til": PeriodProblem.BACKWARDS}
    too_long = read_form({"fra": "2027-01-01", "til": "2028-01-02"}, TODAY)
    assert too_long.problems == {"til": PeriodProblem.TOO_LONG}
    year = read_form({"fra": "2027-01-01", "til": "2028-01-01", "gruppering": "omrade"}, TODAY)
    assert year.period is not None
    assert year.grouping.api == "district"


def test_the_csv_opens_with_csv_and_keeps_the_numbers() -> None:
    report = {
        "by": "site",
        "groups": [{"name": "Volla skole; gymsal", **figures(600, 90, 0.5)}],
        "total": figures(600, 90, 0.5),
    }
    data = to_csv(usage_table(report, "Bruk", HEADERS, "Sum"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADERS
    assert rows[1] == ["Volla skole; gymsal", "10,00", "1,50", "0,00", "1,50", "0,00", "50,0"]
    assert rows[2][0] == "Sum"


def test_by_organisation_released_is_empty() -> None:
    report = {"by": "organisation", "groups": [{"name": "IL", **figures(None, 60)}]}
    table = usage_table(report, "Bruk", HEADERS, "Sum")
    assert table.rows[0][1] is None
    assert to_csv(table).decode("utf-8-sig").splitlines()[1].split(";")[1] == ""


def test_the_invoice_table_has_a_total_per_organisation() -> None:
    report = {
        "organisations": [
            {
                "name": "Volla IL",
                "org_number": "123456785",
                "lines": [
                    {
                        "date": "2027-03-02",
                        "site_name": "Volla skole",
                        "space_name": "Gymsal",
                        "minutes": 90,
                        "amount_ore": 30_000,
                    }
                ],
                "total_minutes": 90,
                "total_ore": 30_000,
            }
        ]
    }
    table = invoice_table(report, "Faktura", ["a"] * 7, "Sum for %(name)s")
    assert table.rows[0][2] == date(2027, 3, 2)
    assert table.rows[0][5:] == [Decimal("1.50"), Decimal("300.00")]
    assert table.rows[1][0] == "Sum for Volla IL"


values = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=10),
        st.lists(st.none() | st.integers(0, 10_000).map(hours), min_size=3, max_size=3),
    ),
    max_size=30,
)


@given(values)
def test_bars_fit_the_chart_and_grow_with_their_value(groups) -> None:
    chart = bar_chart(groups, ["a", "b", "c"], limit=10)
    assert len(chart.groups) == min(len(groups), 10)
    assert chart.left_out == max(len(groups) - 10, 0)
    bars = [bar for group in chart.groups for bar in group.bars]
    for bar in bars:
        assert bar.width >= 0
        assert bar.x + bar.width <= chart.width
        assert bar.y + bar.height <= chart.height
    for one in bars:
        for other in bars:
            if one.value < other.value:
                assert one.width <= other.width
