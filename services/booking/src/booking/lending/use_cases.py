"""Use cases of equipment lending: reserve, pick up, return, cancel, and move due loans on.

Each use case ends with the unit of work's one commit. The status changes they share with the
stock handler (`cancel`, `relocate_reserved_loans`) change rows and record the loan event
through the unit of work they are given (a use case's, or the consumer's) and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import structlog
from sqlalchemy import (
    DateTime,
    Table,
    Uuid,
    bindparam,
    column,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.tables import UnitRecord
from booking.config import BookingSettings
from booking.domain import (
    LoanStatus,
    LoanView,
    allocate_units,
    check_loan_request,
    check_resident_limits,
    check_stock,
    detect_due,
    loan_period,
    quantities_by_type,
    transition_loan,
)
from booking.lending import queries
from booking.lending.queries import can_see, loan_not_found, staffs
from booking.lending.schemas import LoanCreate, LoanPickup, LoanReturn, UnitSwap
from booking.lending.states import HeldLine, HeldUnit, LoanDetails
from booking.lending.tables import Loan, LoanUnit
from booking.people import queries as people
from samspill.auth import Principal, Role
from samspill.db import UnitOfWork
from samspill.errors import Conflict, Forbidden, RuleViolation
from samspill.events import booking as events
from samspill.events.base import EventData
from samspill.events.facilities import RequisitionState
from samspill.intervals import Interval
from samspill.recurrence import local_date

log = structlog.get_logger("booking.lending")

# A reservation that loses a race for a unit tries again on a fresh view of the stock.
RESERVE_ATTEMPTS = 4
_RETRYABLE_STATES = frozenset({"23P01", "40P01", "40001"})  # exclusion, deadlock, serialization


class _UnitsBeingTaken(Exception):
    """Units free in the stock are locked by reservations still running: the attempt lets go
    of what it holds and the next one waits for them."""


def _is_race(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_STATES


def _lent_twice() -> Conflict:
    return Conflict(
        "A unit was lent out to someone else at the same moment; no units were reserved. "
        "Please try again.",
        "En enhet ble lånt ut til noen andre i samme øyeblikk; ingenting ble reservert. "
        "Prøv igjen.",
    )


# --- reservation ----------------------------------------------------------------------------


async def reserve(
    uow: UnitOfWork,
    resident_id: str,
    request: LoanCreate,
    settings: BookingSettings,
    now: datetime,
) -> LoanDetails:
    """Reserve every line or nothing; units are assigned now, and the database refuses a unit
    lent twice, so losing a race means trying again on the stock as it is then."""
    wait = False
    for attempt in range(1, RESERVE_ATTEMPTS + 1):
        try:
            details = await _reserve_once(
                uow.session, resident_id, request, settings, now, wait_for_units=wait
            )
            await uow.publish(
                events.LoanReserved(loan=details.state()),
                key=str(details.loan.centre_id),
            )
            await uow.commit()
        except _UnitsBeingTaken:
            await uow.rollback()
            wait = True
            log.info("loan.reservation_waits", attempt=attempt)
            continue
        except DBAPIError as exc:
            await uow.rollback()
            if not _is_race(exc):
                raise
            log.info("loan.reservation_race", attempt=attempt, sqlstate=exc.orig.sqlstate)  # type: ignore[union-attr]
            continue
        log.info("loan.reserved", loan_id=str(details.loan.loan_id), attempt=attempt)
        return details
    raise _lent_twice()


async def _reserve_once(
    session: AsyncSession,
    resident_id: str,
    request: LoanCreate,
    settings: BookingSettings,
    now: datetime,
    *,
    wait_for_units: bool,
) -> LoanDetails:
    lines = [(line.item_type_id, line.quantity) for line in request.lines]
    wanted = quantities_by_type(lines)
    # Every refusal is decided on one view of committed data, before any unit is locked: a
    # request refused then would be refused after the concurrent reservations as well.
    seen, centre_id, period = await _checked_view(session, resident_id, request, settings, now)
    if wait_for_units:
        await _wait_for_units(session, wanted, period)
        # The stock as the reservations waited for left it: most often the refusal.
        seen, centre_id, period = await _checked_view(session, resident_id, request, settings, now)
    contact = await people.resident_contact(
        session, resident_id, request.contact, sms_available=settings.sms_available
    )
    taken = await _take_units(session, wanted, period, resident_id, settings)
    allocation = allocate_units(lines, _by_type(taken), seen.item_types)
    loan = Loan(
        resident_id=resident_id,
        centre_id=centre_id,
        pickup_date=request.pickup_date,
        return_date=request.return_date,
        status=LoanStatus.RESERVED.value,
        contact=contact,
        created_at=now,
        updated_at=now,
    )
    await _insert(session, loan, allocation, period)
    # What the loan shows is known by now: the units came in the order a loan lists them.
    return LoanDetails(loan, seen.centre_names.get(centre_id, ""), _lines(taken, seen))


async def _checked_view(
    session: AsyncSession,
    resident_id: str,
    request: LoanCreate,
    settings: BookingSettings,
    now: datetime,
) -> tuple[queries.ReservationView, uuid.UUID, Interval]:
    """The reservation view with every check made on it: the request's rules, the resident's
    limits and the free stock; the centre and the loan period."""
    lines = [(line.item_type_id, line.quantity) for line in request.lines]
    wanted = quantities_by_type(lines)
    period = _period_if_any(request)
    seen = await queries.reservation_view(session, wanted, resident_id, period)
    centre_id = uuid.UUID(
        check_loan_request(
            lines,
            seen.item_types,
            request.pickup_date,
            request.return_date,
            local_date(now),
            _reservation_days(seen),
        )
    )
    if period is None:
        period = loan_period(request.pickup_date, request.return_date)  # refuses as it did
    _check_limits(seen.active_loans, seen.active_units, wanted, settings)
    check_stock(wanted, seen.free, seen.item_types)
    return seen, centre_id, period


def _period_if_any(request: LoanCreate) -> Interval | None:
    """The loan period, or None when the dates make none (the request checks say why)."""
    if request.return_date < request.pickup_date:
        return None
    try:
        return loan_period(request.pickup_date, request.return_date)
    except RuleViolation:
        return None


def _reservation_days(seen: queries.ReservationView) -> int:
    if len(seen.reservation_days) != 1:
        return queries.DEFAULT_RESERVATION_DAYS  # the request check refuses it anyway
    (days,) = seen.reservation_days.values()
    return queries.DEFAULT_RESERVATION_DAYS if days is None else days


def _check_limits(
    active_loans: int, active_units: int, wanted: Mapping[uuid.UUID, int], settings: BookingSettings
) -> None:
    check_resident_limits(
        active_loans,
        active_units,
        sum(wanted.values()),
        settings.lending_max_active_loans,
        settings.lending_max_active_units,
    )


async def _wait_for_units(
    session: AsyncSession, wanted: Mapping[uuid.UUID, int], period: Interval
) -> None:
    """Wait (the attempt holds no unit yet) for the reservations taking free units, in the one
    order every waiting reservation locks them; units they took are busy afterwards."""
    for item_type_id in sorted(wanted):
        await queries.lock_free_units(
            session, item_type_id, period, wanted[item_type_id], skip_locked=False
        )


async def _take_units(
    session: AsyncSession,
    wanted: Mapping[uuid.UUID, int],
    period: Interval,
    resident_id: str,
    settings: BookingSettings,
) -> list[queries.TakenUnit]:
    """Lock enough free units of each item type, passing over units other reservations are
    taking; when those are needed, raise _UnitsBeingTaken rather than wait holding units (two
    reservations could then wait for each other). The resident's limits are checked on the
    holdings read with the units, behind the resident's lock."""
    taken = await queries.take_free_units(session, wanted, period, resident_id)
    _check_limits(taken.active_loans, taken.active_units, wanted, settings)
    found = _by_type(taken.units)
    if any(len(found.get(type_id, ())) < quantity for type_id, quantity in wanted.items()):
        raise _UnitsBeingTaken
    return taken.units


