"""What facilities holds about a person: the sites they manage, the centres they staff, whether
they are emergency staff (object `municipality`, no site), and the grants they gave as an
administrator (without the other person's id)."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.sites.tables import Site
from facilities.staff.tables import StaffGrant
from samspill.access_grants import MUNICIPALITY

Row = dict[str, Any]


async def personal_data_of(session: AsyncSession, person_id: str) -> dict[str, list[Row]]:
    held = await session.execute(
        select(StaffGrant, col(Site.name))
        .outerjoin(Site, col(Site.id) == col(StaffGrant.object_id))
        .where(col(StaffGrant.person_id) == person_id)
        .order_by(col(StaffGrant.kind), col(Site.name))
    )
    given = await session.execute(
        select(StaffGrant, col(Site.name))
        .outerjoin(Site, col(Site.id) == col(StaffGrant.object_id))
        .where(col(StaffGrant.granted_by) == person_id)
        .order_by(col(StaffGrant.granted_at), col(StaffGrant.id))
    )
    return {
        "staff_grants": [
            jsonable_encoder(
                {
                    "kind": grant.kind,
                    "object_id": grant.object_id or MUNICIPALITY,
                    "site_name": name,
                    "granted_by": grant.granted_by,
                    "granted_at": grant.granted_at,
                }
            )
            for grant, name in held.all()
        ],
        "grants_given": [
            jsonable_encoder(
                {
                    "kind": grant.kind,
                    "object_id": grant.object_id or MUNICIPALITY,
                    "site_name": name,
                    "granted_at": grant.granted_at,
                }
            )
            for grant, name in given.all()
        ],
    }
