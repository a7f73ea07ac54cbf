"""Recipient preferences: which channel and language a recipient's messages use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.messages import Channel, Language
from notifications.models import RecipientPreference
from notifications.recipients import recipient_key
from samspill.auth import Principal
from samspill.rules import NotFoundError


def recipients_of(principal: Principal) -> set[str]:
    """The recipient keys whose messages and preferences the caller may see."""
    keys = {recipient_key("resident", principal.sub)}
    keys.update(recipient_key("organisation", org_id) for org_id in principal.org_ids)
    keys.update(recipient_key("site", site_id) for site_id in principal.site_ids)
    return keys


def may_act_for(principal: Principal, kind: str, subject: str) -> bool:
    if kind == "organisation":
        return principal.member_of(subject)
    if kind == "site":
        return principal.manages_site(subject)
    return subject == principal.sub or principal.is_admin


async def set_preference(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    subject: str,
    channel: Channel,
    language: Language,
    *,
    now: datetime,
) -> RecipientPreference:
    if not may_act_for(principal, kind, subject):
        raise NotFoundError("No such recipient among yours.", "Fant ikke mottakeren blant dine.")
    key = recipient_key(kind, subject)
    statement = pg_insert(RecipientPreference).values(
        recipient=key, channel=channel.value, language=language.value, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["recipient"],
            set_={
                "channel": statement.excluded.channel,
                "language": statement.excluded.language,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )
    return RecipientPreference(
        recipient=key, channel=channel.value, language=language.value, updated_at=now
    )


async def preferences_of(session: AsyncSession, principal: Principal) -> list[RecipientPreference]:
    statement = select(RecipientPreference).order_by(col(RecipientPreference.recipient))
    if not principal.is_admin:
        statement = statement.where(
            col(RecipientPreference.recipient).in_(recipients_of(principal))
        )
    return list((await session.execute(statement)).scalars())
