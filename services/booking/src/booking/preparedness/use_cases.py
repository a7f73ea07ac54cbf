"""Registering an organisation's preparedness, and recording the emergency readers' views of
the 24/7 contacts (a person's name and phone) in the access log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from booking.domain.preparedness import OrganisationResources
from booking.memberships.queries import administered
from booking.preparedness import queries
from booking.preparedness.schemas import PreparednessBody
from booking.preparedness.tables import OrganisationPreparedness
from samspill.access_log import record_access
from samspill.auth import Principal
from samspill.db import UnitOfWork

PREPAREDNESS_WHY = "emergency preparedness"


async def register(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID,
    body: PreparednessBody,
    now: datetime,
) -> OrganisationResources:
    """The club's administrators replace its registration (a contact left out is kept)."""
    session = uow.session
    organisation = await administered(session, principal, organisation_id)
    row = await queries.preparedness_of(session, organisation.id, lock=True)
    contact = None if body.contact_24_7 is None else body.contact_24_7.model_dump(mode="json")
    if row is None:
        row = OrganisationPreparedness(
            organisation_id=organisation.id,
            volunteers={},
            equipment=[],
            vehicles=[],
            agreements=[],
            updated_at=now,
        )
        session.add(row)
    row.volunteers = dict(body.volunteers)
    row.equipment = list(body.equipment)
    row.vehicles = list(body.vehicles)
    row.agreements = list(body.agreements)
    if not body.keeps_contact:
        row.contact_24_7 = contact
    row.updated_at = now
    await session.flush()
    await uow.commit()
    return queries.resources(organisation, row)


async def record_contact_views(
    uow: UnitOfWork,
    principal: Principal,
    shown: Sequence[OrganisationResources],
    what: str,
    now: datetime,
) -> None:
    """One access-log row per 24/7 contact shown (the contact is no registered person: the
    row names the organisation whose contact it is)."""
    for org in shown:
        if org.contact_24_7 is None:
            continue
        await record_access(
            uow.session,
            principal,
            subject_person_id=None,
            subject_kind="preparedness_contact",
            subject_id=org.organisation_id,
            what=what,
            why=PREPAREDNESS_WHY,
            at=now,
        )
    await uow.commit()
