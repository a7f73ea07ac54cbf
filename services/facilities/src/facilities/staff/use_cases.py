"""Use cases of staff grants: the municipality's administrators make a person manager of a site,
staff of an equipment centre or the municipality's emergency staff, and revoke it; staff's
views of who holds grants are recorded in the access log.

Each change publishes `StaffGrantsChanged` with everything the person holds afterwards, keyed
by the person, so booking and notifications replace their copy with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from facilities.dependencies import integrity_as_conflict, require_admin
from facilities.domain import StaffGrantKind
from facilities.staff.queries import find_grant, grant_target, grants_of_person
from facilities.staff.states import staff_grants_state
from facilities.staff.tables import StaffGrant
from samspill.access_log import record_access
from samspill.auth import Principal
from samspill.db import UnitOfWork
from samspill.errors import NotFound
from samspill.events.facilities import StaffGrantsChanged
from samspill.privacy import is_erased_marker

_LOCK_PREFIX = "facilities.staff_grant:"


@integrity_as_conflict
async def grant_staff(
    uow: UnitOfWork,
    principal: Principal,
    kind: StaffGrantKind,
    object_id: UUID | None,
    person_id: UUID,
    now: datetime,
) -> tuple[StaffGrant, bool]:
    """Admin only; idempotent. The grant, and whether this call created it (a grant already
    held is answered as it is, and announces nothing)."""
    require_admin(principal)
    await grant_target(uow.session, kind, object_id)
    person = str(person_id)
    await _lock_person(uow.session, person)
    held = await find_grant(uow.session, person, kind, object_id)
    if held is not None:
        return held, False
    row = StaffGrant(
        person_id=person,
        kind=kind.value,
        object_id=object_id,
        granted_by=principal.person_id,
        granted_at=now,
    )
    uow.session.add(row)
    await uow.session.flush()
    await _announce(uow, person)
    await uow.commit()
    return row, True


async def revoke_staff(
    uow: UnitOfWork,
    principal: Principal,
    kind: StaffGrantKind,
    object_id: UUID | None,
    person_id: UUID,
) -> None:
    """Admin only. 404 when the person does not hold this grant."""
    require_admin(principal)
    await grant_target(uow.session, kind, object_id)
    person = str(person_id)
    await _lock_person(uow.session, person)
    held = await find_grant(uow.session, person, kind, object_id)
    if held is None:
        raise _not_held(kind, object_id, person)
    await uow.session.delete(held)
    await uow.session.flush()
    await _announce(uow, person)
    await uow.commit()


async def revoke_all_of(uow: UnitOfWork, person_id: str) -> int:
    """Every grant of the person goes (their erasure), announced as a revocation is; returns how
    many went. Nothing held: nothing announced. It does not commit: the caller's unit of work
    (the consumer's) does."""
    await _lock_person(uow.session, person_id)
    held = await grants_of_person(uow.session, person_id)
    for grant in held:
        await uow.session.delete(grant)
    if held:
        await uow.session.flush()
        await _announce(uow, person_id)
    return len(held)


@dataclass(frozen=True)
class GrantsView:
    """A list of grants shown to staff: which list (`subject_kind`, `subject_id`: a site, a
    centre, or a person the list was narrowed to) and why it was looked at."""

    subject_kind: str
    subject_id: str
    what: str
    why: str


async def record_grant_views(
    uow: UnitOfWork,
    principal: Principal,
    grants: Sequence[StaffGrant],
    view: GrantsView,
    now: datetime,
) -> None:
    """Record staff's view of other people's grants (the access log): one row per person the
    page names, as the grant's holder or as the administrator who granted it. The viewer's own
    grants, integrations (`client:`) and erased people (markers) are not anyone's data here."""
    for person, role in people_shown(grants, principal.person_id).items():
        await record_access(
            uow.session,
            principal,
            subject_person_id=person,
            subject_kind=view.subject_kind,
            subject_id=view.subject_id,
            what=f"{view.what}: {role}",
            why=view.why,
            at=now,
        )
    await uow.commit()


def people_shown(grants: Sequence[StaffGrant], viewer: str) -> dict[str, str]:
    """The people a list of grants names (other than the viewer), and as what."""
    roles: dict[str, list[str]] = {}
    for grant in grants:
        for person, role in ((grant.person_id, "holder"), (grant.granted_by, "granted by")):
            if person == viewer or person.startswith("client:") or is_erased_marker(person):
                continue
            if role not in roles.setdefault(person, []):
                roles[person].append(role)
    return {person: ", ".join(found) for person, found in roles.items()}


async def _lock_person(session: AsyncSession, person_id: str) -> None:
    """Serialise changes of one person's grants until commit, so each event holds the state
    its change left and they reach the outbox in that order. A lock on the person's rows would
    not do: a person's first two grants have no row to lock."""
    key = func.hashtextextended(_LOCK_PREFIX + person_id, 0)
    await session.execute(select(func.pg_advisory_xact_lock(key)))


async def _announce(uow: UnitOfWork, person_id: str) -> None:
    state = staff_grants_state(person_id, await grants_of_person(uow.session, person_id))
    await uow.publish(StaffGrantsChanged(grants=state), key=person_id)


def _not_held(kind: StaffGrantKind, object_id: UUID | None, person_id: str) -> NotFound:
    if kind is StaffGrantKind.EMERGENCY:
        return NotFound(
            f"The person {person_id} is not the municipality's emergency staff.",
            f"Personen {person_id} er ikke kommunens beredskapspersonell.",
        )
    if kind is StaffGrantKind.CENTRE:
        return NotFound(
            f"The person {person_id} is not staff of the equipment centre {object_id}.",
            f"Personen {person_id} jobber ikke ved utstyrssentralen {object_id}.",
        )
    return NotFound(
        f"The person {person_id} does not manage the site {object_id}.",
        f"Personen {person_id} forvalter ikke stedet {object_id}.",
    )
