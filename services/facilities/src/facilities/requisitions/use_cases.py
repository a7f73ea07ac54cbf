"""Use cases of requisitions: the emergency staff (or a municipal admin) take a site or some
of its spaces for a period, and lift it. Each publishes `requisition.started` /
`requisition.lifted`, keyed by the site, so booking cancels what overlaps (and refuses new
bookings) in its consumer."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from facilities.domain import checked_interval
from facilities.requisitions.queries import get_requisition, require_emergency_staff
from facilities.requisitions.schemas import RequisitionCreate, RequisitionPublic
from facilities.requisitions.states import requisition_state
from facilities.requisitions.tables import RequisitionRow
from facilities.sites.queries import referenced_site
from facilities.sites.tables import Site
from facilities.spaces.queries import referenced_space
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, RuleViolation
from samspill.events.facilities import RequisitionLifted, RequisitionStarted


async def start_requisition(
    uow: UnitOfWork, principal: Principal, data: RequisitionCreate, now: datetime
) -> RequisitionPublic:
    require_emergency_staff(principal)
    interval = checked_interval(data.start, data.end)
    if interval.end <= now:
        raise RuleViolation(
            "A requisition must not have ended already.", "En rekvisisjon kan ikke være over."
        )
    site = await referenced_site(uow.session, data.site_id)
    space_ids = sorted(set(data.space_ids), key=str)
    for space_id in space_ids:
        space = await referenced_space(uow.session, space_id)
        if space.site_id != site.id:
            raise RuleViolation(
                f"The space {space_id} does not belong to the site.",
                f"Lokalet {space_id} hører ikke til stedet.",
            )
    row = RequisitionRow(
        site_id=site.id,
        space_ids=[str(s) for s in space_ids],
        starts_at=interval.start,
        ends_at=interval.end,
        reason=data.reason,
        requested_by=principal.person_id,
    )
    uow.session.add(row)
    await uow.session.flush()
    state = requisition_state(row, site.name)
    await uow.publish(RequisitionStarted(requisition=state), key=str(site.id))
    await uow.commit()
    return RequisitionPublic.of(row, site.name)


async def lift_requisition(
    uow: UnitOfWork, principal: Principal, requisition_id: UUID, now: datetime
) -> RequisitionPublic:
    """409 when it was lifted already."""
    require_emergency_staff(principal)
    row = await get_requisition(uow.session, requisition_id, lock=True)
    if row.lifted_at is not None:
        raise Conflict(
            "The requisition has been lifted already.", "Rekvisisjonen er allerede opphevet."
        )
    row.lifted_at = now
    site = await uow.session.get(Site, row.site_id)
    name = site.name if site is not None else ""
    await uow.publish(
        RequisitionLifted(requisition=requisition_state(row, name)), key=str(row.site_id)
    )
    await uow.commit()
    return RequisitionPublic.of(row, name)
