"""Recipient preference use case: set how a recipient is told (commits through the unit of work)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert

from notifications.domain.messages import Channel, Language
from notifications.domain.recipients import recipient_key
from notifications.preferences.queries import may_act_for
from notifications.preferences.tables import RecipientPreference
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import NotFound
from samspill.sms import check_channel


async def set_preference(
    uow: UnitOfWork,
    principal: Principal,
    kind: str,
    subject: str,
    channel: Channel,
    language: Language,
    *,
    now: datetime,
    sms_available: bool,
) -> RecipientPreference:
    """Store the recipient's choice; SMS is refused (nothing stored) without an SMS provider."""
    if not may_act_for(principal, kind, subject):
        raise NotFound("No such recipient among yours.", "Fant ikke mottakeren blant dine.")
    check_channel(channel, available=sms_available)
    key = recipient_key(kind, subject)
    statement = pg_insert(RecipientPreference).values(
        recipient=key, channel=channel.value, language=language.value, updated_at=now
    )
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=["recipient"],
            set_={
                "channel": statement.excluded.channel,
                "language": statement.excluded.language,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )
    await uow.commit()
    return RecipientPreference(
        recipient=key, channel=channel.value, language=language.value, updated_at=now
    )
