"""A booking row as the event contract's state: what `booking.*` events carry."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.queries import Place
from booking.bookings.tables import Booking
from booking.catalogue import queries as catalogue
from booking.domain import BookingStatus
from booking.organisations.tables import Organisation
from booking.series.tables import BookingSeries
from booking.teams.tables import Team
from samspill.events import booking as be
from samspill.events import facilities as fe
from samspill.events.base import EventData
from samspill.privacy import is_erased_marker
from samspill.recurrence import OSLO

PRIVATE_BOOKER_NAME = "Privatperson"
# Residents book without an organisation; the public members of events name them by a stable
# id derived from their person id and a neutral display name. The person id itself and the contact
# travel only in the private `resident_id` and `contact` members, for their messages.
_RESIDENT_NAMESPACE = uuid.UUID("6f1d2c7e-5b0a-4f43-9a0e-2f1c8d6b7a11")


def resident_booker_id(sub: str) -> uuid.UUID:
    return uuid.uuid5(_RESIDENT_NAMESPACE, sub)


async def booking_state(
    session: AsyncSession, booking: Booking, place: Place | None = None
) -> be.BookingState:
    """The full published state of a booking, names taken from the read model (or from the
    `place` the caller already loaded for this booking, which saves two reads)."""
    if place is not None and place.space.space_id == booking.space_id:
        space: fe.SpaceState | None = place.space
        site: fe.SiteState | None = place.site
    else:
        space = await catalogue.get_space(session, booking.space_id)
        site = await catalogue.get_site(session, booking.site_id)
    organisation = (
        None
        if booking.organisation_id is None
        else await session.get(Organisation, booking.organisation_id)
    )
    return be.BookingState(
        booking_id=booking.id,
        series_id=booking.series_id,
        space_id=booking.space_id,
        space_name=space.name if space else "",
        site_id=booking.site_id,
        site_name=site.name if site else "",
        organisation_id=booking.organisation_id or resident_booker_id(booking.booker_sub),
        organisation_name=organisation.name if organisation else PRIVATE_BOOKER_NAME,
        activity=booking.activity,
        audience=booking.audience,
        participants=booking.participants,
        start=booking.start,
        end=booking.end,
        local_start=local_text(booking.start),
        local_end=local_text(booking.end),
        status=booking.status,
        price_ore=booking.price_ore,
        price_explanation=booking.price_explanation,
        version=booking.version,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        by_resident=booking.organisation_id is None,
        resident_id=None if booking.organisation_id else booking.booker_sub,
        contact=None if booking.contact is None else be.Contact.model_validate(booking.contact),
        team_name=await team_name_of(session, booking.series_id),
    )


async def team_name_of(session: AsyncSession, series_id: uuid.UUID | None) -> str | None:
    """The name of the team the series is handed to, if any.

    `session.get` answers from the session's identity map once a series or team is loaded, so
    a list of one series' bookings costs one read of the series and one of its team."""
    if series_id is None:
        return None
    series = await session.get(BookingSeries, series_id)
    if series is None or series.team_id is None:
        return None
    team = await session.get(Team, series.team_id)
    return None if team is None else team.name


def placed_event(state: be.BookingState) -> EventData:
    """The event announcing a new or approved booking in its current status."""
    if state.status == BookingStatus.REQUESTED.value:
        return be.BookingRequested(booking=state)
    return be.BookingConfirmed(booking=state)


def current_event(booking: Booking, state: be.BookingState) -> EventData:
    """The event that carries the booking's state as it stands (a backfill of the state topic):
    its status' event with the reason stored, or `booking.anonymised` once a resident's own
    booking names them no more."""
    if booking.organisation_id is None and is_erased_marker(booking.booker_sub):
        return be.BookingAnonymised(booking=state)
    if state.status == BookingStatus.REJECTED.value:
        return be.BookingRejected(booking=state, reason=booking.rejection_reason)
    if state.status == BookingStatus.CANCELLED.value:
        reason: Any = booking.cancellation_reason or "by_manager"  # validated by the contract
        return be.BookingCancelled(booking=state, reason=reason)
    return placed_event(state)


@lru_cache(maxsize=8192)  # an availability answer names the same hours for every space
def local_text(instant: datetime) -> str:
    """Wall-clock time in Oslo, ISO 8601 without offset."""
    return instant.astimezone(OSLO).replace(tzinfo=None).isoformat(timespec="minutes")
