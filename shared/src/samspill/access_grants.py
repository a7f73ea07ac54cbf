"""The read model of grants another service owns, kept from their events.

Booking owns organisation memberships and facilities owns staff grants; a service that
authorizes from grants it does not own keeps this one table, `access_grant`, filled by the
owners' events (`MembershipChanged`, `StaffGrantsChanged`), and builds the caller's `Grants`
from it. Both events carry the whole current state of what they are about, so applying one is
an upsert or a replace and replaying them gives the same table.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import Column, ColumnElement, MetaData, Select, String, Table, and_, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from samspill.auth import Grants, OrganisationRole
from samspill.events.booking import MembershipState
from samspill.events.facilities import StaffGrantsState


class GrantKind(StrEnum):
    ORGANISATION = "organisation"
    SITE = "site"
    CENTRE = "centre"
    EMERGENCY = "emergency"


MUNICIPALITY = "municipality"
"""The object of an emergency grant: the whole municipality."""


def access_grant_table(metadata: MetaData) -> Table:
    """Define `access_grant` on a service's metadata (its Alembic migrations create it)."""
    return Table(
        "access_grant",
        metadata,
        Column("person_id", String(80), primary_key=True),
        Column("kind", String(20), primary_key=True),
        Column("object_id", String(80), primary_key=True),
        Column("role", String(20), nullable=True),
    )


async def apply_membership(session: AsyncSession, table: Table, state: MembershipState) -> None:
    key = and_(
        table.c.person_id == state.person_id,
        table.c.kind == GrantKind.ORGANISATION,
        table.c.object_id == str(state.organisation_id),
    )
    if state.role is None:
        await session.execute(delete(table).where(key))
        return
    row = {
        "person_id": state.person_id,
        "kind": GrantKind.ORGANISATION,
        "object_id": str(state.organisation_id),
        "role": state.role,
    }
    await session.execute(
        insert(table)
        .values(row)
        .on_conflict_do_update(index_elements=["person_id", "kind", "object_id"], set_=row)
    )


async def apply_staff_grants(session: AsyncSession, table: Table, state: StaffGrantsState) -> None:
    """Replace the person's site, centre and emergency grants with the event's."""
    await session.execute(
        delete(table).where(
            table.c.person_id == state.person_id,
            table.c.kind.in_([GrantKind.SITE, GrantKind.CENTRE, GrantKind.EMERGENCY]),
        )
    )
    emergency = [MUNICIPALITY] if state.emergency else []
    rows = [
        {"person_id": state.person_id, "kind": kind, "object_id": str(object_id), "role": None}
        for kind, ids in (
            (GrantKind.SITE, state.site_ids),
            (GrantKind.CENTRE, state.centre_ids),
            (GrantKind.EMERGENCY, emergency),
        )
        for object_id in ids
    ]
    if rows:
        await session.execute(insert(table).values(rows))


def grant_rows(table: Table, person_id: str | ColumnElement[str]) -> Select[str, str, str | None]:
    """The person's rows (kind, object id, role), to read alone or with a service's own."""
    return select(table.c.kind, table.c.object_id, table.c.role).where(
        table.c.person_id == person_id
    )


def grants_from_rows(rows: Iterable[tuple[str, str, str | None]]) -> Grants:
    """`Grants` from rows of (kind, object id, role) as `grant_rows` reads them."""
    rows = list(rows)
    return Grants(
        organisations={
            object_id: OrganisationRole(role)
            for kind, object_id, role in rows
            if kind == GrantKind.ORGANISATION and role is not None
        },
        site_ids=frozenset(object_id for kind, object_id, _ in rows if kind == GrantKind.SITE),
        centre_ids=frozenset(object_id for kind, object_id, _ in rows if kind == GrantKind.CENTRE),
        emergency=any(kind == GrantKind.EMERGENCY for kind, _, _ in rows),
    )


async def read_grants(session: AsyncSession, table: Table, person_id: str) -> Grants:
    """The person's grants as the read model holds them."""
    result = await session.execute(grant_rows(table, person_id))
    rows = [(kind, object_id, role) for kind, object_id, role in result]
    return grants_from_rows(rows)


async def persons_with(
    session: AsyncSession, table: Table, kind: GrantKind, object_id: object
) -> list[str]:
    """Who holds a grant on one object (e.g. a site's managers), for messages and checks."""
    rows = await session.execute(
        select(table.c.person_id).where(table.c.kind == kind, table.c.object_id == str(object_id))
    )
    return sorted(rows.scalars())
