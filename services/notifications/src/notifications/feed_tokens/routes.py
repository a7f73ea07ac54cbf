"""Feed tokens: issued to an org member (for its organisation) or a resident (its loans)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from notifications.dependencies import SettingsDep
from notifications.domain.feed_tokens import FeedTokenKind, feed_url
from notifications.feed_tokens.queries import tokens_of
from notifications.feed_tokens.schemas import FeedTokenCreate, FeedTokenIssued, FeedTokenPublic
from notifications.feed_tokens.tables import FeedToken
from notifications.feed_tokens.use_cases import issue_token, revoke_token
from samspill.auth import CurrentPrincipal
from samspill.clock import NowDep
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/feed-tokens", tags=["feed tokens"])


def _public(record: FeedToken) -> FeedTokenPublic:
    return FeedTokenPublic(
        id=record.id,
        kind=FeedTokenKind(record.kind),
        subject_id=record.subject_id,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )


@router.post("", status_code=201)
async def create_feed_token(
    body: FeedTokenCreate,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    now: NowDep,
) -> FeedTokenIssued:
    issued = await issue_token(uow, principal, body.kind, body.organisation_id, now=now)
    return FeedTokenIssued(
        **_public(issued.record).model_dump(),
        token=issued.token,
        url=feed_url(settings.public_base_url, body.kind, issued.token),
    )


@router.get("")
async def list_feed_tokens(
    principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> list[FeedTokenPublic]:
    """The caller's own tokens (without the secret, which is not stored)."""
    return [_public(record) for record in await tokens_of(uow.session, principal)]


@router.delete("/{token_id}", status_code=204)
async def revoke_feed_token(
    token_id: uuid.UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep, now: NowDep
) -> Response:
    await revoke_token(uow, principal, token_id, now=now)
    return Response(status_code=204)
