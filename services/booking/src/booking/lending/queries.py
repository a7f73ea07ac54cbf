"""Queries of equipment lending. Reads and row locks only: nothing here writes or commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    String,
    Table,
    Uuid,
    all_,
    and_,
    any_,
    bindparam,
    cast,
    column,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, Range
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import ItemTypeRecord, SiteRecord, UnitRecord
from booking.domain import MAX_LOAN_DAYS, ItemTypeView, LoanStatus, loan_period
from booking.lending.states import HeldLine, HeldUnit, LoanDetails
from booking.lending.tables import Loan, LoanUnit
from booking.people.tables import Profile
from samspill.auth import Principal
from samspill.errors import NotFound, RuleViolation
from samspill.ids import valid_uuids
from samspill.intervals import Interval

DEFAULT_RESERVATION_DAYS = 14
HOLDING_STATUSES = (LoanStatus.RESERVED, LoanStatus.PICKED_UP, LoanStatus.OVERDUE)


def as_interval(period: Range[datetime]) -> Interval:
    if period.lower is None or period.upper is None:
        raise ValueError("a loan period is always bounded")
    return Interval(period.lower, period.upper)


# The reservation's statements are built once, with bound parameters, over the tables
# themselves: a request then only binds values, instead of building and keying a statement.
_LOAN: Table = Loan.metadata.tables["loan"]
_LOAN_UNIT: Table = Loan.metadata.tables["loan_unit"]
_UNIT: Table = UnitRecord.metadata.tables["lending_unit"]
_ITEM_TYPE: Table = ItemTypeRecord.metadata.tables["lending_item_type"]
_SITE: Table = SiteRecord.metadata.tables["read_site"]
_HOLDING = [status.value for status in HOLDING_STATUSES]
_INSTANT = DateTime(timezone=True)
_UUIDS = ARRAY(Uuid())


def _period_range(period: Interval | None = None) -> ColumnElement[Any]:
    """The loan period as a range: the values given, or bound at execution (`lower`, `upper`)."""
    if period is not None:
        return func.tstzrange(period.start, period.end, "[)")
    return func.tstzrange(
        bindparam("lower", type_=_INSTANT), bindparam("upper", type_=_INSTANT), "[)"
    )


def _busy(period: ColumnElement[Any], except_loan: uuid.UUID | None = None) -> ColumnElement[bool]:
    """The correlated unit is held in `period`, or is still out on an overdue loan."""
    held = (
        select(_LOAN_UNIT.c.id)
        .join(_LOAN, _LOAN.c.loan_id == _LOAN_UNIT.c.loan_id)
        .where(
            _LOAN_UNIT.c.unit_id == _UNIT.c.unit_id,
            _LOAN_UNIT.c.active.is_(True),
            or_(
                _LOAN_UNIT.c.period.op("&&")(period),
                _LOAN.c.status == LoanStatus.OVERDUE.value,
            ),
        )
    )
    if except_loan is not None:
        held = held.where(_LOAN_UNIT.c.loan_id != except_loan)
    return exists(held)


def _free_units(*, skip_locked: bool) -> Any:
    return (
        select(_UNIT.c.unit_id)
        .where(
            _UNIT.c.item_type_id == bindparam("item_type_id", type_=Uuid()),
            _UNIT.c.condition == "ok",
            _UNIT.c.unit_id != all_(bindparam("exclude", type_=_UUIDS)),
            ~_busy(_period_range()),
        )
        .order_by(_UNIT.c.label, _UNIT.c.unit_id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=skip_locked)
    )


_FREE_UNITS = {skip: _free_units(skip_locked=skip) for skip in (True, False)}


async def lock_free_units(
    session: AsyncSession,
    item_type_id: uuid.UUID,
    period: Interval,
    limit: int,
    *,
    skip_locked: bool,
    exclude: Collection[uuid.UUID] = (),
) -> list[uuid.UUID]:
    """Up to `limit` units in condition ok and free over `period`, locked for this transaction.

    With `skip_locked`, units another reservation is taking right now are passed over; without
    it, this waits for those reservations to finish.
    """
    found = await session.execute(
        _FREE_UNITS[skip_locked],
        {
            "item_type_id": item_type_id,
            "exclude": list(exclude),
            "lower": period.start,
            "upper": period.end,
            "limit": limit,
        },
    )
    return list(found.scalars().all())


@dataclass(frozen=True)
class TakenUnit:
    unit_id: uuid.UUID
    item_type_id: uuid.UUID
    label: str


@dataclass(frozen=True)
class TakenUnits:
    """Units locked for a reservation, in the order a loan lists them, and the resident's
    holdings read in the same statement (after the resident's lock)."""

    units: list[TakenUnit]
    active_loans: int
    active_units: int


def _take_free_units() -> Any:
    wanted = (
        func.unnest(
            bindparam("item_type_ids", type_=_UUIDS),
            bindparam("quantities", type_=ARRAY(Integer())),
        )
        .table_valued(column("item_type_id", Uuid()), column("quantity", Integer()))
        .render_derived(name="wanted")
    )
    free = (
        select(_UNIT.c.unit_id, _UNIT.c.label)
        .where(
            _UNIT.c.item_type_id == wanted.c.item_type_id,
            _UNIT.c.condition == "ok",
            ~_busy(_period_range()),
        )
        .order_by(_UNIT.c.label, _UNIT.c.unit_id)
        .limit(wanted.c.quantity)
        .with_for_update(skip_locked=True)
        .lateral("free")
    )
    loans, units = _holdings_counts()
    # An outer join, so the holdings come back even when no unit does.
    return (
        select(
            free.c.unit_id,
            wanted.c.item_type_id,
            free.c.label,
            loans.label("loans"),
            units.label("units"),
        )
        .select_from(
            wanted.outerjoin(free, true()).join(
                _ITEM_TYPE, _ITEM_TYPE.c.item_type_id == wanted.c.item_type_id
            )
        )
        .order_by(_ITEM_TYPE.c.name, free.c.label, free.c.unit_id)
    )


async def take_free_units(
    session: AsyncSession, wanted: Mapping[uuid.UUID, int], period: Interval, resident_id: str
) -> TakenUnits:
    """Up to the quantity wanted of each item type, units in condition ok and free over
    `period`, locked for this transaction; units another reservation is taking right now are
    passed over."""
    rows = (
        await session.execute(
            _TAKE_FREE_UNITS,
            {
                "item_type_ids": list(wanted),
                "quantities": list(wanted.values()),
                "lower": period.start,
                "upper": period.end,
                "resident_id": resident_id,
            },
        )
    ).all()
    return TakenUnits(
        units=[
            TakenUnit(row.unit_id, row.item_type_id, row.label)
            for row in rows
            if row.unit_id is not None
        ],
        active_loans=int(rows[0].loans) if rows else 0,
        active_units=int(rows[0].units) if rows else 0,
    )


@dataclass(frozen=True)
class ReservationView:
    """What a reservation is checked against, read in one statement that takes no lock but
    the resident's: the item types asked for, their centre's name and reservation window
    (None: facilities has not set one), the resident's holdings and the units of each type
    free over the period."""

    item_types: dict[uuid.UUID, ItemTypeView]
    centre_names: dict[uuid.UUID, str]
    reservation_days: dict[uuid.UUID, int | None]
    active_loans: int
    active_units: int
    free: dict[uuid.UUID, int]


def _holdings_counts() -> tuple[Any, Any]:
    resident = bindparam("resident_id", type_=String())
    loans = (
        select(func.count())
        .select_from(_LOAN)
        .where(_LOAN.c.resident_id == resident, _LOAN.c.status.in_(_HOLDING))
        .scalar_subquery()
    )
    units = (
        select(func.count())
        .select_from(_LOAN_UNIT.join(_LOAN, _LOAN.c.loan_id == _LOAN_UNIT.c.loan_id))
        .where(_LOAN.c.resident_id == resident, _LOAN.c.status.in_(_HOLDING))
        .scalar_subquery()
    )
    return loans, units


def _reservation_view() -> Any:
    free = (
        select(func.count())
        .select_from(_UNIT)
        .where(
            _UNIT.c.item_type_id == _ITEM_TYPE.c.item_type_id,
            _UNIT.c.condition == "ok",
            ~_busy(_period_range()),
        )
        .scalar_subquery()
    )
    loans, units = _holdings_counts()
    return (
        select(
            _LOCK_RESIDENT.scalar_subquery().label("resident_locked"),
            _ITEM_TYPE.c.item_type_id,
            _ITEM_TYPE.c.centre_id,
            _ITEM_TYPE.c.max_loan_days,
            _ITEM_TYPE.c.retired,
            _ITEM_TYPE.c.name,
            _SITE.c.state["name"].astext.label("centre_name"),
            _SITE.c.state["lending_reservation_days"].label("reservation_days"),
            free.label("free"),
            loans.label("loans"),
            units.label("units"),
        )
        .select_from(_ITEM_TYPE.outerjoin(_SITE, _SITE.c.site_id == _ITEM_TYPE.c.centre_id))
        .where(_ITEM_TYPE.c.item_type_id == any_(bindparam("item_type_ids", type_=_UUIDS)))
    )


# Serialises one resident's reservations, so concurrent ones cannot pass the limits: held
# from the reservation's first statement to its end, and the holdings read by a later
# statement are those of the resident's reservations before it.
_LOCK_RESIDENT = select(
    func.pg_advisory_xact_lock(func.hashtext(bindparam("resident_id", type_=String())))
)
_RESERVATION_VIEW = _reservation_view()
_TAKE_FREE_UNITS = _take_free_units()


async def reservation_view(
    session: AsyncSession,
    item_type_ids: Collection[uuid.UUID],
    resident_id: str,
    period: Interval | None,
) -> ReservationView:
    """Also takes the resident's lock; the holdings read here may be from before waiting for
    it, so they serve refusals, and the units taken later come with holdings read after it.
    Without a period (the dates make none) every unit in condition ok counts as free."""
    rows = (
        await session.execute(
            _RESERVATION_VIEW,
            {
                "item_type_ids": list(item_type_ids),
                "resident_id": resident_id,
                "lower": period.start if period else None,
                "upper": period.end if period else None,
            },
        )
    ).all()
    return ReservationView(
        item_types={
            row.item_type_id: ItemTypeView(
                centre_id=str(row.centre_id),
                max_loan_days=row.max_loan_days,
                retired=row.retired,
                name=row.name,
            )
            for row in rows
        },
        centre_names={row.centre_id: row.centre_name or "" for row in rows},
        reservation_days={
            row.centre_id: None if row.reservation_days is None else int(row.reservation_days)
            for row in rows
        },
        active_loans=int(rows[0].loans) if rows else 0,
        active_units=int(rows[0].units) if rows else 0,
        free={row.item_type_id: int(row.free) for row in rows},
    )


async def unit_is_free(
    session: AsyncSession, unit: UnitRecord, period: Interval, except_loan: uuid.UUID
) -> bool:
    query = select(~_busy(_period_range(period), except_loan)).where(
        _UNIT.c.unit_id == unit.unit_id
    )
    return bool((await session.execute(query)).scalar_one())


async def count_free_units(
    session: AsyncSession, item_type_ids: Collection[uuid.UUID], period: Interval
) -> dict[uuid.UUID, tuple[int, int]]:
    """(units in condition ok, of them free over `period`) per item type."""
    busy = _busy(_period_range(period))
    query = (
        select(_UNIT.c.item_type_id, func.count(), func.count().filter(~busy))
        .where(_UNIT.c.item_type_id.in_(item_type_ids), _UNIT.c.condition == "ok")
        .group_by(_UNIT.c.item_type_id)
    )
    rows = (await session.execute(query)).all()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


async def item_types_of_centre(
    session: AsyncSession, centre_id: uuid.UUID, item_type_id: uuid.UUID | None = None
) -> list[ItemTypeRecord]:
    query = select(ItemTypeRecord).where(
        col(ItemTypeRecord.centre_id) == centre_id, col(ItemTypeRecord.retired).is_(False)
    )
    if item_type_id is not None:
        query = query.where(col(ItemTypeRecord.item_type_id) == item_type_id)
    query = query.order_by(col(ItemTypeRecord.category), col(ItemTypeRecord.name))
    return list((await session.execute(query)).scalars().all())


async def loan_for_update(session: AsyncSession, loan_id: uuid.UUID) -> Loan | None:
    query = (
        select(Loan)
        .where(col(Loan.loan_id) == loan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalars().first()


async def loan_units(session: AsyncSession, loan_id: uuid.UUID) -> list[LoanUnit]:
    query = select(LoanUnit).where(col(LoanUnit.loan_id) == loan_id).with_for_update()
    return list((await session.execute(query)).scalars().all())


@dataclass(frozen=True)
class LoanFilter:
    """Narrows a loan list: a status, a centre, pickup and return dates (inclusive) and a
    search for the borrower's name or the loan number (the loan id or its beginning)."""

    status: str | None = None
    centre_id: uuid.UUID | None = None
    pickup_from: date | None = None
    pickup_to: date | None = None
    return_from: date | None = None
    return_to: date | None = None
    search: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.status is not None:
            found.append(col(Loan.status) == self.status)
        if self.centre_id is not None:
            found.append(col(Loan.centre_id) == self.centre_id)
        if self.pickup_from is not None:
            found.append(col(Loan.pickup_date) >= self.pickup_from)
        if self.pickup_to is not None:
            found.append(col(Loan.pickup_date) <= self.pickup_to)
        if self.return_from is not None:
            found.append(col(Loan.return_date) >= self.return_from)
        if self.return_to is not None:
            found.append(col(Loan.return_date) <= self.return_to)
        if self.search:
            found.append(_matches(self.search))
        return found


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(search: str) -> ColumnElement[bool]:
    """The loan number begins with `search`, or the borrower's name (on the loan's contact or
    the person's profile) contains it, ignoring case."""
    words = _escaped(search.strip())
    number = cast(col(Loan.loan_id), String).ilike(f"{words}%", escape="\\")
    on_contact = col(Loan.contact)["name"].astext.ilike(f"%{words}%", escape="\\")
    on_profile = exists(
        select(col(Profile.person_id)).where(
            col(Profile.person_id) == col(Loan.resident_id),
            col(Profile.display_name).ilike(f"%{words}%", escape="\\"),
        )
    )
    return or_(number, on_contact, on_profile)


async def find_loans(
    session: AsyncSession,
    *,
    resident_id: str | None,
    centre_ids: Collection[uuid.UUID] | None,
    narrowed: LoanFilter,
    limit: int,
    offset: int,
) -> list[Loan]:
    """Loans visible through either scope (None = no restriction; both None = all)."""
    query = select(Loan)
    scopes: list[ColumnElement[bool]] = []
    if resident_id is not None:
        scopes.append(col(Loan.resident_id) == resident_id)
    if centre_ids is not None:
        scopes.append(col(Loan.centre_id).in_(centre_ids))
    if scopes:
        query = query.where(or_(*scopes))
    conditions = narrowed.conditions()
    if conditions:
        query = query.where(and_(*conditions))
    query = query.order_by(col(Loan.pickup_date).desc(), col(Loan.created_at).desc())
    return list((await session.execute(query.limit(limit).offset(offset))).scalars().all())


async def load_details(session: AsyncSession, loans: Sequence[Loan]) -> list[LoanDetails]:
    """Details of many loans in three queries, in the order given."""
    if not loans:
        return []
    ids = [loan.loan_id for loan in loans]
    rows = (
        await session.execute(
            select(LoanUnit, col(UnitRecord.label), col(ItemTypeRecord.name))
            .join(UnitRecord, col(UnitRecord.unit_id) == col(LoanUnit.unit_id))
            .join(ItemTypeRecord, col(ItemTypeRecord.item_type_id) == col(LoanUnit.item_type_id))
            .where(col(LoanUnit.loan_id).in_(ids))
            .order_by(col(ItemTypeRecord.name), col(UnitRecord.label))
            .execution_options(populate_existing=True)
        )
    ).all()
    grouped: dict[uuid.UUID, dict[uuid.UUID, HeldLine]] = defaultdict(dict)
    for held, label, type_name in rows:
        lines = grouped[held.loan_id]
        line = lines.setdefault(held.item_type_id, HeldLine(held.item_type_id, type_name, []))
        line.units.append(HeldUnit(held.unit_id, label, held.returned_condition))
    sites = await _site_names(session, {loan.centre_id for loan in loans})
    return [
        LoanDetails(loan, sites.get(loan.centre_id, ""), list(grouped[loan.loan_id].values()))
        for loan in loans
    ]


async def _site_names(
    session: AsyncSession, site_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    query = select(SiteRecord).where(col(SiteRecord.site_id).in_(site_ids))
    return {
        site.site_id: str(site.state.get("name", ""))
        for site in (await session.execute(query)).scalars()
    }


async def reserved_loans_holding(
    session: AsyncSession, unit_id: uuid.UUID
) -> list[tuple[Loan, LoanUnit]]:
    """Reserved (not yet collected) loans holding a unit, locked, earliest pickup first."""
    query = (
        select(Loan, LoanUnit)
        .join(LoanUnit, col(LoanUnit.loan_id) == col(Loan.loan_id))
        .where(
            col(LoanUnit.unit_id) == unit_id,
            col(LoanUnit.active).is_(True),
            col(Loan.status) == LoanStatus.RESERVED.value,
        )
        .order_by(col(Loan.pickup_date), col(Loan.loan_id))
        .with_for_update()
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def claim_due_loans(session: AsyncSession, today: date, limit: int) -> list[Loan]:
    """Loans the job may have to move on (the domain decides exactly which), locked; loans
    another replica holds are passed over."""
    due = or_(
        and_(col(Loan.status) == LoanStatus.RESERVED.value, col(Loan.pickup_date) < today),
        and_(col(Loan.status) == LoanStatus.PICKED_UP.value, col(Loan.return_date) < today),
    )
    query = (
        select(Loan)
        .where(due)
        .order_by(col(Loan.loan_id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars().all())


# --- availability and reading -------------------------------------------------------------


async def availability(
    session: AsyncSession,
    centre_id: uuid.UUID,
    pickup: date,
    return_date: date,
    item_type_id: uuid.UUID | None = None,
) -> list[ItemTypeStock]:
    if return_date < pickup:
        raise RuleViolation(
            "The return date must not be before the pickup date.",
            "Innleveringsdatoen kan ikke være før hentedatoen.",
        )
    if (return_date - pickup).days > MAX_LOAN_DAYS:
        raise RuleViolation(
            f"A loan lasts at most {MAX_LOAN_DAYS} days.",
            f"Et lån varer høyst {MAX_LOAN_DAYS} dager.",
        )
    period = loan_period(pickup, return_date)
    item_types = await item_types_of_centre(session, centre_id, item_type_id)
    counts = await count_free_units(session, [t.item_type_id for t in item_types], period)
    return [ItemTypeStock(t, *counts.get(t.item_type_id, (0, 0))) for t in item_types]


@dataclass(frozen=True)
class ItemTypeStock:
    """An item type with its units in condition ok and how many of them are free."""

    item_type: ItemTypeRecord
    units_in_stock: int
    units_free: int


def can_see(principal: Principal, loan: Loan) -> bool:
    return principal.person_id == loan.resident_id or staffs(principal, loan)


def staffs(principal: Principal, loan: Loan) -> bool:
    """Staff of the loan's centre (a grant from facilities) or an admin."""
    return principal.staffs_centre(loan.centre_id)


def loan_not_found(loan_id: uuid.UUID) -> NotFound:
    return NotFound(f"No loan {loan_id}.", f"Fant ikke lånet {loan_id}.")


async def list_loans(
    session: AsyncSession,
    principal: Principal,
    narrowed: LoanFilter,
    limit: int,
    offset: int,
) -> list[LoanDetails]:
    """Own loans for a resident, the centres' loans for staff, everything for an admin."""
    centre_ids: list[uuid.UUID] | None = None
    if principal.centre_ids:
        centre_ids = valid_uuids(principal.centre_ids)
    loans = await find_loans(
        session,
        resident_id=None if principal.is_admin else principal.person_id,
        centre_ids=None if principal.is_admin else centre_ids,
        narrowed=narrowed,
        limit=limit,
        offset=offset,
    )
    return await load_details(session, loans)


async def get_loan(session: AsyncSession, principal: Principal, loan_id: uuid.UUID) -> LoanDetails:
    loan = await session.get(Loan, loan_id)
    if loan is None or not can_see(principal, loan):
        raise loan_not_found(loan_id)
    (details,) = await load_details(session, [loan])
    return details
