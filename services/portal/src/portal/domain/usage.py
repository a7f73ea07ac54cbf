"""The usage page's rules: the period and grouping asked for, the tables shown and downloaded,
the CSV file, and the bars of the charts. Plain values in, plain values out.

The CSV is written for Norwegian Excel: UTF-8 with a byte-order mark (so Excel reads æøå),
`;` between fields and a decimal comma (Excel in Norwegian takes `,` as the decimal sign).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

MAX_DAYS = 366


class Grouping(StrEnum):
    """The page's words for the API's groupings (`?gruppering=`)."""

    SITE = "sted"
    SPACE = "lokale"
    DISTRICT = "omrade"
    ORGANISATION = "organisasjon"

    @property
    def api(self) -> str:
        return _API_GROUPING[self]


_API_GROUPING = {
    Grouping.SITE: "site",
    Grouping.SPACE: "space",
    Grouping.DISTRICT: "district",
    Grouping.ORGANISATION: "organisation",
}


class PeriodProblem(StrEnum):
    FIRST_INVALID = "first-invalid"
    LAST_INVALID = "last-invalid"
    BACKWARDS = "backwards"
    TOO_LONG = "too-long"


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def params(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def default_period(today: date) -> Period:
    """The half-year today is in: spring (January–June) or autumn (July–December)."""
    if today.month <= 6:
        return Period(date(today.year, 1, 1), date(today.year, 6, 30))
    return Period(date(today.year, 7, 1), date(today.year, 12, 31))


@dataclass
class UsageForm:
    """`/bruk?fra=…&til=…&gruppering=…`: what was typed is kept, problems by field."""

    first: str = ""
    last: str = ""
    grouping: Grouping = Grouping.SITE
    period: Period | None = None
    problems: dict[str, PeriodProblem] = field(default_factory=dict)

    def query(self) -> dict[str, str]:
        return {"fra": self.first, "til": self.last, "gruppering": self.grouping.value}


def read_form(values: Mapping[str, Any], today: date) -> UsageForm:
    first_text = str(values.get("fra") or "").strip()[:20]
    last_text = str(values.get("til") or "").strip()[:20]
    try:
        grouping = Grouping(str(values.get("gruppering") or Grouping.SITE.value))
    except ValueError:
        grouping = Grouping.SITE
    default = default_period(today)
    form = UsageForm(
        first=first_text or default.first.isoformat(),
        last=last_text or default.last.isoformat(),
        grouping=grouping,
    )
    first, last = _day(form.first), _day(form.last)
    if first is None:
        form.problems["fra"] = PeriodProblem.FIRST_INVALID
    if last is None:
        form.problems["til"] = PeriodProblem.LAST_INVALID
    if first is None or last is None:
        return form
    if last < first:
        form.problems["til"] = PeriodProblem.BACKWARDS
    elif (last - first).days + 1 > MAX_DAYS:
        form.problems["til"] = PeriodProblem.TOO_LONG
    else:
        form.period = Period(first, last)
    return form


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- tables ----------------------------------------------------------------------------------


Cell = str | int | float | Decimal | date | None


@dataclass(frozen=True)
class Table:
    """A titled table: headers and rows of cells; numbers stay numbers until written."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def hours(minutes: int | None) -> Decimal | None:
    if minutes is None:
        return None
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def kroner(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(Decimal("0.01"))


def percent(share: float | None) -> Decimal | None:
    if share is None:
        return None
    return (Decimal(str(share)) * 100).quantize(Decimal("0.1"))


def usage_table(
    report: Mapping[str, Any], title: str, headers: Sequence[str], total_label: str
) -> Table:
    """Headers: name, (site when grouped by space,) released, booked, cancelled, used, free,
    share free; the last row is the total."""
    by_space = report.get("by") == "space"
    rows: list[list[Cell]] = []
    for group in [*report.get("groups", []), {**report.get("total", {}), "name": total_label}]:
        row: list[Cell] = [str(group.get("name", ""))]
        if by_space:
            row.append(group.get("site_name") or "")
        row += [
            hours(group.get("released_minutes")),
            hours(group.get("booked_minutes", 0)),
            hours(group.get("cancelled_minutes", 0)),
            hours(group.get("used_minutes", 0)),
            hours(group.get("free_minutes", 0)),
            percent(group.get("free_share")),
        ]
        rows.append(row)
    return Table(title, headers, rows)


def loans_table(report: Mapping[str, Any], title: str, headers: Sequence[str]) -> Table:
    """Headers: centre, category, loans, units, returned, cancelled, not picked up."""
    rows: list[list[Cell]] = [
        [
            group["centre_name"],
            group["category"],
            group["loans"],
            group["units"],
            group["returned"],
            group["cancelled"],
            group["no_show"],
        ]
        for group in report.get("groups", [])
    ]
    return Table(title, headers, rows)


def invoice_table(
    report: Mapping[str, Any], title: str, headers: Sequence[str], total_label: str
) -> Table:
    """One row per paid booking with its organisation, then the organisation's total (the
    `total_label` names it: `%(name)s`). Headers: organisation, number, date, site, space,
    hours, amount in kroner."""
    rows: list[list[Cell]] = []
    for organisation in report.get("organisations", []):
        name, number = organisation["name"], organisation["org_number"]
        for line in organisation["lines"]:
            rows.append(
                [
                    name,
                    number,
                    date.fromisoformat(line["date"]),
                    line["site_name"],
                    line["space_name"],
                    hours(line["minutes"]),
                    kroner(line["amount_ore"]),
                ]
            )
        rows.append(
            [
                total_label % {"name": name},
                number,
                None,
                None,
                None,
                hours(organisation["total_minutes"]),
                kroner(organisation["total_ore"]),
            ]
        )
    return Table(title, headers, rows)


# --- files -----------------------------------------------------------------------------------

CSV_DELIMITER = ";"


def csv_text(value: Cell) -> str:
    """A cell as Norwegian Excel reads it: decimal comma, ISO dates, empty for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)), "f").replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([csv_text(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def file_name(report: str, period: Period, extension: str) -> str:
    return f"samspill-{report}-{period.first.isoformat()}-{period.last.isoformat()}.{extension}"


# --- charts ----------------------------------------------------------------------------------

CHART_WIDTH = 640
LABEL_WIDTH = 200
BAR_HEIGHT = 12
BAR_GAP = 2
GROUP_GAP = 14
MAX_CHART_GROUPS = 15


@dataclass(frozen=True)
class Bar:
    series: int
    x: int
    y: int
    width: int
    height: int
    value: Decimal


@dataclass(frozen=True)
class ChartGroup:
    label: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    """Horizontal bars per group (one per series), scaled to the largest value."""

    width: int
    height: int
    label_width: int
    groups: list[ChartGroup]
    series: list[str]
    maximum: Decimal
    left_out: int = 0


def bar_chart(
    groups: Sequence[tuple[str, Sequence[Decimal | None]]],
    series: Sequence[str],
    limit: int = MAX_CHART_GROUPS,
) -> Chart:
    """The bars of at most `limit` groups (the largest first series first); a value of None
    draws no bar. The table beside the chart holds every group."""
    largest = sorted(range(len(groups)), key=lambda i: -(_first(groups[i][1])))[:limit]
    shown = [groups[i] for i in sorted(largest)]
    maximum = max((v for _, values in shown for v in values if v is not None), default=Decimal(0))
    span = CHART_WIDTH - LABEL_WIDTH - 60
    step = len(series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    chart_groups = []
    for index, (label, values) in enumerate(shown):
        top = index * step + 4
        bars = [
            Bar(
                series=number,
                x=LABEL_WIDTH,
                y=top + number * (BAR_HEIGHT + BAR_GAP),
                width=_scaled(value, maximum, span),
                height=BAR_HEIGHT,
                value=value,
            )
            for number, value in enumerate(values)
            if value is not None
        ]
        chart_groups.append(ChartGroup(label=label, y=top, bars=bars))
    return Chart(
        width=CHART_WIDTH,
        height=max(len(shown) * step + 8, 24),
        label_width=LABEL_WIDTH,
        groups=chart_groups,
        series=list(series),
        maximum=maximum,
        left_out=max(len(groups) - len(shown), 0),
    )


def _first(values: Sequence[Decimal | None]) -> Decimal:
    return (values[0] if values else None) or Decimal(0)


def _scaled(value: Decimal, maximum: Decimal, span: int) -> int:
    if maximum <= 0 or value <= 0:
        return 0
    return max(1, round(span * float(value / maximum)))
