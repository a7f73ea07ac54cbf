"""Every CloudEvent's `subject` is the id of the aggregate the event is about.

The table is written out by hand (not derived from the kernel's rule), so it checks that rule.
The Kafka key is another matter: it is the ordering key (see docs/architecture.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

B = "samspill.booking."
F = "samspill.facilities."

# event type → (the field holding the aggregate's state, the aggregate's id field in it)
AGGREGATE_ID: dict[str, tuple[str, str]] = {
    f"{B}organisation.registered.v1": ("organisation", "organisation_id"),
    f"{B}organisation.updated.v1": ("organisation", "organisation_id"),
    # Memberships and invitations belong to the organisation; a profile and an erasure to
    # their person.
    f"{B}membership.changed.v1": ("membership", "organisation_id"),
    f"{B}invitation.created.v1": ("invitation", "organisation_id"),
    f"{B}profile.changed.v1": ("profile", "person_id"),
    f"{B}person.erased.v1": ("erasure", "person_id"),
    f"{B}requested.v1": ("booking", "booking_id"),
    f"{B}confirmed.v1": ("booking", "booking_id"),
    f"{B}rejected.v1": ("booking", "booking_id"),
    f"{B}cancelled.v1": ("booking", "booking_id"),
    f"{B}anonymised.v1": ("booking", "booking_id"),
    f"{B}series.created.v1": ("series", "series_id"),
    f"{B}series.anonymised.v1": ("series", "series_id"),
    f"{B}series.team_changed.v1": ("series", "series_id"),
    f"{B}activity.published.v1": ("activity", "series_id"),
    f"{B}activity.withdrawn.v1": ("activity", "series_id"),
    f"{B}round.changed.v1": ("round", "round_id"),
    f"{B}application.answered.v1": ("application", "application_id"),
    f"{B}waiting_offer.made.v1": ("offer", "offer_id"),
    f"{B}loan.reserved.v1": ("loan", "loan_id"),
    f"{B}loan.units_changed.v1": ("loan", "loan_id"),
    f"{B}loan.picked_up.v1": ("loan", "loan_id"),
    f"{B}loan.returned.v1": ("loan", "loan_id"),
    f"{B}loan.cancelled.v1": ("loan", "loan_id"),
    f"{B}loan.no_show.v1": ("loan", "loan_id"),
    f"{B}loan.overdue.v1": ("loan", "loan_id"),
    f"{B}loan.anonymised.v1": ("loan", "loan_id"),
    f"{B}requisition.applied.v1": ("requisition", "requisition_id"),
    f"{B}requisition.released.v1": ("requisition", "requisition_id"),
    f"{F}site.registered.v1": ("site", "site_id"),
    f"{F}site.updated.v1": ("site", "site_id"),
    f"{F}space.registered.v1": ("space", "space_id"),
    f"{F}space.updated.v1": ("space", "space_id"),
    f"{F}space.retired.v1": ("space", "space_id"),
    f"{F}window.released.v1": ("window", "window_id"),
    f"{F}window.withdrawn.v1": ("window", "window_id"),
    f"{F}closure.scheduled.v1": ("closure", "closure_id"),
    f"{F}closure.lifted.v1": ("closure", "closure_id"),
    f"{F}price_rule.set.v1": ("rule", "rule_id"),
    f"{F}item_type.registered.v1": ("item_type", "item_type_id"),
    f"{F}item_type.updated.v1": ("item_type", "item_type_id"),
    f"{F}unit.added.v1": ("unit", "unit_id"),
    f"{F}unit.condition_changed.v1": ("unit", "unit_id"),
    f"{F}unit.retired.v1": ("unit", "unit_id"),
    f"{F}staff_grants.changed.v1": ("grants", "person_id"),
    f"{F}requisition.started.v1": ("requisition", "requisition_id"),
    f"{F}requisition.lifted.v1": ("requisition", "requisition_id"),
}


def expected_subject(event_type: str, data: dict[str, Any]) -> str:
    state, id_field = AGGREGATE_ID[event_type]
    return str(data[state][id_field])


def subject_errors(
    records: Iterable[tuple[str, Sequence[Sequence[str]], dict[str, Any]]],
) -> list[str]:
    """(event type, headers, data) of each record → one line per record with a wrong subject."""
    errors = []
    for event_type, headers, data in records:
        subject = dict((name, value) for name, value in headers).get("ce_subject")
        wanted = expected_subject(event_type, data)
        if subject != wanted:
            errors.append(f"{event_type}: subject {subject}, aggregate id {wanted}")
    return errors


async def outbox_subject_errors(engine: AsyncEngine) -> list[str]:
    """Checks every event a service recorded in its outbox."""
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event_type, headers, value FROM outbox"))).all()
    return subject_errors((row.event_type, row.headers, json.loads(row.value)) for row in rows)