def _by_type(taken: list[queries.TakenUnit]) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for unit in taken:
        found.setdefault(unit.item_type_id, []).append(unit.unit_id)
    return found


def _lines(taken: list[queries.TakenUnit], seen: queries.ReservationView) -> list[HeldLine]:
    lines: dict[uuid.UUID, HeldLine] = {}
    for unit in taken:
        name = seen.item_types[unit.item_type_id].name
        line = lines.setdefault(unit.item_type_id, HeldLine(unit.item_type_id, name, []))
        line.units.append(HeldUnit(unit.unit_id, unit.label, None))
    return list(lines.values())


def _insert_loan() -> Any:
    """The loan row and its units' rows in one statement: the loan as a CTE, its units from
    arrays (the database checks the foreign key once the statement has run)."""
    new_loan = (
        insert(_LOAN_TABLE)
        .values({c.name: bindparam(f"loan_{c.name}", type_=c.type) for c in _LOAN_TABLE.columns})
        .cte("new_loan")
    )
    units = (
        func.unnest(
            bindparam("ids", type_=ARRAY(Uuid())),
            bindparam("unit_ids", type_=ARRAY(Uuid())),
            bindparam("item_type_ids", type_=ARRAY(Uuid())),
        )
        .table_valued(
            column("id", Uuid()), column("unit_id", Uuid()), column("item_type_id", Uuid())
        )
        .render_derived(name="held")
    )
    period = func.tstzrange(
        bindparam("lower", type_=DateTime(timezone=True)),
        bindparam("upper", type_=DateTime(timezone=True)),
        "[)",
    )
    rows = select(
        units.c.id,
        bindparam("loan_loan_id", type_=Uuid()),
        units.c.unit_id,
        units.c.item_type_id,
        period,
        true(),
    )
    columns = ["id", "loan_id", "unit_id", "item_type_id", "period", "active"]
    return insert(_LOAN_UNIT_TABLE).from_select(columns, rows).add_cte(new_loan)


