"""A given-back offer as the event contract's state: `waiting_offer.made` with `given_back`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.applications.tables import ApplicationSection
from booking.catalogue import queries as catalogue
from booking.domain.weekly_time import clock
from booking.giving_back.tables import FreedTime, GivenBackOffer
from booking.organisations.tables import Organisation
from booking.waiting_list.tables import DirectWaitingEntry, WaitingEntry
from samspill.events import booking as be


async def section_name(session: AsyncSession, offer: GivenBackOffer) -> str:
    """The round section's name, or the activity a club on the direct list gave."""
    if offer.round_entry_id is not None:
        entry = await session.get(WaitingEntry, offer.round_entry_id)
        section = None if entry is None else await session.get(ApplicationSection, entry.section_id)
        return section.name if section is not None else ""
    direct = (
        None
        if offer.direct_entry_id is None
        else await session.get(DirectWaitingEntry, offer.direct_entry_id)
    )
    return direct.activity if direct is not None else ""


async def offer_state(
    session: AsyncSession, freed: FreedTime, offer: GivenBackOffer
) -> be.WaitingOfferState:
    space = await catalogue.get_space(session, freed.space_id)
    site = await catalogue.get_site(session, freed.site_id)
    organisation = await session.get(Organisation, offer.organisation_id)
    status: Any = offer.status
    return be.WaitingOfferState(
        offer_id=offer.id,
        round_id=offer.round_id,
        organisation_id=offer.organisation_id,
        organisation_name=organisation.name if organisation is not None else "",
        section_name=await section_name(session, offer),
        time=be.AllocatedTimeState(
            space_id=freed.space_id,
            space_name=space.name if space else "",
            site_name=site.name if site else "",
            weekday=offer.weekday,
            local_start_time=clock(offer.start_minute),
            local_end_time=clock(offer.end_minute),
            series_id=offer.series_id,
        ),
        first_date=freed.first_date,
        last_date=freed.last_date,
        expires_at=offer.held_until,
        status=status,
        given_back=True,
        single_date=freed.kind == "date",
    )
