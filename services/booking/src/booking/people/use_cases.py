"""Entering or changing one's profile: stored and announced (`ProfileChanged`) at once; the
channel `sms` only where SMS can be sent (`samspill.sms`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert

from booking.people.schemas import ProfileIn
from booking.people.states import profile_state
from booking.people.tables import Profile
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Forbidden
from samspill.events import booking as be
from samspill.sms import check_channel


async def save_profile(
    uow: UnitOfWork, principal: Principal, body: ProfileIn, now: datetime, *, sms_available: bool
) -> Profile:
    if not principal.is_person:
        raise Forbidden(
            "Only a person has a profile; an integration has none.",
            "Bare personer har en profil; en integrasjon har ingen.",
        )
    check_channel(body.channel, available=sms_available)
    values = {**body.model_dump(mode="json"), "updated_at": now}
    # One statement, so two first entries at once do not both insert; the row lock it takes
    # also orders their events.
    upsert = (
        insert(Profile)
        .values(person_id=principal.person_id, **values)
        .on_conflict_do_update(index_elements=["person_id"], set_=values)
        .returning(Profile)
        .execution_options(populate_existing=True)
    )
    profile = (await uow.session.execute(upsert)).scalar_one()
    event = be.ProfileChanged(profile=profile_state(profile))
    await uow.publish(event, key=principal.person_id)
    await uow.commit()
    return profile
