"""Feed token use cases: issue a token to an org member (for its organisation) or a resident
(for their loans), and revoke one. Each commits once, through the unit of work.

A member's organisation token works while they are a member; one a municipal admin takes for
an organisation they are not a member of is marked as such and works until it is revoked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from notifications.domain.feed_tokens import FeedTokenKind, new_token, token_hash
from notifications.feed_tokens.tables import FeedToken
from samspill.auth import Principal, Role
from samspill.db import UnitOfWork
from samspill.errors import NotFound, RuleViolation


@dataclass(frozen=True, slots=True)
class IssuedToken:
    record: FeedToken
    token: str


async def issue_token(
    uow: UnitOfWork,
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
        owner_sub=principal.person_id,
        admin_issued=(
            kind is FeedTokenKind.ORGANISATION and principal.organisation_role(subject) is None
        ),
        created_at=now,
    )
    uow.session.add(record)
    await uow.commit()
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
            raise NotFound(
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
    return principal.person_id


async def revoke_token(
    uow: UnitOfWork, principal: Principal, token_id: uuid.UUID, *, now: datetime
) -> FeedToken:
    record = await uow.session.get(FeedToken, token_id)
    if record is None or not (record.owner_sub == principal.person_id or principal.is_admin):
        raise NotFound("No such feed token.", "Fant ikke kalendertokenet.")
    if record.revoked_at is None:
        record.revoked_at = now
    await uow.commit()
    return record
