"""What every use case shares: who may change what, loading rows, the one commit point."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from facilities.domain import conflict_sets
from facilities.models import Site, Space, Table
from samspill.auth import Principal, Role
from samspill.errors import Forbidden
from samspill.recurrence import local_date
from samspill.rules import ConflictError, NotFoundError, RuleViolation

P = ParamSpec("P")
R = TypeVar("R")
RowT = TypeVar("RowT", bound=Table)

_UNIQUE_VIOLATION = "23505"
_EXCLUSION_VIOLATION = "23P01"


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_oslo(now: datetime) -> date:
    return local_date(now)


# Who may change what


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden(
            "Only the municipality's administrators may do this.",
            "Bare kommunens administratorer kan gjøre dette.",
        )


def require_site_manager(principal: Principal, site_id: UUID) -> None:
    """An admin, or a facility manager whose token names this site."""
    if principal.is_admin:
        return
    if Role.FACILITY_MANAGER in principal.roles and principal.manages_site(site_id):
        return
    raise Forbidden(
        "You do not manage this site.",
        "Du forvalter ikke dette stedet.",
    )


def require_centre_staff(principal: Principal, centre_id: UUID) -> None:
    """An admin, or centre staff whose token names this equipment centre."""
    if principal.is_admin:
        return
    if Role.CENTRE_STAFF in principal.roles and principal.staffs_centre(centre_id):
        return
    raise Forbidden(
        "You do not work at this equipment centre.",
        "Du jobber ikke ved denne utstyrssentralen.",
    )


# Loading rows


async def get_row(
    session: AsyncSession,
    table: type[RowT],
    row_id: UUID,
    what: tuple[str, str],
    *,
    lock: bool = False,
) -> RowT:
    """The row with this id, or 404 naming `what` (English, bokmål)."""
    row = await session.get(table, row_id, with_for_update=lock)
    if row is None:
        raise NotFoundError(
            f"No {what[0]} with id {row_id}.", f"Fant ingen {what[1]} med id {row_id}."
        )
    return row


async def get_site(session: AsyncSession, site_id: UUID, *, lock: bool = False) -> Site:
    return await get_row(session, Site, site_id, ("site", "sted"), lock=lock)


async def get_space(session: AsyncSession, space_id: UUID, *, lock: bool = False) -> Space:
    return await get_row(session, Space, space_id, ("space", "lokale"), lock=lock)


async def referenced_space(session: AsyncSession, space_id: UUID) -> Space:
    """A space named in a request body: unknown is a 422, not a missing resource."""
    space = await session.get(Space, space_id)
    if space is None:
        raise RuleViolation(f"Unknown space {space_id}.", f"Ukjent lokale {space_id}.")
    return space


async def referenced_site(session: AsyncSession, site_id: UUID) -> Site:
    site = await session.get(Site, site_id)
    if site is None:
        raise RuleViolation(f"Unknown site {site_id}.", f"Ukjent sted {site_id}.")
    return site


async def page_of(
    session: AsyncSession, query: Select[Any], limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of `query`'s rows (the first selected entity) and the total count."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.limit(limit).offset(offset))).scalars().all()
    return list(rows), int(total or 0)


# Divisible spaces


async def site_spaces(session: AsyncSession, site_id: UUID) -> list[Space]:
    query = select(Space).where(col(Space.site_id) == site_id).order_by(col(Space.name))
    return list((await session.execute(query)).scalars().all())


def conflicts_by_space(spaces: list[Space]) -> dict[UUID, frozenset[UUID]]:
    """For each space of a site: the other spaces that cannot be used at the same time."""
    parents = {str(s.id): (str(s.parent_id) if s.parent_id else None) for s in spaces}
    return {
        UUID(space): frozenset(UUID(other) for other in others if other != space)
        for space, others in conflict_sets(parents).items()
    }


# The one commit point


def integrity_as_conflict(use_case: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn a constraint the database enforces into a 409 (uniqueness) or 422 (the rest).

    The application checks these first; the database still has the last word when two
    requests race, and such a loser must get a clear answer, never a 500.
    """

    @functools.wraps(use_case)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await use_case(*args, **kwargs)
        except IntegrityError as exc:
            code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
            if code in (_UNIQUE_VIOLATION, _EXCLUSION_VIOLATION):
                raise ConflictError(
                    "This clashes with something already stored (for example the same name).",
                    "Dette kolliderer med noe som allerede er lagret (for eksempel samme navn).",
                ) from None
            raise RuleViolation(
                "The change breaks a rule of the stored data.",
                "Endringen bryter en regel for de lagrede dataene.",
            ) from None

    return wrapper