_LOAN_TABLE: Table = Loan.metadata.tables["loan"]
_LOAN_UNIT_TABLE: Table = Loan.metadata.tables["loan_unit"]
_INSERT_LOAN = _insert_loan()


async def _insert(
    session: AsyncSession,
    loan: Loan,
    allocation: Mapping[uuid.UUID, list[uuid.UUID]],
    period: Interval,
) -> None:
    held = [(type_id, unit_id) for type_id, unit_ids in allocation.items() for unit_id in unit_ids]
    values = {f"loan_{c.name}": getattr(loan, c.name) for c in _LOAN_TABLE.columns}
    await session.execute(
        _INSERT_LOAN,
        {
            **values,
            "ids": [uuid.uuid4() for _ in held],
            "unit_ids": [unit_id for _, unit_id in held],
            "item_type_ids": [type_id for type_id, _ in held],
            "lower": period.start,
            "upper": period.end,
        },
    )


async def _loan_for_staff(session: AsyncSession, principal: Principal, loan_id: uuid.UUID) -> Loan:
    """The loan, locked, when the caller staffs its centre; 403 for other staff, else 404."""
    loan = await queries.loan_for_update(session, loan_id)
    if loan is not None and staffs(principal, loan):
        return loan
    if loan is not None and (principal.has_role(Role.CENTRE_STAFF) or can_see(principal, loan)):
        raise Forbidden(
            "Only staff of the loan's equipment centre may do this.",
            "Bare ansatte ved lånets utstyrssentral kan gjøre dette.",
        )
    raise loan_not_found(loan_id)


# --- lifecycle ------------------------------------------------------------------------------


async def pick_up(
    uow: UnitOfWork, principal: Principal, loan_id: uuid.UUID, body: LoanPickup, now: datetime
) -> LoanDetails:
    """Staff hand out the units; swapped units are checked free, and the database refuses a
    replacement another loan took meanwhile."""
    session = uow.session
    loan = await _loan_for_staff(session, principal, loan_id)
    transition_loan(LoanStatus(loan.status), LoanStatus.PICKED_UP)
    if local_date(now) < loan.pickup_date:
        raise RuleViolation(
            f"The loan can be picked up from {loan.pickup_date.isoformat()}.",
            f"Lånet kan hentes fra {loan.pickup_date.isoformat()}.",
        )
    try:
        if body.swaps:
            await _swap_units(session, loan, body.swaps)
            touch(loan, now)
            await publish(uow, loan, lambda s: events.LoanUnitsChanged(loan=s))
        move(loan, LoanStatus.PICKED_UP, now)
        loan.picked_up_at = now
        await publish(uow, loan, lambda s: events.LoanPickedUp(loan=s))
        await uow.commit()
    except DBAPIError as exc:
        await uow.rollback()
        if getattr(exc.orig, "sqlstate", None) == "23P01":
            raise _unit_taken() from exc
        raise
    return await _details(session, loan)


