"""`/usage`: hours released, booked, cancelled and used, loans per centre and category, and
the invoice basis; for municipal admins, and for a site's managers (or a centre's staff) over
their own sites (centres)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from booking.dependencies import NowDep
from booking.domain.usage import Grouping, hours, local_day, total, usage_period
from booking.usage import queries
from booking.usage.schemas import (
    InvoiceLineRow,
    InvoiceOrganisationRow,
    InvoiceReport,
    LoanReport,
    UsageReport,
    UsageRow,
    figures_of,
    loan_row,
)
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep
from samspill.inputs import Day

router = APIRouter(prefix="/usage", tags=["usage"])

First = Annotated[Day, Query(alias="from", description="First local day (Europe/Oslo).")]
Last = Annotated[Day, Query(alias="to", description="Last local day, included; ≤ 366 days.")]


@router.get("", response_model=UsageReport)
async def get_usage(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: NowDep,
    first: First,
    last: Last,
    by: Grouping = Grouping.SITE,
) -> UsageReport:
    """Per site, space, district or organisation: hours released, booked (rejected requests
    left out), cancelled, used (confirmed and past), and the share given free (price 0)."""
    scope = queries.site_scope(principal)
    period = usage_period(first, last)
    groups = await queries.usage(uow.session, scope, by, period, now)
    return UsageReport(
        first=first,
        last=last,
        by=by,
        computed_at=now,
        groups=[
            UsageRow(
                key=group.key,
                name=group.name,
                site_name=group.site_name,
                **figures_of(group.figures).model_dump(),
            )
            for group in groups
        ],
        total=figures_of(total(group.figures for group in groups)),
    )


@router.get("/loans", response_model=LoanReport)
async def get_loan_usage(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, first: First, last: Last
) -> LoanReport:
    """Loans whose pickup day is in the period, per equipment centre and category."""
    scope = queries.centre_scope(principal)
    period = usage_period(first, last)
    groups = await queries.loans(uow.session, scope, period)
    return LoanReport(
        first=first,
        last=last,
        groups=[
            loan_row(group.centre_id, group.centre_name, group.category, group.figures)
            for group in groups
        ],
    )


@router.get("/invoice-basis", response_model=InvoiceReport)
async def get_invoice_basis(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, first: First, last: Last
) -> InvoiceReport:
    """Per organisation its confirmed bookings with a price starting in the period: date,
    space, hours and amount, and the totals."""
    scope = queries.site_scope(principal)
    period = usage_period(first, last)
    found = await queries.invoice(uow.session, scope, period)
    organisations = [_invoice_row(item) for item in found]
    return InvoiceReport(
        first=first,
        last=last,
        organisations=organisations,
        total_ore=sum(item.total_ore for item in organisations),
    )


def _invoice_row(item: queries.InvoiceOrganisation) -> InvoiceOrganisationRow:
    lines = [
        InvoiceLineRow(
            booking_id=line.booking.booking_id,
            date=local_day(line.booking.start),
            start=line.booking.start,
            end=line.booking.end,
            site_name=line.site_name,
            space_name=line.space_name,
            minutes=line.booking.minutes,
            hours=hours(line.booking.minutes) or 0.0,
            amount_ore=line.booking.price_ore,
        )
        for line in item.lines
    ]
    minutes = sum(line.minutes for line in lines)
    return InvoiceOrganisationRow(
        organisation_id=item.organisation_id,
        name=item.name,
        org_number=item.org_number,
        lines=lines,
        total_minutes=minutes,
        total_hours=hours(minutes) or 0.0,
        total_ore=sum(line.amount_ore for line in lines),
    )
