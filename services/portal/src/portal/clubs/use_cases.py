"""What the club forms ask of the APIs: register an organisation, invite and withdraw, a new
private calendar link, accept an invitation. Refusals come back as `ApiRefused`."""

from __future__ import annotations

import uuid
from typing import Any

from portal.apis import Apis
from portal.clubs import queries
from portal.clubs.schemas import InvitationForm, OrganisationForm, ProfileForm
from portal.pages import Language


async def register_organisation(
    apis: Apis, token: str, form: OrganisationForm, language: Language
) -> uuid.UUID:
    """The new organisation's id; the person who registers it becomes its administrator."""
    created = await apis.post("booking", "/organisations", token=token, json=form.body(language))
    return uuid.UUID(str(created["id"]))


async def invite_member(
    apis: Apis, token: str, organisation_id: uuid.UUID, form: InvitationForm
) -> None:
    """Booking stores the invitation; notifications emails its link to the address."""
    path = f"/organisations/{organisation_id}/invitations"
    await apis.post("booking", path, token=token, json=form.body())


async def withdraw_invitation(
    apis: Apis, token: str, organisation_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    path = f"/organisations/{organisation_id}/invitations/{invitation_id}"
    await apis.delete("booking", path, token=token)


async def new_calendar_link(apis: Apis, token: str, organisation_id: uuid.UUID) -> dict[str, Any]:
    """Revoke the person's live links to the club's calendar, then issue a new one.

    Notifications keeps only a hash of a token, so a link can be shown only when it is made:
    a person who no longer has theirs replaces it, and the old one stops working at once.
    Returns the issued token (`id`, `token`).
    """
    for live in await queries.calendar_tokens(apis, token, organisation_id):
        await apis.delete("notifications", f"/feed-tokens/{live['id']}", token=token)
    body = {"kind": "organisation", "organisation_id": str(organisation_id)}
    issued: dict[str, Any] = await apis.post(
        "notifications", "/feed-tokens", token=token, json=body
    )
    return issued


async def accept_invitation(
    apis: Apis,
    token: str,
    code: str,
    profile_form: ProfileForm | None,
    language: Language,
    profile: dict[str, Any] | None,
) -> uuid.UUID:
    """Join the club the invitation is for; first store the person's name and address when
    they gave them here (booking checks the address against the invitation's)."""
    if profile_form is not None:
        body = profile_form.body(language, profile)
        await apis.put("booking", "/me/profile", token=token, json=body)
    joined = await apis.post("booking", f"/invitations/{code}/accept", token=token)
    return uuid.UUID(str(joined["organisation_id"]))
