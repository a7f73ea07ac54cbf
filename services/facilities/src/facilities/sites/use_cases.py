"""Use cases of sites: the municipality registers them; a site's managers keep them current."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from facilities.closures.use_cases import sync_holiday_closures
from facilities.dependencies import integrity_as_conflict, require_admin, require_site_manager
from facilities.sites.queries import get_site, site_with_name
from facilities.sites.schemas import PreparednessBody, SiteCreate, SiteUpdate
from facilities.sites.states import site_state
from facilities.sites.tables import Site
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict
from samspill.events.facilities import SiteRegistered, SiteState, SiteUpdated


@integrity_as_conflict
async def register_site(
    uow: UnitOfWork, principal: Principal, data: SiteCreate, now: datetime
) -> SiteState:
    """Admin only. A site closed on public holidays also gets their closures scheduled."""
    require_admin(principal)
    await _ensure_unique_name(uow, data.name)
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
    await sync_holiday_closures(uow, site, now)
    await uow.commit()
    return state


@integrity_as_conflict
async def update_site(
    uow: UnitOfWork, principal: Principal, site_id: UUID, data: SiteUpdate, now: datetime
) -> SiteState:
    site = await get_site(uow.session, site_id, lock=True)
    require_site_manager(principal, site.id)
    changes = _column_values(data)
    if "name" in changes and changes["name"] != site.name:
        await _ensure_unique_name(uow, changes["name"])
    holidays_switched = changes.get("closes_on_public_holidays", site.closes_on_public_holidays)
    holidays_switched = holidays_switched != site.closes_on_public_holidays
    for name, value in changes.items():
        setattr(site, name, value)
    await uow.session.flush()
    state = site_state(site)
    await uow.publish(SiteUpdated(site=state), key=str(site.id))
    if holidays_switched:
        await sync_holiday_closures(uow, site, now)
    await uow.commit()
    return state


async def set_preparedness(
    uow: UnitOfWork, principal: Principal, site_id: UUID, data: PreparednessBody
) -> SiteState:
    """The site's emergency preparedness facts, replaced whole (admin or the site's manager);
    published as `site.updated` so the emergency overview and booking see them."""
    site = await get_site(uow.session, site_id, lock=True)
    require_site_manager(principal, site.id)
    site.preparedness = data.model_dump(mode="json")
    await uow.session.flush()
    state = site_state(site)
    await uow.publish(SiteUpdated(site=state), key=str(site.id))
    await uow.commit()
    return state


def _column_values(data: SiteUpdate) -> dict[str, Any]:
    """The fields the request sets, as column values (`null` clears only optional ones)."""
    values = data.model_dump(mode="json", exclude_unset=True)
    required = {"name", "address", "district", "contact", "accessibility"}
    required |= {"closes_on_public_holidays", "lending_reservation_days"}
    return {k: v for k, v in values.items() if v is not None or k not in required}


async def _ensure_unique_name(uow: UnitOfWork, name: str) -> None:
    found = await site_with_name(uow.session, name)
    if found is not None:
        raise Conflict(
            f"A site named {name!r} already exists ({found}).",
            f"Det finnes allerede et sted som heter {name!r} ({found}).",
        )
