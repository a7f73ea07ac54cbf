"""What the features share: paging, the clock, who may change what, loading rows, and turning
the database's last word on a constraint into a clear answer."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, ParamSpec, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from facilities.tables import Table
from samspill.auth import Principal
from samspill.clock import NowDep
from samspill.errors import Conflict, Forbidden, NotFound, RuleViolation

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
RowT = TypeVar("RowT", bound=Table)

_UNIQUE_VIOLATION = "23505"
_EXCLUSION_VIOLATION = "23P01"

# Paging

MAX_PAGE = 200

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")]


class Input(BaseModel):
    """Base of the request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


async def page_of(
    session: AsyncSession, query: Select[Any], limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of `query`'s rows (the first selected entity) and the total count."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.limit(limit).offset(offset))).scalars().all()
    return list(rows), int(total or 0)


# The clock: the kernel's, under the name the routes use

Now = NowDep


# Who may change what


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden(
            "Only the municipality's administrators may do this.",
            "Bare kommunens administratorer kan gjøre dette.",
        )


def require_site_manager(principal: Principal, site_id: UUID) -> None:
    """An admin, or a person an admin made manager of this site (a grant read per request)."""
    if principal.manages_site(site_id):
        return
    raise Forbidden(
        "You do not manage this site.",
        "Du forvalter ikke dette stedet.",
    )


def require_centre_staff(principal: Principal, centre_id: UUID) -> None:
    """An admin, or a person an admin made staff of this equipment centre."""
    if principal.staffs_centre(centre_id):
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
        raise NotFound(f"No {what[0]} with id {row_id}.", f"Fant ingen {what[1]} med id {row_id}.")
    return row


# The database's last word


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
                raise Conflict(
                    "This clashes with something already stored (for example the same name).",
                    "Dette kolliderer med noe som allerede er lagret (for eksempel samme navn).",
                ) from None
            raise RuleViolation(
                "The change breaks a rule of the stored data.",
                "Endringen bryter en regel for de lagrede dataene.",
            ) from None

    return wrapper
