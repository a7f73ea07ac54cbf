"""Spaces as the event-contract state they publish, and their stored booking rules."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from facilities.domain import BookingRules, WhoMayBook
from facilities.spaces.tables import Space
from samspill.events.facilities import BookingRulesState, SpaceState


def booking_rules(space: Space) -> BookingRules:
    stored = dict(space.rules)
    stored["who_may_book"] = WhoMayBook(stored.get("who_may_book", WhoMayBook.ORGANISATIONS))
    return BookingRules(**stored)


def rules_state(rules: BookingRules) -> BookingRulesState:
    return BookingRulesState(**rules.published())


def space_state(space: Space, conflicts_with: Iterable[UUID]) -> SpaceState:
    return SpaceState(
        space_id=space.id,
        site_id=space.site_id,
        name=space.name,
        kind=space.kind,
        capacity=space.capacity,
        area_m2=space.area_m2,
        features=list(space.features),
        activities=list(space.activities),
        parent_id=space.parent_id,
        conflicts_with=sorted(conflicts_with, key=str),
        rules=rules_state(booking_rules(space)),
        retired=space.retired,
    )
