"""Use cases of equipment lending. Each API use case ends with the unit of work's one commit."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain import (
    ItemTypeView,
    LoanStatus,
    allocate_units,
    check_loan_request,
    check_resident_limits,
    loan_period,
    quantities_by_type,
    transition_loan,
)
from booking.lending import repository
from booking.lending.config import LendingSettings
from booking.lending.lifecycle import CancelReason, cancel, move, publish, touch
from booking.lending.models import LendingUnit, Loan, LoanUnit
from booking.lending.repository import LoanDetails, as_range
from booking.lending.schemas import (
    MAX_LOAN_DAYS,
    ItemTypeAvailability,
    LendingAvailability,
    LoanCreate,
    LoanPickup,
    LoanReturn,
    UnitSwap,
)
from samspill.auth import Principal, Role
from samspill.db import UnitOfWork
from samspill.errors import Forbidden
from samspill.events import booking as events
from samspill.intervals import Interval
from samspill.recurrence import local_date
from samspill.rules import ConflictError, NotFoundError, RuleViolation

log = structlog.get_logger("booking.lending")

# A reservation that loses a race for a unit tries again on a fresh view of the stock.
RESERVE_ATTEMPTS = 4
_RETRYABLE_STATES = frozenset({"23P01", "40P01", "40001"})  # exclusion, deadlock, serialization


def _is_race(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_STATES


def _lent_twice() -> ConflictError:
    return ConflictError(
        "A unit was lent out to someone else at the same moment; no units were reserved. "
        "Please try again.",
        "En enhet ble lånt ut til noen andre i samme øyeblikk; ingenting ble reservert. "
        "Prøv igjen.",
    )


# --- availability ---------------------------------------------------------------------------


async def availability(
    session: AsyncSession,
    centre_id: uuid.UUID,
    pickup: date,
    return_date: date,
    item_type_id: uuid.UUID | None = None,
) -> LendingAvailability:
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
    item_types = await repository.item_types_of_centre(session, centre_id, item_type_id)
    counts = await repository.count_free_units(
        session, [t.item_type_id for t in item_types], period
    )
    return LendingAvailability(
        centre_id=centre_id,
        pickup_date=pickup,
        return_date=return_date,
        item_types=[
            ItemTypeAvailability(
                item_type_id=t.item_type_id,
                name=t.name,
                category=t.category,
                variant=t.variant,
                age_min=t.age_min,
                age_max=t.age_max,
                max_loan_days=t.max_loan_days,
                units_in_stock=counts.get(t.item_type_id, (0, 0))[0],
                units_free=counts.get(t.item_type_id, (0, 0))[1],
            )
            for t in item_types
        ],
    )


# --- reservation ----------------------------------------------------------------------------


async def reserve(
    uow: UnitOfWork,
    resident_id: str,
    request: LoanCreate,
    settings: LendingSettings,
    now: datetime,
) -> LoanDetails:
    """Reserve every line or nothing; units are assigned now, and the database refuses a unit
    lent twice, so losing a race means trying again on the stock as it is then."""
    for attempt in range(1, RESERVE_ATTEMPTS + 1):
        try:
            details = await _reserve_once(uow.session, resident_id, request, settings, now)
            await uow.publish(
                events.LoanReserved(loan=details.state()),
                key=str(details.loan.centre_id),
                subject=str(details.loan.loan_id),
            )
            await uow.commit()
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
    settings: LendingSettings,
    now: datetime,
) -> LoanDetails:
    lines = [(line.item_type_id, line.quantity) for line in request.lines]
    views = await repository.item_type_views(session, {type_id for type_id, _ in lines})
    window = await _reservation_days(session, views)
    centre_id = uuid.UUID(
        check_loan_request(
            lines, views, request.pickup_date, request.return_date, local_date(now), window
        )
    )
    wanted = quantities_by_type(lines)
    await repository.lock_resident(session, resident_id)
    active_loans, active_units = await repository.resident_holdings(session, resident_id)
    check_resident_limits(
        active_loans,
        active_units,
        sum(wanted.values()),
        settings.max_active_loans,
        settings.max_active_units,
    )
    period = loan_period(request.pickup_date, request.return_date)
    allocation = allocate_units(lines, await _lock_units(session, wanted, period), views)
    loan = Loan(
        resident_id=resident_id,
        centre_id=centre_id,
        pickup_date=request.pickup_date,
        return_date=request.return_date,
        status=LoanStatus.RESERVED.value,
        contact=request.contact.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    session.add(loan)
    for item_type_id, unit_ids in allocation.items():
        for unit_id in unit_ids:
            session.add(_held(loan, item_type_id, unit_id, period))
    await session.flush()
    (details,) = await repository.load_details(session, [loan])
    return details


async def _reservation_days(session: AsyncSession, views: Mapping[uuid.UUID, ItemTypeView]) -> int:
    centre_ids = {view.centre_id for view in views.values()}
    if len(centre_ids) != 1:
        return repository.DEFAULT_RESERVATION_DAYS  # the request check refuses it anyway
    return (await repository.centre(session, uuid.UUID(centre_ids.pop()))).reservation_days


async def _lock_units(
    session: AsyncSession, wanted: Mapping[uuid.UUID, int], period: Interval
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Free units per item type: first those no one else is taking, then (when short) wait for
    concurrent reservations so the answer is not a false 'sold out'."""
    free: dict[uuid.UUID, list[uuid.UUID]] = {}
    for item_type_id in sorted(wanted):
        quantity = wanted[item_type_id]
        units = await repository.lock_free_units(
            session, item_type_id, period, quantity, skip_locked=True
        )
        if len(units) < quantity:
            units = await repository.lock_free_units(
                session, item_type_id, period, quantity, skip_locked=False
            )
        free[item_type_id] = units
    return free


