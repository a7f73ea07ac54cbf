"""HTTP answers of the usage figures: minutes (exact) and hours (rounded for showing)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from booking.domain.usage import Grouping, LoanFigures, UsageFigures, hours


class Figures(BaseModel):
    released_minutes: int | None = Field(description="None when grouped by organisation.")
    booked_minutes: int
    cancelled_minutes: int
    used_minutes: int
    free_minutes: int
    given_back_minutes: int = Field(
        description="Booked time the club gave back for others (part of the cancelled)."
    )
    released_hours: float | None
    booked_hours: float
    cancelled_hours: float
    used_hours: float
    free_hours: float
    given_back_hours: float
    free_share: float | None = Field(
        description="Free hours / booked and not cancelled hours (0–1); None when none."
    )


def figures_of(figures: UsageFigures) -> Figures:
    share = figures.free_share
    return Figures(
        released_minutes=figures.released_minutes,
        booked_minutes=figures.booked_minutes,
        cancelled_minutes=figures.cancelled_minutes,
        used_minutes=figures.used_minutes,
        free_minutes=figures.free_minutes,
        given_back_minutes=figures.given_back_minutes,
        released_hours=hours(figures.released_minutes),
        booked_hours=hours(figures.booked_minutes) or 0.0,
        cancelled_hours=hours(figures.cancelled_minutes) or 0.0,
        used_hours=hours(figures.used_minutes) or 0.0,
        free_hours=hours(figures.free_minutes) or 0.0,
        given_back_hours=hours(figures.given_back_minutes) or 0.0,
        free_share=None if share is None else round(share, 4),
    )


class UsageRow(Figures):
    key: str = Field(description="Site or space id, district name or organisation id.")
    name: str
    site_name: str | None = None


class UsageReport(BaseModel):
    first: date
    last: date
    by: Grouping
    computed_at: datetime
    groups: list[UsageRow]
    total: Figures


class LoanRow(BaseModel):
    centre_id: uuid.UUID
    centre_name: str
    category: str
    loans: int
    units: int
    returned: int
    cancelled: int
    no_show: int


def loan_row(centre_id: uuid.UUID, centre_name: str, category: str, f: LoanFigures) -> LoanRow:
    return LoanRow(
        centre_id=centre_id,
        centre_name=centre_name,
        category=category,
        loans=f.loans,
        units=f.units,
        returned=f.returned,
        cancelled=f.cancelled,
        no_show=f.no_show,
    )


class LoanReport(BaseModel):
    first: date
    last: date
    groups: list[LoanRow]


class InvoiceLineRow(BaseModel):
    booking_id: uuid.UUID | None = None
    date: date
    start: datetime
    end: datetime
    site_name: str
    space_name: str
    minutes: int
    hours: float
    amount_ore: int


class InvoiceOrganisationRow(BaseModel):
    organisation_id: uuid.UUID
    name: str
    org_number: str
    lines: list[InvoiceLineRow]
    total_minutes: int
    total_hours: float
    total_ore: int


class InvoiceReport(BaseModel):
    first: date
    last: date
    organisations: list[InvoiceOrganisationRow]
    total_ore: int
