"""Use cases of sites: the municipality registers them; a site's managers keep them current."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.closures import sync_holiday_closures
from facilities.common import (
    get_site,
    integrity_as_conflict,
    page_of,
    require_admin,
    require_site_manager,
)
from facilities.domain import District, SiteKind
from facilities.models import Site
from facilities.schemas import Page, SiteCreate, SitePublic, SiteUpdate
from facilities.states import site_state
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.events.facilities import SiteRegistered, SiteUpdated
from samspill.rules import ConflictError


@integrity_as_conflict
async def register_site(
    uow: UnitOfWork, principal: Principal, data: SiteCreate, now: datetime, *, source: str
) -> SitePublic:
    """Admin only. A site closed on public holidays also gets their closures scheduled."""
    require_admin(principal)
    await _ensure_unique_name(uow.session, data.name)
    site = Site(
        kind=data.kind.value,
        name=data.name,
        address=data.address,
        district=data.district.value,
        latitude=data.latitude,
        longitude=data.longitude,
        contact=data.contact.model_dump(mode="json"),
        accessibility=data.accessibility.model_dump(mode="json"),
        closes_on_public_holidays=data.closes_on_public_holidays,
        lending_reservation_days=data.lending_reservation_days,
    )
    uow.session.add(site)
    await uow.session.flush()
    state = site_state(site)
    await uow.publish(SiteRegistered(site=state), key=str(site.id))
    await sync_holiday_closures(uow.session, site, now, source=source)
    await uow.commit()
    return SitePublic.model_validate(state.model_dump())


@integrity_as_conflict
async def update_site(
    uow: UnitOfWork,
    principal: Principal,
    site_id: UUID,
    data: SiteUpdate,
    now: datetime,
    *,
    source: str,
) -> SitePublic:
    site = await get_site(uow.session, site_id, lock=True)
    require_site_manager(principal, site.id)
    changes = _column_values(data)
    if "name" in changes and changes["name"] != site.name:
        await _ensure_unique_name(uow.session, changes["name"])
    holidays_switched = changes.get("closes_on_public_holidays", site.closes_on_public_holidays)
    holidays_switched = holidays_switched != site.closes_on_public_holidays
    for name, value in changes.items():
        setattr(site, name, value)
    await uow.session.flush()
    state = site_state(site)
    await uow.publish(SiteUpdated(site=state), key=str(site.id))
    if holidays_switched:
        await sync_holiday_closures(uow.session, site, now, source=source)
    await uow.commit()
    return SitePublic.model_validate(state.model_dump())


def _column_values(data: SiteUpdate) -> dict[str, Any]:
    """The fields the request sets, as column values (`null` clears only optional ones)."""
    values = data.model_dump(mode="json", exclude_unset=True)
    required = {"name", "address", "district", "contact", "accessibility"}
    required |= {"closes_on_public_holidays", "lending_reservation_days"}
    return {k: v for k, v in values.items() if v is not None or k not in required}


async def _ensure_unique_name(session: AsyncSession, name: str) -> None:
    found = await session.scalar(select(col(Site.id)).where(col(Site.name) == name))
    if found is not None:
        raise ConflictError(
            f"A site named {name!r} already exists ({found}).",
            f"Det finnes allerede et sted som heter {name!r} ({found}).",
        )


async def get_site_public(session: AsyncSession, site_id: UUID) -> SitePublic:
    site = await get_site(session, site_id)
    return SitePublic.model_validate(site_state(site).model_dump())


async def list_sites(
    session: AsyncSession,
    *,
    district: District | None,
    kind: SiteKind | None,
    name: str | None,
    limit: int,
    offset: int,
) -> Page[SitePublic]:
    query = select(Site)
    if district is not None:
        query = query.where(col(Site.district) == district.value)
    if kind is not None:
        query = query.where(col(Site.kind) == kind.value)
    if name is not None:
        query = query.where(col(Site.name).icontains(name, autoescape=True))
    rows, total = await page_of(
        session, query.order_by(col(Site.name), col(Site.id)), limit, offset
    )
    items = [SitePublic.model_validate(site_state(r).model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
