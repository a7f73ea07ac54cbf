"""Who a message goes to, on which channel and in which language.

A recipient is named by a key: `organisation:<id>` (the organisation's contact), `site:<id>`
(the site's function address, e.g. the school office) or `resident:<subject>` (the contact a
resident gave with a loan or their own booking). The contact details come from events; a
preference row set through the API overrides the channel and language the events carry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.messages import Channel, Language
from notifications.models import OrganisationRecord, RecipientPreference, SiteRecord
from samspill.events.booking import BookingState, Contact, SeriesState

RECIPIENT_KINDS = ("organisation", "site", "resident")


def recipient_key(kind: str, subject: object) -> str:
    if kind not in RECIPIENT_KINDS:
        raise ValueError(f"unknown recipient kind {kind!r}")
    return f"{kind}:{subject}"


@dataclass(frozen=True, slots=True)
class Recipient:
    key: str
    email: str | None
    phone: str | None
    channel: Channel = Channel.EMAIL
    language: Language = Language.NB

    def address(self) -> tuple[Channel, str | None]:
        """The preferred channel when its address is known, else the other one."""
        preferred = self.phone if self.channel is Channel.SMS else self.email
        if preferred:
            return self.channel, preferred
        if self.channel is Channel.SMS and self.email:
            return Channel.EMAIL, self.email
        if self.channel is Channel.EMAIL and self.phone:
            return Channel.SMS, self.phone
        return self.channel, None


async def _with_preference(session: AsyncSession, recipient: Recipient) -> Recipient:
    preference = await session.get(RecipientPreference, recipient.key)
    if preference is None:
        return recipient
    return replace(
        recipient, channel=Channel(preference.channel), language=Language(preference.language)
    )


async def organisation_recipient(session: AsyncSession, organisation_id: uuid.UUID) -> Recipient:
    key = recipient_key("organisation", organisation_id)
    organisation = await session.get(OrganisationRecord, organisation_id)
    if organisation is None:
        return await _with_preference(session, Recipient(key, None, None))
    recipient = Recipient(
        key,
        organisation.contact_email,
        organisation.contact_phone,
        Channel(organisation.channel),
        Language(organisation.language),
    )
    return await _with_preference(session, recipient)


async def site_recipient(session: AsyncSession, site_id: uuid.UUID) -> Recipient:
    key = recipient_key("site", site_id)
    site = await session.get(SiteRecord, site_id)
    email, phone = (site.contact_email, site.contact_phone) if site else (None, None)
    return await _with_preference(session, Recipient(key, email, phone))


async def resident_recipient(
    session: AsyncSession, resident_id: str, contact: Contact
) -> Recipient:
    recipient = Recipient(
        recipient_key("resident", resident_id),
        contact.email,
        contact.phone,
        Channel(contact.channel),
        Language(contact.language),
    )
    return await _with_preference(session, recipient)


async def booker_recipient(session: AsyncSession, booked: BookingState | SeriesState) -> Recipient:
    """Who is told about a booking or series: the organisation's contact, or for a resident's
    own booking the contact the resident gave with it."""
    if booked.contact is None:
        return await organisation_recipient(session, booked.organisation_id)
    resident = booked.resident_id or str(booked.organisation_id)
    return await resident_recipient(session, resident, booked.contact)
