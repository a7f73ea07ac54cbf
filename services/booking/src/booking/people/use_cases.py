"""Entering or changing one's profile: stored and announced (`ProfileChanged`) at once."""

from __future__ import annotations

from datetime import datetime

from booking.people.schemas import ProfileIn
from booking.people.states import profile_state
from booking.people.tables import Profile
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Forbidden
from samspill.events import booking as be


async def save_profile(
    uow: UnitOfWork, principal: Principal, body: ProfileIn, now: datetime
) -> Profile:
    if not principal.is_person:
        raise Forbidden(
            "Only a person has a profile; an integration has none.",
            "Bare personer har en profil; en integrasjon har ingen.",
        )
    session = uow.session
    profile = await session.get(Profile, principal.person_id, with_for_update=True)
    values = body.model_dump(mode="json")
    if profile is None:
        profile = Profile(person_id=principal.person_id, **values, updated_at=now)
        session.add(profile)
    else:
        for name, value in values.items():
            setattr(profile, name, value)
        profile.updated_at = now
    await session.flush()
    event = be.ProfileChanged(profile=profile_state(profile))
    await uow.publish(event, key=principal.person_id)
    await uow.commit()
    return profile
