"""Use cases of spaces, including divisible halls.

Changing which space is part of which changes the conflict sets of other spaces too. Such a
change emits one event for the space the request names (`space.registered`, `.updated` or
`.retired`) and, in the same transaction, `space.updated` for every other space whose
`conflicts_with` changed, so consumers never hold a stale conflict set. Structural changes of
a site are serialised by locking the site row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from facilities.dependencies import integrity_as_conflict, require_site_manager
from facilities.domain import (
    BookingRules,
    SpacePlacement,
    WhoMayBook,
    normalise_features,
    validate_part,
)
from facilities.sites.queries import get_site, referenced_site
from facilities.spaces.queries import conflicts_by_space, get_space, site_spaces
from facilities.spaces.schemas import BookingRulesIn, SpaceCreate, SpaceUpdate
from facilities.spaces.states import space_state
from facilities.spaces.tables import Space
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import Conflict, RuleViolation
from samspill.events.facilities import SpaceRegistered, SpaceRetired, SpaceState, SpaceUpdated


@integrity_as_conflict
async def register_space(uow: UnitOfWork, principal: Principal, data: SpaceCreate) -> SpaceState:
    site = await referenced_site(uow.session, data.site_id)
    require_site_manager(principal, site.id)
    await get_site(uow.session, site.id, lock=True)
    siblings = await site_spaces(uow.session, site.id)
    space_id = uuid4()
    await _check_parent(uow.session, space_id, data.parent_id, siblings, site_id=site.id)
    _ensure_unique_name(data.name, siblings)
    space = Space(
        id=space_id,
        site_id=site.id,
        name=data.name,
        kind=data.kind.value,
        capacity=_checked_capacity(data.capacity),
        area_m2=data.area_m2,
        features=list(normalise_features(data.features)),
        activities=list(normalise_features(data.activities)),
        parent_id=data.parent_id,
        rules=_checked_rules(data.rules),
    )
    uow.session.add(space)
    await uow.session.flush()
    before = conflicts_by_space(siblings)
    after = conflicts_by_space([*siblings, space])
    await uow.publish(SpaceRegistered(space=space_state(space, after[space.id])), key=str(space.id))
    await _publish_changed_conflicts(uow, siblings, before, after)
    await uow.commit()
    return space_state(space, after[space.id])


@integrity_as_conflict
async def update_space(
    uow: UnitOfWork, principal: Principal, space_id: UUID, data: SpaceUpdate
) -> SpaceState:
    space = await get_space(uow.session, space_id)
    require_site_manager(principal, space.site_id)
    await get_site(uow.session, space.site_id, lock=True)
    _ensure_active(space)
    spaces = await site_spaces(uow.session, space.site_id)
    others = [s for s in spaces if s.id != space.id]
    before = conflicts_by_space(spaces)
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        await _check_parent(uow.session, space.id, data.parent_id, spaces)
    if "name" in changes and data.name is not None:
        _ensure_unique_name(data.name, others)
    _apply(space, changes, data)
    await uow.session.flush()
    after = conflicts_by_space(spaces)
    await uow.publish(SpaceUpdated(space=space_state(space, after[space.id])), key=str(space.id))
    await _publish_changed_conflicts(uow, others, before, after)
    await uow.commit()
    return space_state(space, after[space.id])


def _apply(space: Space, changes: dict[str, Any], data: SpaceUpdate) -> None:
    if data.name is not None:
        space.name = data.name
    if data.kind is not None:
        space.kind = data.kind.value
    if data.capacity is not None or "capacity" in changes:
        space.capacity = _checked_capacity(data.capacity)
    if "area_m2" in changes:
        space.area_m2 = data.area_m2
    if data.features is not None:
        space.features = list(normalise_features(data.features))
    if data.activities is not None:
        space.activities = list(normalise_features(data.activities))
    if "parent_id" in changes:
        space.parent_id = data.parent_id
    if data.rules is not None:
        space.rules = _checked_rules(data.rules)


async def retire_space(uow: UnitOfWork, principal: Principal, space_id: UUID) -> SpaceState:
    """A retired space is kept (bookings and feeds refer to it) but can no longer be booked."""
    space = await get_space(uow.session, space_id)
    require_site_manager(principal, space.site_id)
    await get_site(uow.session, space.site_id, lock=True)
    _ensure_active(space)
    space.retired = True
    await uow.session.flush()
    conflicts = conflicts_by_space(await site_spaces(uow.session, space.site_id))
    await uow.publish(
        SpaceRetired(space=space_state(space, conflicts[space.id])), key=str(space.id)
    )
    await uow.commit()
    return space_state(space, conflicts[space.id])


async def _check_parent(
    session: AsyncSession,
    space_id: UUID,
    parent_id: UUID | None,
    site_spaces_: Iterable[Space],
    *,
    site_id: UUID | None = None,
) -> None:
    if parent_id is None:
        return
    placements = {str(s.id): _placement(s) for s in site_spaces_}
    parent = await session.get(Space, parent_id)
    if parent is not None:
        placements[str(parent.id)] = _placement(parent)
        if parent.retired:
            raise RuleViolation(
                "A space cannot be a part of a retired space.",
                "Et lokale kan ikke være en del av et lokale som er tatt ut av bruk.",
            )
    validate_part(
        str(space_id), str(parent_id), placements, None if site_id is None else str(site_id)
    )


def _placement(space: Space) -> SpacePlacement:
    return SpacePlacement(
        str(space.site_id), None if space.parent_id is None else str(space.parent_id)
    )


async def _publish_changed_conflicts(
    uow: UnitOfWork,
    others: Iterable[Space],
    before: dict[UUID, frozenset[UUID]],
    after: dict[UUID, frozenset[UUID]],
) -> None:
    for other in others:
        if before.get(other.id) != after[other.id]:
            event = SpaceUpdated(space=space_state(other, after[other.id]))
            await uow.publish(event, key=str(other.id))


def _checked_capacity(capacity: int | None) -> int:
    if capacity is None or capacity <= 0:
        raise RuleViolation(
            "The capacity must be at least one person.", "Kapasiteten må være minst én person."
        )
    return capacity


def _checked_rules(rules: BookingRulesIn) -> dict[str, Any]:
    domain_rules = BookingRules(
        **{**rules.model_dump(), "who_may_book": WhoMayBook(rules.who_may_book)}
    )
    domain_rules.validate()
    return rules.model_dump(mode="json")


def _ensure_unique_name(name: str, others: Iterable[Space]) -> None:
    for other in others:
        if other.name.casefold() == name.casefold():
            raise Conflict(
                f"The site already has a space named {name!r} ({other.id}).",
                f"Stedet har allerede et lokale som heter {name!r} ({other.id}).",
            )


def _ensure_active(space: Space) -> None:
    if space.retired:
        raise RuleViolation(
            "The space is retired and can no longer be changed.",
            "Lokalet er tatt ut av bruk og kan ikke endres.",
        )
