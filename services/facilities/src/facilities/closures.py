"""Use cases of closures: a manager closes a space or a whole site; public holidays close a
site by default.

Holidays are real closures (reason `holiday`) for the coming two years, created when a site
that closes on public holidays is registered or switches the flag on, and lifted when it
switches the flag off. `HolidayClosureScheduler` rolls the two years forward every day, so
consumers learn of holidays from `closure.scheduled` like any other closure.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from facilities.common import (
    get_row,
    integrity_as_conflict,
    page_of,
    referenced_site,
    referenced_space,
    require_site_manager,
    today_oslo,
)
from facilities.domain import Closure, checked_interval, holiday_closure, holiday_closures
from facilities.models import ClosureRow, Site, messaging
from facilities.schemas import ClosureCreate, ClosurePublic, Page
from facilities.states import closure_state
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events.facilities import ClosureLifted, ClosureScheduled
from samspill.outbox import write_event
from samspill.rules import NotFoundError, RuleViolation

HOLIDAY_HORIZON = timedelta(days=2 * 365)

log = structlog.get_logger("facilities.closures")


@integrity_as_conflict
async def schedule_closure(
    uow: UnitOfWork, principal: Principal, data: ClosureCreate, now: datetime
) -> ClosurePublic:
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
    return ClosurePublic.model_validate(state.model_dump())


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


async def lift_closure(uow: UnitOfWork, principal: Principal, closure_id: UUID) -> ClosurePublic:
    row = await get_row(uow.session, ClosureRow, closure_id, ("closure", "stenging"), lock=True)
    if row.lifted:
        raise NotFoundError(
            f"No closure with id {closure_id} (it has been lifted).",
            f"Fant ingen stenging med id {closure_id} (den er opphevet).",
        )
    require_site_manager(principal, row.site_id)
    row.lifted = True
    state = closure_state(row)
    await uow.publish(ClosureLifted(closure=state), key=closure_key(row))
    await uow.commit()
    return ClosurePublic.model_validate(state.model_dump())


def closure_key(row: ClosureRow) -> str:
    """Space closures are ordered with the space's events, whole-site closures with the site's."""
    return str(row.space_id if row.space_id is not None else row.site_id)


async def list_closures(
    session: AsyncSession,
    *,
    site_id: UUID | None,
    space_id: UUID | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> Page[ClosurePublic]:
    query = select(ClosureRow).where(col(ClosureRow.lifted).is_(False))
    if site_id is not None:
        query = query.where(col(ClosureRow.site_id) == site_id)
    if space_id is not None:
        query = query.where(col(ClosureRow.space_id) == space_id)
    if start is not None:
        query = query.where(col(ClosureRow.ends_at) > start)
    if end is not None:
        query = query.where(col(ClosureRow.starts_at) < end)
    rows, total = await page_of(
        session, query.order_by(col(ClosureRow.starts_at), col(ClosureRow.id)), limit, offset
    )
    items = [ClosurePublic.model_validate(closure_state(r).model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


# Public holidays


async def sync_holiday_closures(
    session: AsyncSession, site: Site, now: datetime, *, source: str
) -> int:
    """Bring the site's holiday closures in line with its flag; never commits.

    Returns how many closures were scheduled or lifted (one event each).
    """
    if site.closes_on_public_holidays:
        return await _schedule_holidays(session, site, today_oslo(now), source)
    return await _lift_future_holidays(session, site, now, source)


async def _schedule_holidays(session: AsyncSession, site: Site, today: date, source: str) -> int:
    last = today + HOLIDAY_HORIZON
    years = range(today.year, last.year + 1)
    existing = set(
        (
            await session.execute(
                select(col(ClosureRow.starts_at)).where(
                    col(ClosureRow.site_id) == site.id,
                    col(ClosureRow.holiday_generated).is_(True),
                    col(ClosureRow.lifted).is_(False),
                )
            )
        ).scalars()
    )
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
        session.add(row)
        await session.flush()
        await _publish(session, ClosureScheduled(closure=closure_state(row)), row, source)
        scheduled += 1
    return scheduled


async def _lift_future_holidays(
    session: AsyncSession, site: Site, now: datetime, source: str
) -> int:
    rows = (
        await session.execute(
            select(ClosureRow).where(
                col(ClosureRow.site_id) == site.id,
                col(ClosureRow.holiday_generated).is_(True),
                col(ClosureRow.lifted).is_(False),
                col(ClosureRow.ends_at) > now,
            )
        )
    ).scalars()
    lifted = 0
    for row in rows:
        row.lifted = True
        await _publish(session, ClosureLifted(closure=closure_state(row)), row, source)
        lifted += 1
    return lifted


async def _publish(
    session: AsyncSession, event: ClosureScheduled | ClosureLifted, row: ClosureRow, source: str
) -> None:
    await write_event(session, messaging, event, key=closure_key(row), source=source)


class HolidayClosureScheduler:
    """Keeps every flagged site's holiday closures two years ahead; safe to run anywhere.

    Each site is claimed with `FOR UPDATE SKIP LOCKED` and synced in its own transaction, and
    the sync is idempotent (a partial unique index allows one holiday closure per site and
    day), so restarts and parallel replicas do no harm.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        source: str,
        interval_s: float = 6 * 3600,
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._interval_s = interval_s

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once(datetime.now().astimezone())
            except Exception as exc:
                log.warning("facilities.holiday_sync_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)

    async def run_once(self, now: datetime) -> int:
        async with self._sessions() as session:
            ids = list(
                (
                    await session.execute(
                        select(col(Site.id)).where(col(Site.closes_on_public_holidays).is_(True))
                    )
                ).scalars()
            )
        return sum([await self._sync_site(site_id, now) for site_id in ids])

    async def _sync_site(self, site_id: UUID, now: datetime) -> int:
        async with self._sessions() as session:
            site = (
                await session.execute(
                    select(Site).where(col(Site.id) == site_id).with_for_update(skip_locked=True)
                )
            ).scalar_one_or_none()
            if site is None or not site.closes_on_public_holidays:
                return 0
            changed = await sync_holiday_closures(session, site, now, source=self._source)
            await session.commit()
            return changed
