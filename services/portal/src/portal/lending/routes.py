"""`/utstyr` (the catalogue, no login), `/utstyr/{id}` (an item and its reservation form),
`/lan` (the person's loans) and `/lan/{id}` (a loan, and cancelling it)."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.dependencies import ApisDep, LanguageDep, PagesDep, Person, PersonDep, VisitorDep
from portal.domain.lending import (
    LoanPhase,
    by_phase,
    categories,
    filter_items,
    group_items,
    may_cancel,
    read_period,
    siblings,
    sizes_in,
)
from portal.lending import queries, use_cases
from portal.lending.schemas import BrowseForm, ReserveForm
from portal.pages import N_, Language

router = APIRouter()

CATEGORY_LABELS = {
    "ski": N_("Skiing"),
    "skøyter": N_("Skating"),
    "hjelm": N_("Helmets"),
    "tur": N_("Camping"),
    "vann": N_("On the water"),
    "sykkel": N_("Cycling"),
}
STATUS_LABELS = {
    "reserved": N_("Reserved"),
    "picked_up": N_("Picked up"),
    "returned": N_("Returned"),
    "cancelled": N_("Cancelled"),
    "no_show": N_("Not picked up"),
    "overdue": N_("Overdue"),
}
STATUS_COLOURS = {
    "reserved": "info",
    "picked_up": "success",
    "overdue": "danger",
    "no_show": "warning",
}
PHASE_HEADINGS = {
    LoanPhase.UPCOMING: N_("Upcoming"),
    LoanPhase.ACTIVE: N_("Borrowed now"),
    LoanPhase.PAST: N_("Earlier loans"),
}
CONTACT_REFUSED = N_("Check the email address and the mobile number.")
REQUEST_REFUSED = N_("Some of what was sent could not be read. Please check the form.")
QUANTITY_CODES = frozenset({"insufficient-stock", "limit-exceeded"})
_KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")


def _labels() -> dict[str, Any]:
    return {
        "category_labels": CATEGORY_LABELS,
        "status_labels": STATUS_LABELS,
        "status_colours": STATUS_COLOURS,
    }


def _checked_id(value: str) -> str:
    """A path id as a UUID, else the page does not exist (no API is asked about it)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise StarletteHTTPException(404) from None


# --- the catalogue ----------------------------------------------------------------------------


@router.get("/utstyr", name="lending_catalogue")
async def catalogue(
    request: Request, apis: ApisDep, pages: PagesDep, language: LanguageDep
) -> Response:
    form = BrowseForm.read(request.query_params)
    centres = await queries.centres(apis)
    types = await queries.catalogue(apis, centres)
    stock = None
    if form.period is not None:
        try:
            stock = await queries.stock(apis, [c.centre_id for c in centres], form.period)
        except ApiRefused as refused:
            form.errors.add("return", refused.detail(language), translated=True)
    items = group_items(types, stock)
    shown = filter_items(items, category=form.category or None, size=form.size or None)
    context = {
        "form": form,
        "items": shown,
        "total": len(items),
        "categories": categories(items),
        "sizes": sizes_in(items, form.category or None),
        "centres": {c.centre_id: c for c in centres},
        "with_stock": stock is not None,
        **_labels(),
    }
    status = 400 if form.errors else 200
    return pages.render(request, "lending/catalogue.html", context, status_code=status)


# --- an item and its reservation ----------------------------------------------------------------


async def _item_page(
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    visitor: Person | None,
    item_type_id: str,
    form: ReserveForm,
    *,
    status: int = 200,
) -> Response:
    item_type = await queries.item_type(apis, item_type_id)
    centre_id = str(item_type["centre_id"])
    centre, centre_types, profile = await asyncio.gather(
        queries.centre(apis, centre_id),
        queries.item_types(apis, centre_id),
        queries.profile(apis, visitor.access_token) if visitor else _nothing(),
    )
    period = form.period or read_period(form.pickup, form.return_date, required=False)[0]
    stock = None
    if period is not None and period.days >= 0:
        try:
            stock = await queries.stock(apis, [centre_id], period)
        except ApiRefused:
            stock = None  # the form says what is wrong with the dates
    item = siblings(item_type, centre_types, stock)
    form.idempotency_key = uuid.uuid4().hex  # a new attempt: a changed form is a new request
    if not form.item_type_id:
        form.item_type_id = item_type_id
    context = {
        "item": item,
        "item_type": item_type,
        "centre": centre,
        "form": form,
        "period": period if stock is not None else None,
        "profile": profile,
        "visitor": visitor,
        "browse_query": {"hentes": form.pickup, "leveres": form.return_date},
        **_labels(),
    }
    return pages.render(request, "lending/item.html", context, status_code=status)


async def _nothing() -> None:
    return None