def _unit_taken() -> Conflict:
    return Conflict(
        "The replacement unit is lent out in this loan's period.",
        "Erstatningsenheten er utlånt i perioden til lånet.",
    )


async def _swap_units(session: AsyncSession, loan: Loan, swaps: list[UnitSwap]) -> None:
    held = {row.unit_id: row for row in await queries.loan_units(session, loan.loan_id)}
    for swap in swaps:
        row = held.pop(swap.from_unit_id, None)
        if row is None:
            raise RuleViolation(
                f"Unit {swap.from_unit_id} is not part of this loan.",
                f"Enheten {swap.from_unit_id} er ikke med i dette lånet.",
            )
        replacement = await session.get(UnitRecord, swap.to_unit_id)
        if replacement is None or replacement.item_type_id != row.item_type_id:
            raise RuleViolation(
                f"Unit {swap.to_unit_id} is no unit of the same item type.",
                f"Enheten {swap.to_unit_id} er ikke en enhet av samme utstyrstype.",
            )
        await _check_replacement(session, replacement, row, loan)
        row.unit_id = replacement.unit_id
        held[replacement.unit_id] = row


async def _check_replacement(
    session: AsyncSession, replacement: UnitRecord, row: LoanUnit, loan: Loan
) -> None:
    if replacement.condition != "ok":
        raise RuleViolation(
            f"Unit {replacement.label} is {replacement.condition} and cannot be lent out.",
            f"Enheten {replacement.label} kan ikke lånes ut (tilstand: {replacement.condition}).",
        )
    period = queries.as_interval(row.period)
    if not await queries.unit_is_free(session, replacement, period, loan.loan_id):
        raise _unit_taken()


async def return_loan(
    uow: UnitOfWork, principal: Principal, loan_id: uuid.UUID, body: LoanReturn, now: datetime
) -> LoanDetails:
    session = uow.session
    loan = await _loan_for_staff(session, principal, loan_id)
    move(loan, LoanStatus.RETURNED, now)
    rows = await queries.loan_units(session, loan.loan_id)
    unknown = set(body.damaged_unit_ids) - {row.unit_id for row in rows}
    if unknown:
        raise RuleViolation(
            f"Units {sorted(map(str, unknown))} are not part of this loan.",
            f"Enhetene {sorted(map(str, unknown))} er ikke med i dette lånet.",
        )
    for row in rows:
        row.active = False
        row.returned_condition = "damaged" if row.unit_id in body.damaged_unit_ids else "ok"
    loan.returned_at = now
    loan.damage_notes = body.damage_notes
    notes = body.damage_notes
    await publish(uow, loan, lambda s: events.LoanReturned(loan=s, damage_notes=notes))
    await uow.commit()
    return await _details(session, loan)


async def cancel_loan(
    uow: UnitOfWork, principal: Principal, loan_id: uuid.UUID, now: datetime
) -> LoanDetails:
    """Residents cancel their own reserved loans, staff those of their centre."""
    session = uow.session
    loan = await queries.loan_for_update(session, loan_id)
    if loan is None or not can_see(principal, loan):
        raise loan_not_found(loan_id)
    reason: CancelReason = "by_resident" if loan.resident_id == principal.person_id else "by_staff"
    await cancel(uow, loan, reason, now)
    await uow.commit()
    return await _details(session, loan)


async def _details(session: AsyncSession, loan: Loan) -> LoanDetails:
    (details,) = await queries.load_details(session, [loan])
    return details


# --- status changes shared with the stock handler -------------------------------------------

CancelReason = Literal["by_resident", "by_staff", "stock", "person_erased", "requisition"]


class EventFactory(Protocol):
    def __call__(self, state: events.LoanState) -> EventData: ...


async def publish(uow: UnitOfWork, loan: Loan, make: EventFactory) -> None:
    """Flush, build the loan's full state and record the event made from it."""
    await uow.session.flush()
    (details,) = await queries.load_details(uow.session, [loan])
    await uow.publish(make(details.state()), key=str(loan.centre_id))


def move(loan: Loan, target: LoanStatus, now: datetime) -> None:
    """Change the status (or raise TransitionNotAllowed) and bump the version."""
    loan.status = transition_loan(LoanStatus(loan.status), target).value
    touch(loan, now)


