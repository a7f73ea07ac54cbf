"""Recipient preferences: channel (email or SMS) and language (bokmål or English)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from notifications.dependencies import SettingsDep
from notifications.preferences.queries import preferences_of
from notifications.preferences.schemas import PreferencePublic, PreferenceUpdate
from notifications.preferences.tables import RecipientPreference
from notifications.preferences.use_cases import set_preference
from samspill.auth import CurrentPrincipal
from samspill.clock import NowDep
from samspill.db import UnitOfWorkDep

router = APIRouter(prefix="/preferences", tags=["preferences"])

RecipientKind = Literal["organisation", "site", "resident"]


def _public(preference: RecipientPreference) -> PreferencePublic:
    return PreferencePublic.model_validate(preference, from_attributes=True)


@router.get("")
async def list_preferences(
    principal: CurrentPrincipal, uow: UnitOfWorkDep
) -> list[PreferencePublic]:
    """Preferences of the recipients the caller speaks for (itself, its organisations, sites)."""
    return [_public(p) for p in await preferences_of(uow.session, principal)]


@router.put("/{kind}/{subject}")
async def put_preference(
    kind: RecipientKind,
    subject: Annotated[str, Path(max_length=200)],
    body: PreferenceUpdate,
    principal: CurrentPrincipal,
    uow: UnitOfWorkDep,
    now: NowDep,
    settings: SettingsDep,
) -> PreferencePublic:
    """Set how a recipient is told: `resident/me`, `organisation/{id}` or `site/{id}`.

    `sms` is refused (422, `sms-not-available`) when the service has no SMS provider."""
    if kind == "resident" and subject == "me":
        subject = principal.person_id
    preference = await set_preference(
        uow,
        principal,
        kind,
        subject,
        body.channel,
        body.language,
        now=now,
        sms_available=settings.sms_available,
    )
    return _public(preference)