def _held(loan: Loan, item_type_id: uuid.UUID, unit_id: uuid.UUID, period: Interval) -> LoanUnit:
    return LoanUnit(
        loan_id=loan.loan_id,
        unit_id=unit_id,
        item_type_id=item_type_id,
        period=as_range(period),
    )


# --- reading --------------------------------------------------------------------------------


def can_see(principal: Principal, loan: Loan) -> bool:
    return principal.sub == loan.resident_id or _staffs(principal, loan)


def _staffs(principal: Principal, loan: Loan) -> bool:
    return principal.is_admin or (
        Role.CENTRE_STAFF in principal.roles and principal.staffs_centre(loan.centre_id)
    )


def _not_found(loan_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"No loan {loan_id}.", f"Fant ikke lånet {loan_id}.")


async def list_loans(
    session: AsyncSession,
    principal: Principal,
    status: LoanStatus | None,
    limit: int,
    offset: int,
) -> list[LoanDetails]:
    """Own loans for a resident, the centres' loans for staff, everything for an admin."""
    centre_ids: list[uuid.UUID] | None = None
    if Role.CENTRE_STAFF in principal.roles:
        centre_ids = [uuid.UUID(c) for c in principal.centre_ids if _is_uuid(c)]
    loans = await repository.find_loans(
        session,
        resident_id=None if principal.is_admin else principal.sub,
        centre_ids=None if principal.is_admin else centre_ids,
        status=status.value if status else None,
        limit=limit,
        offset=offset,
    )
    return await repository.load_details(session, loans)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


async def get_loan(session: AsyncSession, principal: Principal, loan_id: uuid.UUID) -> LoanDetails:
    loan = await session.get(Loan, loan_id)
    if loan is None or not can_see(principal, loan):
        raise _not_found(loan_id)
    (details,) = await repository.load_details(session, [loan])
    return details


