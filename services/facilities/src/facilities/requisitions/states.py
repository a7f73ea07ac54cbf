"""Requisitions as the event-contract state they publish."""

from __future__ import annotations

from uuid import UUID

from facilities.requisitions.tables import RequisitionRow
from samspill.events.facilities import RequisitionState


def requisition_state(row: RequisitionRow, site_name: str) -> RequisitionState:
    return RequisitionState(
        requisition_id=row.id,
        site_id=row.site_id,
        site_name=site_name,
        space_ids=[UUID(str(s)) for s in row.space_ids],
        start=row.starts_at,
        end=row.ends_at,
        reason=row.reason,
    )
