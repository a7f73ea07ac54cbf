"""A person's staff grants as the event-contract state they publish."""

from __future__ import annotations

from collections.abc import Iterable

from facilities.domain import StaffGrantKind
from facilities.staff.tables import StaffGrant
from samspill.events.facilities import StaffGrantsState


def staff_grants_state(person_id: str, rows: Iterable[StaffGrant]) -> StaffGrantsState:
    """Everything the person holds now; empty lists when the last grant was revoked."""
    rows = list(rows)
    return StaffGrantsState(
        person_id=person_id,
        site_ids=sorted(r.object_id for r in rows if r.kind == StaffGrantKind.SITE and r.object_id),
        centre_ids=sorted(
            r.object_id for r in rows if r.kind == StaffGrantKind.CENTRE and r.object_id
        ),
        emergency=any(r.kind == StaffGrantKind.EMERGENCY for r in rows),
    )
