"""Use cases of closures: a manager closes a space or a whole site; public holidays close a
site by default.

Holidays are real closures (reason `holiday`) for the coming two years, created when a site
that closes on public holidays is registered or switches the flag on, and lifted when it
switches the flag off. A periodic job (`jobs.py`) rolls the two years forward every day, so
consumers learn of holidays from `closure.scheduled` like any other closure.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from facilities.closures.queries import (
    future_holiday_closures,
    get_closure,
    holiday_closure_starts,
)
from facilities.closures.schemas import ClosureCreate
from facilities.closures.states import closure_key, closure_state
from facilities.closures.tables import ClosureRow
from facilities.dependencies import integrity_as_conflict, require_site_manager
from facilities.domain import Closure, checked_interval, holiday_closure, holiday_closures
from facilities.sites.queries import claim_site, referenced_site
from facilities.sites.tables import Site
from facilities.spaces.queries import referenced_space
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import NotFound, RuleViolation
from samspill.events.facilities import ClosureLifted, ClosureScheduled, ClosureState
from samspill.recurrence import local_date

HOLIDAY_HORIZON = timedelta(days=2 * 365)


@integrity_as_conflict
async def schedule_closure(
    uow: UnitOfWork, principal: Principal, data: ClosureCreate, now: datetime
) -> ClosureState:
    interval = checked_interval(data.start, data.end)
    site_id, space_retired = await _closure_target(uow.session, data)
    require_site_manager(principal, site_id)
    space_key = None if data.space_id is None else str(data.space_id)
    Closure(interval, data.reason, space_key).validate(space_retired=space_retired, now=now)
    row = ClosureRow(
        site_id=site_id,
        space_id=data.space_id,
        starts_at=interval.start,
        ends_at=interval.end,
        reason=data.reason.value,
        note=data.note,
    )
    uow.session.add(row)
    await uow.session.flush()
    state = closure_state(row)
    await uow.publish(ClosureScheduled(closure=state), key=closure_key(row))
    await uow.commit()
    return state


async def _closure_target(session: AsyncSession, data: ClosureCreate) -> tuple[UUID, bool]:
    """The site the closure belongs to, and whether the closed space is retired."""
    if data.space_id is not None:
        space = await referenced_space(session, data.space_id)
        if data.site_id is not None and data.site_id != space.site_id:
            raise RuleViolation(
                "The space does not belong to the given site.",
                "Lokalet hører ikke til det oppgitte stedet.",
            )
        return space.site_id, space.retired
    if data.site_id is None:
        raise RuleViolation(
            "Name the site or the space to close.", "Oppgi stedet eller lokalet som skal stenges."
        )
    site = await referenced_site(session, data.site_id)
    return site.id, False


async def lift_closure(uow: UnitOfWork, principal: Principal, closure_id: UUID) -> ClosureState:
    row = await get_closure(uow.session, closure_id, lock=True)
    if row.lifted:
        raise NotFound(
            f"No closure with id {closure_id} (it has been lifted).",
            f"Fant ingen stenging med id {closure_id} (den er opphevet).",
        )
    require_site_manager(principal, row.site_id)
    row.lifted = True
    state = closure_state(row)
    await uow.publish(ClosureLifted(closure=state), key=closure_key(row))
    await uow.commit()
    return state


# Public holidays


async def sync_site_holidays(uow: UnitOfWork, site_id: UUID, now: datetime) -> int:
    """The periodic roll-forward for one site, in its own transaction.

    The site is claimed with `FOR UPDATE SKIP LOCKED` (another replica syncing it is left
    alone), and the sync is idempotent, so restarts and parallel replicas do no harm.
    """
    site = await claim_site(uow.session, site_id)
    if site is None or not site.closes_on_public_holidays:
        return 0
    changed = await sync_holiday_closures(uow, site, now)
    await uow.commit()
    return changed


async def sync_holiday_closures(uow: UnitOfWork, site: Site, now: datetime) -> int:
    """Bring the site's holiday closures in line with its flag; never commits.

    Returns how many closures were scheduled or lifted (one event each).
    """
    if site.closes_on_public_holidays:
        return await _schedule_holidays(uow, site, local_date(now))
    return await _lift_future_holidays(uow, site, now)


async def _schedule_holidays(uow: UnitOfWork, site: Site, today: date) -> int:
    last = today + HOLIDAY_HORIZON
    years = range(today.year, last.year + 1)
    existing = await holiday_closure_starts(uow.session, site.id)
    scheduled = 0
    for day, name in holiday_closures(True, years):
        closure = holiday_closure(day)
        if not today <= day <= last or closure.interval.start in existing:
            continue
        row = ClosureRow(
            site_id=site.id,
            starts_at=closure.interval.start,
            ends_at=closure.interval.end,
            reason=closure.reason.value,
            note=name,
            holiday_generated=True,
        )
        uow.session.add(row)
        await uow.session.flush()
        await uow.publish(ClosureScheduled(closure=closure_state(row)), key=closure_key(row))
        scheduled += 1
    return scheduled


async def _lift_future_holidays(uow: UnitOfWork, site: Site, now: datetime) -> int:
    lifted = 0
    for row in await future_holiday_closures(uow.session, site.id, now):
        row.lifted = True
        await uow.publish(ClosureLifted(closure=closure_state(row)), key=closure_key(row))
        lifted += 1
    return lifted
