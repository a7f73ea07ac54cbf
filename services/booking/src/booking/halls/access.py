"""Who may see and act on a hall booking or series.

Organisation members reach their organisations' objects, facility managers their sites',
residents their own bookings, admins everything. Anything else is answered as not found, so
the id of another organisation's booking reveals nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.domain import BookerKind, OrganisationCategory
from booking.domain.errors import NotFoundError
from booking.models import Booking, BookingSeries, Organisation
from samspill.auth import Principal, Role
from samspill.errors import Forbidden

# Advisory-lock namespace of the hour limit (an arbitrary constant, stable across releases).
_LIMIT_LOCK_NAMESPACE = "samspill.booking.limit"


@dataclass(frozen=True)
class Booker:
    """Who a new booking is for: an organisation the caller belongs to, or the caller."""

    kind: BookerKind
    organisation: Organisation | None
    sub: str

    @property
    def organisation_id(self) -> uuid.UUID | None:
        return None if self.organisation is None else self.organisation.id

    @property
    def organisation_category(self) -> OrganisationCategory | None:
        """The organisation's kind, or None for a resident booking in their own name."""
        return (
            None if self.organisation is None else OrganisationCategory(self.organisation.category)
        )


async def resolve_booker(
    session: AsyncSession, principal: Principal, organisation_id: uuid.UUID | None
) -> Booker:
    """The organisation booking (the caller must be a member), or the resident."""
    if organisation_id is None:
        return Booker(BookerKind.RESIDENT, None, principal.sub)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not principal.member_of(organisation.id):
        raise NotFoundError(
            f"Unknown organisation {organisation_id}.",
            f"Ukjent organisasjon {organisation_id}.",
        )
    return Booker(BookerKind.ORGANISATION, organisation, principal.sub)


async def lock_limit(session: AsyncSession, booker: Booker, space_id: uuid.UUID) -> None:
    """Serialise one booker's requests on one space until the transaction ends, so the hour
    limit (per booker and space) holds under concurrency while other clubs and other spaces
    proceed in parallel."""
    owner = booker.organisation_id or f"resident:{booker.sub}"
    key = f"{_LIMIT_LOCK_NAMESPACE}:{owner}:{space_id}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def may_see(
    principal: Principal, organisation_id: uuid.UUID | None, site_id: uuid.UUID, booker_sub: str
) -> bool:
    if principal.is_admin or principal.manages_site(site_id):
        return True
    if organisation_id is not None:
        return principal.member_of(organisation_id)
    return booker_sub == principal.sub


def may_see_booking(principal: Principal, booking: Booking) -> bool:
    return may_see(principal, booking.organisation_id, booking.site_id, booking.booker_sub)


def may_see_series(principal: Principal, series: BookingSeries) -> bool:
    return may_see(principal, series.organisation_id, series.site_id, series.booker_sub)


def visible_bookings(principal: Principal) -> ColumnElement[bool]:
    """The WHERE clause of the bookings a caller may list."""
    if principal.is_admin:
        return true()
    return or_(
        col(Booking.organisation_id).in_([_uuid(org) for org in principal.org_ids]),
        col(Booking.site_id).in_([_uuid(site) for site in principal.site_ids]),
        and_(col(Booking.organisation_id).is_(None), col(Booking.booker_sub) == principal.sub),
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def booking_for(
    session: AsyncSession, principal: Principal, booking_id: uuid.UUID, *, managing: bool = False
) -> Booking:
    """The booking, locked for change, if the caller may reach it.

    With `managing`, the caller must manage the booking's site: a facility manager of another
    site is told so (403), anyone else who cannot see the booking gets 404.
    """
    booking = await session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise _booking_not_found(booking_id)
    if managing and not principal.manages_site(booking.site_id):
        if principal.has_role(Role.FACILITY_MANAGER) or may_see_booking(principal, booking):
            raise Forbidden(
                "Only a manager of the booking's site may do this.",
                "Bare den som forvalter stedet kan gjøre dette.",
            )
        raise _booking_not_found(booking_id)
    if not may_see_booking(principal, booking):
        raise _booking_not_found(booking_id)
    return booking


def _booking_not_found(booking_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"Unknown booking {booking_id}.", f"Ukjent booking {booking_id}.")
