"""`PersonErased`: one confirmation to the person at the address notifications still has, then
their erasure; in the consumer's unit of work, before the read model forgets the address.

The confirmation is addressed by the person's marker (never their id), queued once per erasure
(its dedupe key is the erasure id), and only when the person was not erased before and an
address is known; the delivery job removes its address and text as soon as it is sent or given
up. Published outbox rows naming the person go too (the service publishes none today); its
inbox keeps only event ids and types. A second event changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.messages import MessageKind
from notifications.domain.recipients import recipient_key
from notifications.messages.handlers import Occasion, enqueue
from notifications.messages.queries import resident_recipient
from notifications.personal_data.queries import addresses_of, is_erased, last_contact
from notifications.personal_data.use_cases import erase_own_records
from notifications.tables import messaging
from samspill.events import booking as bk
from samspill.outbox import forget_published
from samspill.privacy import erased_marker


async def handle(session: AsyncSession, occasion: Occasion) -> None:
    data = occasion.envelope.data
    if not isinstance(data, bk.PersonErased):
        return
    person_id = data.erasure.person_id
    if not await is_erased(session, person_id):
        await _confirm(session, data.erasure, occasion)
    addresses = await addresses_of(session, person_id)
    await erase_own_records(session, person_id, addresses, now=occasion.now)
    await forget_published(session, messaging, {person_id, *addresses})


async def _confirm(
    session: AsyncSession, erasure: bk.PersonErasureState, occasion: Occasion
) -> None:
    person_id = erasure.person_id
    found = await resident_recipient(session, person_id, await last_contact(session, person_id))
    recipient = replace(found, key=recipient_key("resident", erased_marker(person_id)), name=None)
    if recipient.address(sms=occasion.sms)[1] is None:
        return  # nowhere to tell them: nothing is queued that could never be sent
    await enqueue(
        session,
        dedupe_key=f"{MessageKind.ERASURE_CONFIRMED}:{erasure.erasure_id}",
        recipient=recipient,
        kind=MessageKind.ERASURE_CONFIRMED,
        context={"erased_at": occasion.now},
        now=occasion.now,
        sms=occasion.sms,
        aggregate_id=erasure.erasure_id,
    )
