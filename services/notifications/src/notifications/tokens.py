"""Feed tokens: the secret part of a private feed's URL.

A token is 32 random bytes (256 bits) in URL-safe base64 (43 characters); only its SHA-256 is
stored, so a database leak reveals no working feed URL. A revoked or unknown token finds
nothing, and the feed answers 404 either way.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.models import FeedToken
from samspill.auth import Principal, Role
from samspill.rules import NotFoundError, RuleViolation

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


class FeedTokenKind(StrEnum):
    ORGANISATION = "organisation"
    LOANS = "loans"


FEED_PATHS = {FeedTokenKind.ORGANISATION: "organisations", FeedTokenKind.LOANS: "loans"}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(base_url: str, kind: FeedTokenKind, token: str) -> str:
    return f"{base_url}/feeds/{FEED_PATHS[kind]}/{token}.ics"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    record: FeedToken
    token: str


async def issue_token(
    session: AsyncSession,
    principal: Principal,
    kind: FeedTokenKind,
    organisation_id: uuid.UUID | None,
    *,
    now: datetime,
) -> IssuedToken:
    """A new token for an organisation the caller belongs to, or for the caller's own loans."""
    subject = _subject_for(principal, kind, organisation_id)
    token = new_token()
    record = FeedToken(
        token_hash=token_hash(token),
        kind=kind.value,
        subject_id=subject,
        owner_sub=principal.sub,
        created_at=now,
    )
    session.add(record)
    await session.flush()
    return IssuedToken(record, token)


def _subject_for(
    principal: Principal, kind: FeedTokenKind, organisation_id: uuid.UUID | None
) -> str:
    if kind is FeedTokenKind.ORGANISATION:
        if organisation_id is None:
            raise RuleViolation(
                "An organisation feed token needs organisation_id.",
                "Et kalendertoken for en organisasjon trenger organisation_id.",
            )
        if not principal.member_of(organisation_id):
            raise NotFoundError(
                "No such organisation among yours.", "Fant ikke organisasjonen blant dine."
            )
        return str(organisation_id)
    if organisation_id is not None:
        raise RuleViolation(
            "A loans feed token is for your own loans; leave out organisation_id.",
            "Et kalendertoken for utlån gjelder dine egne utlån; utelat organisation_id.",
        )
    if not principal.has_role(Role.RESIDENT):
        raise RuleViolation(
            "Only a resident has a loans feed.", "Bare innbyggere har en utlånskalender."
        )
    return principal.sub


async def resolve_token(session: AsyncSession, kind: FeedTokenKind, token: str) -> str | None:
    """The subject (organisation id or resident) of a live token, or None."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    result = await session.execute(
        select(col(FeedToken.subject_id)).where(
            col(FeedToken.token_hash) == token_hash(token),
            col(FeedToken.kind) == kind.value,
            col(FeedToken.revoked_at).is_(None),
        )
    )
    return result.scalar_one_or_none()


async def tokens_of(session: AsyncSession, principal: Principal) -> list[FeedToken]:
    result = await session.execute(
        select(FeedToken)
        .where(col(FeedToken.owner_sub) == principal.sub)
        .order_by(col(FeedToken.created_at), col(FeedToken.id))
    )
    return list(result.scalars())


async def revoke_token(
    session: AsyncSession, principal: Principal, token_id: uuid.UUID, *, now: datetime
) -> FeedToken:
    record = await session.get(FeedToken, token_id)
    if record is None or not (record.owner_sub == principal.sub or principal.is_admin):
        raise NotFoundError("No such feed token.", "Fant ikke kalendertokenet.")
    if record.revoked_at is None:
        record.revoked_at = now
    return record