async def _loan_for_staff(session: AsyncSession, principal: Principal, loan_id: uuid.UUID) -> Loan:
    """The loan, locked, when the caller staffs its centre; 403 for other staff, else 404."""
    loan = await repository.loan_for_update(session, loan_id)
    if loan is not None and _staffs(principal, loan):
        return loan
    if loan is not None and (Role.CENTRE_STAFF in principal.roles or can_see(principal, loan)):
        raise Forbidden(
            "Only staff of the loan's equipment centre may do this.",
            "Bare ansatte ved lånets utstyrssentral kan gjøre dette.",
        )
    raise _not_found(loan_id)


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
            await publish(uow, session, loan, lambda s: events.LoanUnitsChanged(loan=s))
        move(loan, LoanStatus.PICKED_UP, now)
        loan.picked_up_at = now
        await publish(uow, session, loan, lambda s: events.LoanPickedUp(loan=s))
        await uow.commit()
    except DBAPIError as exc:
        await uow.rollback()
        if getattr(exc.orig, "sqlstate", None) == "23P01":
            raise _unit_taken() from exc
        raise
    return await _details(session, loan)


def _unit_taken() -> ConflictError:
    return ConflictError(
        "The replacement unit is lent out in this loan's period.",
        "Erstatningsenheten er utlånt i perioden til lånet.",
    )


async def _swap_units(session: AsyncSession, loan: Loan, swaps: list[UnitSwap]) -> None:
    held = {row.unit_id: row for row in await repository.loan_units(session, loan.loan_id)}
    for swap in swaps:
        row = held.pop(swap.from_unit_id, None)
        if row is None:
            raise RuleViolation(
                f"Unit {swap.from_unit_id} is not part of this loan.",
                f"Enheten {swap.from_unit_id} er ikke med i dette lånet.",
            )
        replacement = await session.get(LendingUnit, swap.to_unit_id)
        if replacement is None or replacement.item_type_id != row.item_type_id:
            raise RuleViolation(
                f"Unit {swap.to_unit_id} is no unit of the same item type.",
                f"Enheten {swap.to_unit_id} er ikke en enhet av samme utstyrstype.",
            )
        await _check_replacement(session, replacement, row, loan)
        row.unit_id = replacement.unit_id
        held[replacement.unit_id] = row


async def _check_replacement(
    session: AsyncSession, replacement: LendingUnit, row: LoanUnit, loan: Loan
) -> None:
    if replacement.condition != "ok":
        raise RuleViolation(
            f"Unit {replacement.label} is {replacement.condition} and cannot be lent out.",
            f"Enheten {replacement.label} kan ikke lånes ut (tilstand: {replacement.condition}).",
        )
    period = repository.as_interval(row.period)
    if not await repository.unit_is_free(session, replacement, period, loan.loan_id):
        raise _unit_taken()


async def return_loan(
    uow: UnitOfWork, principal: Principal, loan_id: uuid.UUID, body: LoanReturn, now: datetime
) -> LoanDetails:
    session = uow.session
    loan = await _loan_for_staff(session, principal, loan_id)
    move(loan, LoanStatus.RETURNED, now)
    rows = await repository.loan_units(session, loan.loan_id)
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
    await publish(uow, session, loan, lambda s: events.LoanReturned(loan=s, damage_notes=notes))
    await uow.commit()
    return await _details(session, loan)


async def cancel_loan(
    uow: UnitOfWork, principal: Principal, loan_id: uuid.UUID, now: datetime
) -> LoanDetails:
    """Residents cancel their own reserved loans, staff those of their centre."""
    session = uow.session
    loan = await repository.loan_for_update(session, loan_id)
    if loan is None or not can_see(principal, loan):
        raise _not_found(loan_id)
    reason: CancelReason = "by_resident" if loan.resident_id == principal.sub else "by_staff"
    await cancel(session, uow, loan, reason, now)
    await uow.commit()
    return await _details(session, loan)


async def _details(session: AsyncSession, loan: Loan) -> LoanDetails:
    (details,) = await repository.load_details(session, [loan])
    return details
