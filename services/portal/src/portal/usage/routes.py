"""`/bruk`: hours released, booked, cancelled and used per site, space, district or
organisation, loans per centre and category, and the invoice basis; as tables, charts (plain
SVG drawn on the server) and CSV and Excel downloads (`/bruk/<report>.csv|xlsx`)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import numbers
from fastapi import APIRouter, Request
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from portal.dependencies import ApisDep, FormatsDep, PagesDep, PersonDep
from portal.domain.usage import (
    Grouping,
    PeriodProblem,
    Table,
    UsageForm,
    bar_chart,
    file_name,
    hours,
    invoice_table,
    loans_table,
    read_form,
    to_csv,
    usage_table,
)
from portal.pages import N_, Formats
from portal.usage import queries
from portal.usage.queries import Answer
from samspill.recurrence import OSLO

router = APIRouter()

PROBLEMS: Mapping[PeriodProblem, str] = {
    PeriodProblem.FIRST_INVALID: N_("Write the first day as a date, like 2027-01-31."),
    PeriodProblem.LAST_INVALID: N_("Write the last day as a date, like 2027-06-30."),
    PeriodProblem.BACKWARDS: N_("The last day must not be before the first day."),
    PeriodProblem.TOO_LONG: N_("Choose at most a year (366 days) at a time."),
}
GROUPINGS: Mapping[Grouping, str] = {
    Grouping.SITE: N_("Site"),
    Grouping.SPACE: N_("Space"),
    Grouping.DISTRICT: N_("District"),
    Grouping.ORGANISATION: N_("Organisation"),
}
SERIES = (N_("Hours released"), N_("Hours booked"), N_("Hours used"))
TITLES = {
    "bruk": N_("Usage"),
    "utlan": N_("Loans"),
    "fakturagrunnlag": N_("Invoice basis"),
}
USAGE_HEADERS = (
    N_("Hours released"),
    N_("Hours booked"),
    N_("Hours cancelled"),
    N_("Hours used"),
    N_("Hours free of charge"),
    N_("Share free (%)"),
)
LOAN_HEADERS = (
    N_("Equipment centre"),
    N_("Category"),
    N_("Loans"),
    N_("Units lent"),
    N_("Returned"),
    N_("Cancelled"),
    N_("Not picked up"),
)
INVOICE_HEADERS = (
    N_("Organisation"),
    N_("Organisation number"),
    N_("Date"),
    N_("Site"),
    N_("Space"),
    N_("Hours"),
    N_("Amount (NOK)"),
)
TOTAL = N_("Total")
TOTAL_FOR = N_("Total for %(name)s")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _today() -> date:
    return datetime.now(OSLO).date()


@router.get("/bruk", name="usage")
async def usage_page(
    request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep, formats: FormatsDep
) -> Response:
    form = read_form(request.query_params, _today())
    context: dict[str, Any] = {
        "form": form,
        "problems": PROBLEMS,
        "groupings": GROUPINGS,
        "number": _number(formats),
        "percent": _percent(formats),
    }
    if form.period is None:
        return pages.render(request, "usage/index.html", context, status_code=400)
    token = person.access_token
    usage, loans, invoice = await asyncio.gather(
        queries.usage(apis, token, form.period, form.grouping),
        queries.loans(apis, token, form.period),
        queries.invoice_basis(apis, token, form.period),
    )
    gettext = _gettext(pages, request)
    context.update(
        usage=usage,
        loans=loans,
        invoice=invoice,
        usage_chart=_usage_chart(usage, gettext),
        loans_chart=_loans_chart(loans),
        series=[gettext(name) for name in SERIES],
        downloads=form.query(),
    )
    if usage.forbidden and loans.forbidden:
        return pages.render(request, "usage/index.html", context, status_code=403)
    return pages.render(request, "usage/index.html", context)


@router.get("/bruk/{report}.{extension}", name="usage_download")
async def usage_download(
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    formats: FormatsDep,
    report: str,
    extension: str,
) -> Response:
    if report not in TITLES or extension not in MEDIA_TYPES:
        raise StarletteHTTPException(404)
    form = read_form(request.query_params, _today())
    if form.period is None:
        context = {
            "form": form,
            "problems": PROBLEMS,
            "groupings": GROUPINGS,
            "number": _number(formats),
            "percent": _percent(formats),
        }
        return pages.render(request, "usage/index.html", context, status_code=400)
    table = await _table(apis, person.access_token, form, report, _gettext(pages, request))
    body = to_csv(table) if extension == "csv" else _xlsx(table)
    name = file_name(report, form.period, extension)
    return Response(
        body,
        media_type=MEDIA_TYPES[extension],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _table(apis: ApisDep, token: str, form: UsageForm, report: str, gettext: Any) -> Table:
    assert form.period is not None
    title = gettext(TITLES[report])
    if report == "bruk":
        answer = await queries.usage(apis, token, form.period, form.grouping)
        first = [gettext(GROUPINGS[form.grouping])]
        if form.grouping is Grouping.SPACE:
            first.append(gettext(GROUPINGS[Grouping.SITE]))
        headers = [*first, *(gettext(h) for h in USAGE_HEADERS)]
        return usage_table(_report(answer), title, headers, gettext(TOTAL))
    if report == "utlan":
        answer = await queries.loans(apis, token, form.period)
        return loans_table(_report(answer), title, [gettext(h) for h in LOAN_HEADERS])
    answer = await queries.invoice_basis(apis, token, form.period)
    headers = [gettext(h) for h in INVOICE_HEADERS]
    return invoice_table(_report(answer), title, headers, gettext(TOTAL_FOR))


def _report(answer: Answer) -> dict[str, Any]:
    if answer.refused is not None:
        raise answer.refused  # the error page says why
    return answer.report or {}


def _xlsx(table: Table) -> bytes:
    """One sheet: bold headers, numbers as numbers (hours and kroner with two decimals)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(table.headers, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(header) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _usage_chart(answer: Answer, gettext: Any) -> Any:
    if answer.report is None or not answer.report.get("groups"):
        return None
    groups: list[tuple[str, Sequence[Decimal | None]]] = [
        (
            str(group["name"]),
            [
                hours(group["released_minutes"]),
                hours(group["booked_minutes"]),
                hours(group["used_minutes"]),
            ],
        )
        for group in answer.report["groups"]
    ]
    return bar_chart(groups, [gettext(name) for name in SERIES])


def _loans_chart(answer: Answer) -> Any:
    if answer.report is None or not answer.report.get("groups"):
        return None
    groups: list[tuple[str, Sequence[Decimal | None]]] = [
        (f"{group['centre_name']} – {group['category']}", [Decimal(group["loans"])])
        for group in answer.report["groups"]
    ]
    return bar_chart(groups, ["loans"])


def _gettext(pages: PagesDep, request: Request) -> Any:
    return lambda message: pages.gettext(request, message)


def _number(formats: Formats) -> Any:
    def number(value: Decimal | float | int | None) -> str:
        if value is None:
            return "–"
        return numbers.format_decimal(value, format="#,##0.##", locale=formats.locale)

    return number


def _percent(formats: Formats) -> Any:
    def percent(share: float | None) -> str:
        if share is None:
            return "–"
        return numbers.format_percent(share, format="#,##0.0 %", locale=formats.locale)

    return percent
