"""The access log: who looked at whose personal data, when, what and why.

Every view of a person's data by staff (a loan's borrower at the equipment desk, an
organisation's member list, a person's export) adds a row with `record_access`, in the
transaction of the request that shows it, so the view and its record stand or fall together.
Each service keeps its own `access_log` table (on its metadata next to the messaging tables,
created by its migrations); `create_app` mounts `GET /access-log` for the municipal admin in
every service that has one, and the housekeeping jobs delete rows older than
`ACCESS_LOG_RETENTION_DAYS`. A row names people by id only: the log itself holds no name,
email or phone number.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from samspill.auth import Principal, Role, require_roles
from samspill.clock import utc_now
from samspill.db import NAMING_CONVENTION, UnitOfWorkDep
from samspill.errors import RuleViolation
from samspill.inputs import check_instant
from samspill.recurrence import OSLO

ACCESS_LOG_TABLE = "access_log"
MAX_WHAT_CHARS = 200
MAX_WHY_CHARS = 500
MAX_PAGE = 200

# Where a service's session factory keeps the service's name (see `access_log_session_info`).
_SERVICE_INFO = "samspill_access_log_service"


def access_log_table(metadata: MetaData) -> Table:
    """Define `access_log` on a service's metadata (its Alembic migration creates it)."""
    return Table(
        ACCESS_LOG_TABLE,
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("viewer_person_id", String(200), nullable=False),
        Column("viewer_roles", ARRAY(String(50)), nullable=False),
        Column("subject_person_id", String(200), nullable=True),
        Column("subject_kind", String(50), nullable=False),
        Column("subject_id", String(200), nullable=False),
        Column("what", String(MAX_WHAT_CHARS), nullable=False),
        Column("why", Text, nullable=False),
        Column("service", String(50), nullable=False),
        Index("ix_access_log_subject_person_id_at", "subject_person_id", "at"),
        Index("ix_access_log_at", "at"),
    )


def access_log_of(metadata: MetaData) -> Table | None:
    """A service's access-log table, when its metadata has one."""
    return metadata.tables.get(ACCESS_LOG_TABLE)


# The table as the kernel writes and reads it, whichever service's session it is given.
_log = access_log_table(MetaData(naming_convention=NAMING_CONVENTION))


def access_log_session_info(service: str) -> dict[str, object]:
    """`info` for a service's session factory: the service name its access-log rows carry."""
    return {_SERVICE_INFO: service}


async def record_access(
    session: AsyncSession,
    principal: Principal,
    *,
    subject_person_id: str | None,
    subject_kind: str,
    subject_id: object,
    what: str,
    why: str,
    at: datetime | None = None,
) -> None:
    """Record that `principal` was shown `subject_kind` `subject_id` (a person's data) and why;
    the row joins the caller's transaction (committed with the use case, or not at all)."""
    await session.execute(
        insert(_log).values(
            id=uuid.uuid4(),
            at=at or utc_now(),
            viewer_person_id=principal.person_id,
            viewer_roles=sorted(str(role) for role in principal.roles),
            subject_person_id=subject_person_id,
            subject_kind=subject_kind,
            subject_id=str(subject_id),
            what=what[:MAX_WHAT_CHARS],
            why=why[:MAX_WHY_CHARS],
            service=str(session.info.get(_SERVICE_INFO, "unknown")),
        )
    )


# --- reading -----------------------------------------------------------------------


@dataclass(frozen=True)
class AccessFilter:
    person_id: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def _bound(value: object, *, end: bool) -> object:
    """A date → the start of that day in Oslo (`end`: of the next day, so the day is in);
    an ISO 8601 instant with its offset as given."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if len(text) == len("2026-01-31"):
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(0), OSLO)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("give a date (2026-01-31) or an instant with its offset") from None
    if instant.tzinfo is None:
        raise ValueError("an instant needs its offset (Z or +01:00)")
    return instant


_PERIOD_HELP = "a date (the whole day in Europe/Oslo) or an instant with its offset (ISO 8601)"
PeriodStart = Annotated[
    datetime,
    BeforeValidator(functools.partial(_bound, end=False)),
    AfterValidator(check_instant),
]
PeriodEnd = Annotated[
    datetime,
    BeforeValidator(functools.partial(_bound, end=True)),
    AfterValidator(check_instant),
]


def access_filter(
    person_id: str | None, since: datetime | None, until: datetime | None
) -> AccessFilter:
    if since is not None and until is not None and until <= since:
        raise RuleViolation("`to` must come after `from`.", "`to` må komme etter `from`.")
    return AccessFilter(person_id=person_id, since=since, until=until)


def _selected(table: Table, found: AccessFilter) -> Select[Any]:
    query = select(table)
    if found.person_id is not None:
        query = query.where(table.c.subject_person_id == found.person_id)
    if found.since is not None:
        query = query.where(table.c.at >= found.since)
    if found.until is not None:
        query = query.where(table.c.at < found.until)
    return query


async def list_accesses(
    session: AsyncSession, found: AccessFilter, limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of matching rows, newest first, and how many match in all."""
    query = _selected(_log, found)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(_log.c.at.desc(), _log.c.id.desc()).limit(limit).offset(offset)
    rows = (await session.execute(ordered)).all()
    return list(rows), int(total or 0)


# --- HTTP ----------------------------------------------------------------------------


class AccessPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    service: str
    viewer_person_id: str
    viewer_roles: list[str]
    subject_person_id: str | None
    subject_kind: str = Field(description='What was shown: "loan", "members", "export", ...')
    subject_id: str
    what: str
    why: str


class AccessPage(BaseModel):
    items: list[AccessPublic]
    total: int
    limit: int
    offset: int


Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def access_log_router() -> APIRouter:
    router = APIRouter(tags=["access log"])

    @router.get("/access-log", response_model=AccessPage)
    async def get_access_log(
        uow: UnitOfWorkDep,
        _: Admin,
        person_id: Annotated[
            str | None,
            Query(min_length=1, max_length=200, description="Only views of this person's data."),
        ] = None,
        since: Annotated[
            PeriodStart | None, Query(alias="from", description=f"From: {_PERIOD_HELP}.")
        ] = None,
        until: Annotated[
            PeriodEnd | None,
            Query(
                alias="to", description=f"To (that day included, that instant not): {_PERIOD_HELP}."
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")] = 0,
    ) -> AccessPage:
        """Who viewed whose personal data in this service, when, what and why; newest first
        (the municipal admin). Rows older than the log's retention period are gone."""
        found = access_filter(person_id, since, until)
        rows, total = await list_accesses(uow.session, found, limit, offset)
        items = [AccessPublic.model_validate(row) for row in rows]
        return AccessPage(items=items, total=total, limit=limit, offset=offset)

    return router


__all__ = [
    "ACCESS_LOG_TABLE",
    "AccessFilter",
    "access_filter",
    "access_log_of",
    "access_log_router",
    "access_log_session_info",
    "access_log_table",
    "list_accesses",
    "record_access",
]
