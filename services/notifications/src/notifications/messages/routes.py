"""The delivery log: an admin sees every message, a recipient its own; an invitation's link
is shown without its code, which only the invitee's mailbox may see."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from notifications.domain.invitations import redact_invitation_links
from notifications.messages.queries import message_with_attempts, messages_for
from notifications.messages.schemas import DeliveryAttemptPublic, MessageDetail, MessagePublic
from notifications.messages.tables import Message
from samspill.auth import CurrentPrincipal
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/messages", tags=["messages"])

Status = Literal["pending", "sent", "failed", "cancelled", "undeliverable"]


def _public(message: Message) -> MessagePublic:
    public = MessagePublic.model_validate(message, from_attributes=True)
    return public.model_copy(update={"body": redact_invitation_links(public.body)})


@router.get("")
async def list_messages(
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[MessagePublic]:
    messages = await messages_for(uow.session, principal, status=status, limit=limit, offset=offset)
    return [_public(message) for message in messages]


@router.get("/{message_id}")
async def get_message(
    message_id: uuid.UUID, principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> MessageDetail:
    message, attempts = await message_with_attempts(uow.session, principal, message_id)
    return MessageDetail(
        **_public(message).model_dump(),
        delivery_attempts=[
            DeliveryAttemptPublic(attempted_at=a.attempted_at, ok=a.ok, error=a.error)
            for a in attempts
        ],
    )
