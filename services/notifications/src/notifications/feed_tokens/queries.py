"""Feed token reads: the subject a live token opens, and a caller's own tokens.

A revoked or unknown token finds nothing, and the feed answers 404 either way. An organisation
token opens the feed only while its owner is a member of the organisation (the read model of
booking's memberships), so a member who leaves or is removed loses the feed as soon as the
event is applied.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.feed_tokens import FeedTokenKind, token_hash, token_shaped
from notifications.feed_tokens.tables import FeedToken
from notifications.readmodel.queries import is_member
from samspill.auth import Principal


async def resolve_token(session: AsyncSession, kind: FeedTokenKind, token: str) -> str | None:
    """The subject (organisation id or resident) of a live token, or None."""
    if not token_shaped(token):
        return None
    result = await session.execute(
        select(FeedToken).where(
            col(FeedToken.token_hash) == token_hash(token),
            col(FeedToken.kind) == kind.value,
            col(FeedToken.revoked_at).is_(None),
        )
    )
    record = result.scalar_one_or_none()
    if record is None:
        return None
    if kind is FeedTokenKind.ORGANISATION and not (
        record.admin_issued or await is_member(session, record.owner_sub, record.subject_id)
    ):
        return None
    return record.subject_id


async def tokens_of(session: AsyncSession, principal: Principal) -> list[FeedToken]:
    result = await session.execute(
        select(FeedToken)
        .where(col(FeedToken.owner_sub) == principal.person_id)
        .order_by(col(FeedToken.created_at), col(FeedToken.id))
    )
    return list(result.scalars())