@router.get("/utstyr/{item_type_id}", name="lending_item")
async def item(
    request: Request, item_type_id: str, apis: ApisDep, pages: PagesDep, visitor: VisitorDep
) -> Response:
    query = request.query_params
    form = ReserveForm(
        item_type_id=_checked_id(item_type_id),
        pickup=str(query.get("hentes", ""))[:20],
        return_date=str(query.get("leveres", ""))[:20],
    )
    return await _item_page(request, apis, pages, visitor, form.item_type_id, form)


@router.get("/utstyr/{item_type_id}/reserver")
async def reserve_page(item_type_id: str) -> RedirectResponse:
    """Back from logging in to reserve: the form is on the item's page."""
    return RedirectResponse(f"/utstyr/{_checked_id(item_type_id)}", status_code=303)


@router.post("/utstyr/{item_type_id}/reserver", name="lending_reserve")
async def reserve(
    request: Request,
    item_type_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    item_type_id = _checked_id(item_type_id)
    profile = await queries.profile(apis, person.access_token)
    form = ReserveForm.read(await request.form(), needs_contact=profile is None)
    status = 400
    if not form.errors and form.period is not None and form.amount is not None:
        key = form.idempotency_key if _KEY.match(form.idempotency_key) else uuid.uuid4().hex
        try:
            loan_id = await use_cases.reserve(
                apis,
                person.access_token,
                item_type_id=form.item_type_id,
                quantity=form.amount,
                period=form.period,
                contact=form.contact() if profile is None else None,
                idempotency_key=key,
            )
        except ApiRefused as refused:
            if refused.status in (401, 403, 404):
                raise
            _place_refusal(form, refused, language)
            status = refused.status
        else:
            return RedirectResponse(f"/lan/{loan_id}?reservert=1", status_code=303)
    return await _item_page(request, apis, pages, person, item_type_id, form, status=status)


def _place_refusal(form: ReserveForm, refused: ApiRefused, language: Language) -> None:
    """Show the API's rule beside the part of the form it is about."""
    if refused.code == "validation-error":
        about_contact = any("contact" in map(str, e.get("loc", [])) for e in refused.errors)
        if about_contact:
            form.errors.add("email", CONTACT_REFUSED)
        else:
            form.errors.add("period", REQUEST_REFUSED)
        return
    field = "period"
    if refused.code in QUANTITY_CODES:
        field = "quantity"
    elif refused.code == "contact-needed":
        field = "email"
    form.errors.add(field, refused.detail(language), translated=True)


# --- the person's loans -------------------------------------------------------------------------


async def _centres_of(apis: ApisDep, loans: list[dict[str, Any]]) -> dict[str, Any]:
    ids = sorted({str(loan["centre_id"]) for loan in loans})
    found = await asyncio.gather(*(queries.centre(apis, centre_id) for centre_id in ids))
    return {c.centre_id: c for c in found}


@router.get("/lan", name="lending_loans")
async def loans(request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep) -> Response:
    found = await queries.loans(apis, person.access_token)
    context = {
        "phases": by_phase(found),
        "phase_headings": PHASE_HEADINGS,
        "centres": await _centres_of(apis, found),
        "cancelled": request.query_params.get("avbestilt") == "1",
        **_labels(),
    }
    return pages.render(request, "lending/loans.html", context)


async def _loan_context(apis: ApisDep, person: Person, loan_id: str) -> dict[str, Any]:
    loan = await queries.loan(apis, person.access_token, _checked_id(loan_id))
    return {
        "loan": loan,
        "centre": await queries.centre(apis, str(loan["centre_id"])),
        "may_cancel": may_cancel(str(loan["status"])),
        **_labels(),
    }


@router.get("/lan/{loan_id}", name="lending_loan")
async def loan(
    request: Request, loan_id: str, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    context = await _loan_context(apis, person, loan_id)
    context["reserved"] = request.query_params.get("reservert") == "1"
    context["cancelled"] = request.query_params.get("avbestilt") == "1"
    return pages.render(request, "lending/loan.html", context)


@router.get("/lan/{loan_id}/avbestill", name="lending_cancel_confirm")
async def cancel_confirm(
    request: Request, loan_id: str, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    context = await _loan_context(apis, person, loan_id)
    return pages.render(request, "lending/cancel.html", context)


@router.post("/lan/{loan_id}/avbestill", name="lending_cancel")
async def cancel(
    request: Request,
    loan_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    loan_id = _checked_id(loan_id)
    try:
        await use_cases.cancel(apis, person.access_token, loan_id)
    except ApiRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        context = await _loan_context(apis, person, loan_id)
        context["refusal"] = refused.detail(language)
        return pages.render(request, "lending/cancel.html", context, status_code=refused.status)
    return RedirectResponse(f"/lan/{loan_id}?avbestilt=1", status_code=303)
