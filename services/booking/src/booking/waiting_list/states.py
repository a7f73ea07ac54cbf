"""A waiting-list offer as the event contract's state: what `waiting_offer.made` carries."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from booking.allocation.queries import Applicant
from booking.catalogue import queries as catalogue
from booking.domain.weekly_time import clock
from booking.waiting_list.tables import WaitingOffer
from samspill.events import booking as be


async def offer_state(
    session: AsyncSession, offer: WaitingOffer, applicant: Applicant
) -> be.WaitingOfferState:
    space = await catalogue.get_space(session, offer.space_id)
    site = await catalogue.get_site(session, offer.site_id)
    status: Any = offer.status
    return be.WaitingOfferState(
        offer_id=offer.id,
        round_id=offer.round_id,
        organisation_id=applicant.organisation.id,
        organisation_name=applicant.organisation.name,
        section_name=applicant.section.name,
        time=be.AllocatedTimeState(
            space_id=offer.space_id,
            space_name=space.name if space else "",
            site_name=site.name if site else "",
            weekday=offer.weekday,
            local_start_time=clock(offer.start_minute),
            local_end_time=clock(offer.end_minute),
            series_id=offer.series_id,
        ),
        first_date=offer.first_date,
        last_date=offer.last_date,
        expires_at=offer.expires_at,
        status=status,
    )
