"""Recipient preference reads, and whom a caller speaks for (its own recipient keys)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.recipients import recipient_key
from notifications.preferences.tables import RecipientPreference
from samspill.auth import Principal


def recipients_of(principal: Principal) -> set[str]:
    """The recipient keys whose messages and preferences the caller may see."""
    keys = {recipient_key("resident", principal.person_id)}
    keys.update(recipient_key("organisation", org_id) for org_id in principal.organisation_ids)
    keys.update(recipient_key("site", site_id) for site_id in principal.site_ids)
    return keys


def may_act_for(principal: Principal, kind: str, subject: str) -> bool:
    if kind == "organisation":
        return principal.member_of(subject)
    if kind == "site":
        return principal.manages_site(subject)
    return subject == principal.person_id or principal.is_admin


async def preferences_of(session: AsyncSession, principal: Principal) -> list[RecipientPreference]:
    statement = select(RecipientPreference).order_by(col(RecipientPreference.recipient))
    if not principal.is_admin:
        statement = statement.where(
            col(RecipientPreference.recipient).in_(recipients_of(principal))
        )
    return list((await session.execute(statement)).scalars())