def touch(loan: Loan, now: datetime) -> None:
    loan.version += 1
    loan.updated_at = now


async def release_units(session: AsyncSession, loan_id: uuid.UUID) -> None:
    await session.execute(
        update(LoanUnit)
        .where(col(LoanUnit.loan_id) == loan_id)
        .values(active=False)
        .execution_options(synchronize_session="fetch")
    )


async def cancel(
    uow: UnitOfWork,
    loan: Loan,
    reason: CancelReason,
    now: datetime,
    *,
    requisition: RequisitionState | None = None,
) -> None:
    move(loan, LoanStatus.CANCELLED, now)
    loan.cancel_reason = reason
    await release_units(uow.session, loan.loan_id)
    await publish(
        uow,
        loan,
        lambda s: events.LoanCancelled(loan=s, reason=reason, requisition=requisition),
    )
    log.info("loan.cancelled", loan_id=str(loan.loan_id), reason=reason)


async def relocate_reserved_loans(
    uow: UnitOfWork,
    unit_id: uuid.UUID,
    now: datetime,
    *,
    cancel_when_none: bool = True,
) -> None:
    """A unit cannot be lent: move its reserved loans to another free unit of the same type,
    or (with `cancel_when_none`) cancel a loan with reason `stock` when none is free."""
    session = uow.session
    for loan, held in await queries.reserved_loans_holding(session, unit_id):
        period = queries.as_interval(held.period)
        free = await queries.lock_free_units(
            session, held.item_type_id, period, 1, skip_locked=False, exclude={unit_id}
        )
        if not free:
            if cancel_when_none:
                await cancel(uow, loan, "stock", now)
            continue
        held.unit_id = free[0]
        touch(loan, now)
        await publish(uow, loan, lambda s: events.LoanUnitsChanged(loan=s))
        log.info("loan.units_changed", loan_id=str(loan.loan_id), unit_id=str(free[0]))


# --- no-shows and overdue loans (the lending job) ---------------------------------------------


@dataclass
class DueLoans:
    no_shows: list[uuid.UUID] = field(default_factory=list)
    overdues: list[uuid.UUID] = field(default_factory=list)


async def move_due_loans(uow: UnitOfWork, now: datetime, batch_size: int) -> DueLoans:
    """One batch: mark reserved loans not collected by the end of the pickup day `no_show` and
    picked-up loans not back by the end of the return day `overdue`, then commit.

    Due loans are claimed with `FOR UPDATE SKIP LOCKED`, so several replicas never take the
    same loan, and a second run finds nothing left to do.
    """
    session = uow.session
    loans = await queries.claim_due_loans(session, local_date(now), batch_size)
    no_shows, overdues = detect_due([_view(loan) for loan in loans], now)
    by_id = {loan.loan_id: loan for loan in loans}
    for view in no_shows:
        await _no_show(uow, by_id[uuid.UUID(view.loan_id)], now)
    for view in overdues:
        await _overdue(uow, by_id[uuid.UUID(view.loan_id)], now)
    await uow.commit()
    return DueLoans(
        no_shows=[uuid.UUID(v.loan_id) for v in no_shows],
        overdues=[uuid.UUID(v.loan_id) for v in overdues],
    )


def _view(loan: Loan) -> LoanView:
    return LoanView(
        loan_id=str(loan.loan_id),
        status=LoanStatus(loan.status),
        pickup=loan.pickup_date,
        return_date=loan.return_date,
    )


async def _no_show(uow: UnitOfWork, loan: Loan, now: datetime) -> None:
    move(loan, LoanStatus.NO_SHOW, now)
    await release_units(uow.session, loan.loan_id)
    await publish(uow, loan, lambda s: events.LoanNoShow(loan=s))


async def _overdue(uow: UnitOfWork, loan: Loan, now: datetime) -> None:
    """The units stay out past the period: reservations waiting for them move to another unit
    where one is free (and are kept otherwise, as the units may still come back in time)."""
    move(loan, LoanStatus.OVERDUE, now)
    await publish(uow, loan, lambda s: events.LoanOverdue(loan=s))
    for row in await queries.loan_units(uow.session, loan.loan_id):
        await relocate_reserved_loans(uow, row.unit_id, now, cancel_when_none=False)
