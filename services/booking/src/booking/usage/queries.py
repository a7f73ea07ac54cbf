"""Reads behind the usage figures: the caller's scope, the catalogue, bookings and loans of
a period. Every read is bounded by the period (at most a year) and the caller's sites."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.bookings.tables import Booking
from booking.catalogue import queries as catalogue
from booking.catalogue.tables import ItemTypeRecord, SiteRecord
from booking.domain import BookingStatus, CancellationReason
from booking.domain.usage import (
    Grouping,
    LoanFigures,
    Period,
    UsageBooking,
    UsageFigures,
    UsageLoanLine,
    invoice_basis,
    loans_by_centre_and_category,
    usage_by,
)
from booking.lending.tables import Loan, LoanUnit
from booking.organisations.tables import Organisation
from samspill.auth import Principal
from samspill.errors import Forbidden
from samspill.events import facilities as fe


@dataclass(frozen=True)
class Scope:
    """The sites (or centres) the caller may see figures of; None: all of them (an admin)."""

    site_ids: frozenset[uuid.UUID] | None

    def allows(self, site_id: uuid.UUID) -> bool:
        return self.site_ids is None or site_id in self.site_ids


def site_scope(principal: Principal) -> Scope:
    if principal.is_admin:
        return Scope(None)
    if principal.site_ids:
        return Scope(frozenset(uuid.UUID(site) for site in principal.site_ids))
    raise Forbidden(
        "Usage figures are for municipal admins and the managers of a site.",
        "Brukstall er for kommunens administratorer og de som forvalter et anlegg.",
    )


def centre_scope(principal: Principal) -> Scope:
    if principal.is_admin:
        return Scope(None)
    if principal.centre_ids:
        return Scope(frozenset(uuid.UUID(centre) for centre in principal.centre_ids))
    raise Forbidden(
        "Loan figures are for municipal admins and the staff of an equipment centre.",
        "Utlånstall er for kommunens administratorer og de ansatte ved en utstyrssentral.",
    )


@dataclass(frozen=True)
class UsageGroup:
    key: str
    name: str
    site_name: str | None
    figures: UsageFigures


async def usage(
    session: AsyncSession, scope: Scope, grouping: Grouping, period: Period, now: datetime
) -> list[UsageGroup]:
    sites = {
        site_id: site
        for site_id, site in (await catalogue.all_sites(session)).items()
        if scope.allows(site_id)
    }
    spaces = [space for space in await catalogue.all_spaces(session) if space.site_id in sites]
    windows = await catalogue.windows_of(session, [space.space_id for space in spaces])
    closures = await catalogue.closures_of(session, sites, period.interval)
    bookings = await bookings_in(session, scope, period)
    districts = {str(site_id): site.district for site_id, site in sites.items()}
    views = [catalogue.space_view(space) for space in spaces]
    # A year of every space's windows: worked out off the event loop.
    groups = await asyncio.to_thread(
        usage_by, grouping, views, districts, windows, closures, bookings, period, now
    )
    names = await _names(session, grouping, sites, spaces, groups.keys())
    found = [
        UsageGroup(key, *names.get(key, (key, None)), figures) for key, figures in groups.items()
    ]
    return sorted(found, key=lambda group: (group.name.casefold(), group.site_name or ""))


async def bookings_in(session: AsyncSession, scope: Scope, period: Period) -> list[UsageBooking]:
    within = period.interval
    query = select(Booking).where(
        col(Booking.start) >= within.start,
        col(Booking.start) < within.end,
        col(Booking.status) != BookingStatus.REJECTED.value,
    )
    if scope.site_ids is not None:
        query = query.where(col(Booking.site_id).in_(scope.site_ids))
    rows = (await session.execute(query)).scalars()
    return [
        UsageBooking(
            space_id=str(row.space_id),
            site_id=str(row.site_id),
            organisation_id=None if row.organisation_id is None else str(row.organisation_id),
            start=row.start,
            end=row.end,
            status=BookingStatus(row.status),
            price_ore=row.price_ore,
            booking_id=str(row.id),
            given_back=row.cancellation_reason == CancellationReason.GIVEN_BACK.value,
        )
        for row in rows
    ]


async def _names(
    session: AsyncSession,
    grouping: Grouping,
    sites: dict[uuid.UUID, fe.SiteState],
    spaces: list[fe.SpaceState],
    keys: Collection[str],
) -> dict[str, tuple[str, str | None]]:
    if grouping is Grouping.SITE:
        return {str(site_id): (site.name, None) for site_id, site in sites.items()}
    if grouping is Grouping.SPACE:
        return {str(space.space_id): (space.name, sites[space.site_id].name) for space in spaces}
    if grouping is Grouping.DISTRICT:
        return {key: (key, None) for key in keys}
    return {str(key): (name, None) for key, name in (await organisation_names(session, keys))}


async def organisation_names(
    session: AsyncSession, keys: Collection[str]
) -> list[tuple[uuid.UUID, str]]:
    ids = [uuid.UUID(key) for key in keys if _is_uuid(key)]
    if not ids:
        return []
    query = select(col(Organisation.id), col(Organisation.name)).where(
        col(Organisation.id).in_(ids)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- loans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanGroup:
    centre_id: uuid.UUID
    centre_name: str
    category: str
    figures: LoanFigures


async def loans(session: AsyncSession, scope: Scope, period: Period) -> list[LoanGroup]:
    query = (
        select(
            col(Loan.loan_id),
            col(Loan.centre_id),
            col(ItemTypeRecord.category),
            col(Loan.status),
            col(Loan.pickup_date),
            func.count(col(LoanUnit.id)),
        )
        .join(LoanUnit, col(LoanUnit.loan_id) == col(Loan.loan_id))
        .join(ItemTypeRecord, col(ItemTypeRecord.item_type_id) == col(LoanUnit.item_type_id))
        .where(col(Loan.pickup_date) >= period.first, col(Loan.pickup_date) <= period.last)
        .group_by(
            col(Loan.loan_id),
            col(Loan.centre_id),
            col(ItemTypeRecord.category),
            col(Loan.status),
            col(Loan.pickup_date),
        )
    )
    if scope.site_ids is not None:
        query = query.where(col(Loan.centre_id).in_(scope.site_ids))
    lines = [
        UsageLoanLine(str(loan_id), str(centre_id), category, status, pickup_date, units)
        for loan_id, centre_id, category, status, pickup_date, units in (
            await session.execute(query)
        ).all()
    ]
    grouped = loans_by_centre_and_category(lines, period)
    centre_ids = {uuid.UUID(centre) for centre, _ in grouped}
    names = await _site_names(session, centre_ids)
    found = [
        LoanGroup(uuid.UUID(centre), names.get(uuid.UUID(centre), centre), category, figures)
        for (centre, category), figures in grouped.items()
    ]
    return sorted(found, key=lambda group: (group.centre_name.casefold(), group.category))


async def _site_names(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(col(SiteRecord.site_id), col(SiteRecord.state)).where(
        col(SiteRecord.site_id).in_(list(ids))
    )
    return {row[0]: str(row[1].get("name", row[0])) for row in (await session.execute(query)).all()}


# --- invoice basis ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    booking: UsageBooking
    space_name: str
    site_name: str


@dataclass(frozen=True)
class InvoiceOrganisation:
    organisation_id: uuid.UUID
    name: str
    org_number: str
    lines: list[InvoiceLine]


async def invoice(session: AsyncSession, scope: Scope, period: Period) -> list[InvoiceOrganisation]:
    basis = invoice_basis(await bookings_in(session, scope, period), period)
    if not basis:
        return []
    spaces = {str(space.space_id): space for space in await catalogue.all_spaces(session)}
    sites = {str(site_id): site for site_id, site in (await catalogue.all_sites(session)).items()}
    query = select(Organisation).where(col(Organisation.id).in_([uuid.UUID(key) for key in basis]))
    organisations = {str(row.id): row for row in (await session.execute(query)).scalars()}
    found = []
    for key, bookings in basis.items():
        organisation = organisations.get(key)
        lines = [
            InvoiceLine(
                booking,
                spaces[booking.space_id].name if booking.space_id in spaces else booking.space_id,
                sites[booking.site_id].name if booking.site_id in sites else booking.site_id,
            )
            for booking in bookings
        ]
        found.append(
            InvoiceOrganisation(
                uuid.UUID(key),
                organisation.name if organisation else key,
                organisation.org_number if organisation else "",
                lines,
            )
        )
    return sorted(found, key=lambda item: item.name.casefold())
