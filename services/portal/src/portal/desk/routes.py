"""`/drift/sentraler/{centre_id}`: the desk of an equipment centre (the day's pickups and
returns, overdue loans, the search), a loan at the desk (hand out, take back) and the centre's
catalogue (item types and their units). Only the centre's staff and admins get these pages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.dependencies import ApisDep, LanguageDep, PagesDep, Person, PersonDep
from portal.desk import queries, use_cases
from portal.desk.schemas import (
    ItemTypeForm,
    PickupForm,
    ReturnForm,
    SearchForm,
    UnitForm,
)
from portal.domain.desk import SwapProblem, loan_number, may_pick_up, may_return, swaps
from portal.lending import queries as lending
from portal.lending.queries import Centre
from portal.lending.routes import CATEGORY_LABELS, STATUS_COLOURS, STATUS_LABELS
from portal.pages import N_, Language
from samspill.recurrence import OSLO

router = APIRouter()

CONDITION_LABELS = {
    "ok": N_("In order"),
    "damaged": N_("Damaged"),
    "retired": N_("Retired"),
}
CONDITION_COLOURS = {"ok": "success", "damaged": "warning", "retired": "neutral"}
SWAP_REFUSED = N_("Choose a different unit for each one handed out.")


async def _refused(sending: Awaitable[object], language: Language) -> tuple[str, int] | None:
    """Awaits what a form asks of an API: None once it is done, else the API's refusal in words
    and its status, for the form to show. A refusal of access or of a missing thing is not the
    form's to show and goes on to the error page."""
    try:
        await sending
    except ApiRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        return refused.detail(language), refused.status
    return None


def _checked_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise StarletteHTTPException(404) from None


def _today() -> date:
    return datetime.now(OSLO).date()


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_colours": STATUS_COLOURS,
        "category_labels": CATEGORY_LABELS,
        "condition_labels": CONDITION_LABELS,
        "condition_colours": CONDITION_COLOURS,
        "loan_number": loan_number,
    }


async def _desk(apis: ApisDep, person: Person, centre_id: str) -> Centre:
    """The centre, when the person works there; otherwise the page does not exist for them."""
    centre_id = _checked_id(centre_id)
    if not await queries.staffs(apis, person.access_token, centre_id):
        raise StarletteHTTPException(404)
    return await lending.centre(apis, centre_id)


# --- the day at the desk and the search ---------------------------------------------------------


@router.get("/drift/sentraler/{centre_id}", name="desk_home")
async def desk_home(
    request: Request, centre_id: str, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    centre = await _desk(apis, person, centre_id)
    form = SearchForm.read(request.query_params)
    today = _today()
    asked = form.asked
    day, found = await asyncio.gather(
        queries.day(apis, person.access_token, centre.centre_id, today),
        queries.search(apis, person.access_token, centre.centre_id, asked) if asked else _nothing(),
    )
    context = {
        "centre": centre,
        "day": day,
        "today": today,
        "form": form,
        "found": found,
        **_labels(),
    }
    status = 400 if form.errors else 200
    return pages.render(request, "desk/index.html", context, status_code=status)


async def _nothing() -> None:
    return None


# --- a loan at the desk -------------------------------------------------------------------------


def _held(loan: dict[str, Any]) -> list[str]:
    return [str(unit["unit_id"]) for line in loan["lines"] for unit in line["units"]]


async def _loan_of(apis: ApisDep, person: Person, centre: Centre, loan_id: str) -> dict[str, Any]:
    loan = await queries.loan(apis, person.access_token, _checked_id(loan_id))
    if str(loan["centre_id"]) != centre.centre_id:
        raise StarletteHTTPException(404)
    return loan


async def _offered(apis: ApisDep, person: Person, loan: dict[str, Any]) -> dict[str, list[Any]]:
    """For each unit the loan holds: itself and the other units of its type in order that
    the loan does not hold, to hand out instead."""
    held = set(_held(loan))
    type_ids = [str(line["item_type_id"]) for line in loan["lines"]]
    units = await queries.units_of_types(apis, person.access_token, type_ids)
    offered: dict[str, list[Any]] = {}
    for line in loan["lines"]:
        spare = [
            u
            for u in units[str(line["item_type_id"])]
            if u["condition"] == "ok" and str(u["unit_id"]) not in held
        ]
        for unit in line["units"]:
            offered[str(unit["unit_id"])] = [unit, *spare]
    return offered


async def _loan_page(
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    person: Person,
    centre: Centre,
    loan: dict[str, Any],
    *,
    pickup: PickupForm | None = None,
    back: ReturnForm | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> Response:
    today = _today()
    pickable = may_pick_up(loan, today)
    context = {
        "centre": centre,
        "loan": loan,
        "today": today,
        "may_pick_up": pickable,
        "may_return": may_return(loan),
        "offered": await _offered(apis, person, loan) if pickable else {},
        "pickup": pickup or PickupForm(chosen={u: u for u in _held(loan)}),
        "back": back or ReturnForm(),
        "refusal": refusal,
        "handed_out": request.query_params.get("utlevert") == "1",
        "returned": request.query_params.get("innlevert") == "1",
        **_labels(),
    }
    return pages.render(request, "desk/loan.html", context, status_code=status)


@router.get("/drift/sentraler/{centre_id}/lan/{loan_id}", name="desk_loan")
async def desk_loan(
    request: Request,
    centre_id: str,
    loan_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    loan = await _loan_of(apis, person, centre, loan_id)
    return await _loan_page(request, apis, pages, person, centre, loan)


@router.post("/drift/sentraler/{centre_id}/lan/{loan_id}/utlevering", name="desk_pickup")
async def desk_pickup(
    request: Request,
    centre_id: str,
    loan_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    loan = await _loan_of(apis, person, centre, loan_id)
    held = _held(loan)
    form = PickupForm.read(await request.form(), held)
    try:
        offered = await _offered(apis, person, loan)
        ids = {unit: [str(u["unit_id"]) for u in units] for unit, units in offered.items()}
        chosen = swaps(held, form.chosen, ids)
    except SwapProblem:
        form.errors.add("units", SWAP_REFUSED)
        return await _loan_page(request, apis, pages, person, centre, loan, pickup=form, status=400)
    refused = await _refused(
        use_cases.pick_up(apis, person.access_token, str(loan["loan_id"]), chosen), language
    )
    if refused is not None:
        refusal, status = refused
        return await _loan_page(
            request,
            apis,
            pages,
            person,
            centre,
            loan,
            pickup=form,
            refusal=refusal,
            status=status,
        )
    return _back_to_loan(centre, loan, "utlevert")


def _back_to_loan(centre: Centre, loan: dict[str, Any], flag: str) -> RedirectResponse:
    path = f"/drift/sentraler/{centre.centre_id}/lan/{loan['loan_id']}?{flag}=1"
    return RedirectResponse(path, status_code=303)


@router.post("/drift/sentraler/{centre_id}/lan/{loan_id}/innlevering", name="desk_return")
async def desk_return(
    request: Request,
    centre_id: str,
    loan_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    loan = await _loan_of(apis, person, centre, loan_id)
    form = ReturnForm.read(await request.form(), _held(loan))
    if form.errors:
        return await _loan_page(request, apis, pages, person, centre, loan, back=form, status=400)
    refused = await _refused(
        use_cases.take_back(
            apis, person.access_token, str(loan["loan_id"]), form.damaged, form.notes
        ),
        language,
    )
    if refused is not None:
        refusal, status = refused
        return await _loan_page(
            request,
            apis,
            pages,
            person,
            centre,
            loan,
            back=form,
            refusal=refusal,
            status=status,
        )
    return _back_to_loan(centre, loan, "innlevert")


# --- the catalogue ------------------------------------------------------------------------------


async def _catalogue_page(
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    centre: Centre,
    form: ItemTypeForm,
    *,
    refusal: str | None = None,
    status: int = 200,
) -> Response:
    types = await queries.item_types(apis, centre.centre_id)
    context = {
        "centre": centre,
        "item_types": types,
        "form": form,
        "refusal": refusal,
        **_labels(),
    }
    return pages.render(request, "desk/catalogue.html", context, status_code=status)


@router.get("/drift/sentraler/{centre_id}/utstyr", name="desk_catalogue")
async def desk_catalogue(
    request: Request, centre_id: str, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    centre = await _desk(apis, person, centre_id)
    return await _catalogue_page(request, apis, pages, centre, ItemTypeForm())


@router.post("/drift/sentraler/{centre_id}/utstyr", name="desk_item_type_create")
async def desk_item_type_create(
    request: Request,
    centre_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    form = ItemTypeForm.read(await request.form())
    if form.errors:
        return await _catalogue_page(request, apis, pages, centre, form, status=400)
    try:
        made = await use_cases.create_item_type(
            apis, person.access_token, centre.centre_id, form.body()
        )
    except ApiRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        detail = refused.detail(language)
        return await _catalogue_page(
            request, apis, pages, centre, form, refusal=detail, status=refused.status
        )
    return RedirectResponse(
        f"/drift/sentraler/{centre.centre_id}/utstyr/{made}?lagret=1", status_code=303
    )


async def _item_type_page(
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    person: Person,
    centre: Centre,
    item_type_id: str,
    *,
    form: ItemTypeForm | None = None,
    unit_form: UnitForm | None = None,
    changed: dict[str, UnitForm] | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> Response:
    item_type = await queries.item_type(apis, _checked_id(item_type_id))
    if str(item_type["centre_id"]) != centre.centre_id:
        raise StarletteHTTPException(404)
    units = await queries.units(apis, person.access_token, str(item_type["item_type_id"]))
    context = {
        "centre": centre,
        "item_type": item_type,
        "units": units,
        "form": form or ItemTypeForm.of(item_type),
        "unit_form": unit_form or UnitForm(),
        "changed": changed or {},
        "refusal": refusal,
        "saved": request.query_params.get("lagret") == "1",
        "retired": request.query_params.get("trukket") == "1",
        **_labels(),
    }
    return pages.render(request, "desk/item_type.html", context, status_code=status)


@router.get("/drift/sentraler/{centre_id}/utstyr/{item_type_id}", name="desk_item_type")
async def desk_item_type(
    request: Request,
    centre_id: str,
    item_type_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    return await _item_type_page(request, apis, pages, person, centre, item_type_id)


def _item_type_path(centre: Centre, item_type_id: str, flag: str) -> RedirectResponse:
    path = f"/drift/sentraler/{centre.centre_id}/utstyr/{item_type_id}?{flag}=1"
    return RedirectResponse(path, status_code=303)


@router.post("/drift/sentraler/{centre_id}/utstyr/{item_type_id}", name="desk_item_type_update")
async def desk_item_type_update(
    request: Request,
    centre_id: str,
    item_type_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    item_type_id = _checked_id(item_type_id)
    form = ItemTypeForm.read(await request.form())
    refusal, status = None, 400
    if not form.errors:
        refused = await _refused(
            use_cases.update_item_type(apis, person.access_token, item_type_id, form.body()),
            language,
        )
        if refused is None:
            return _item_type_path(centre, item_type_id, "lagret")
        refusal, status = refused
    return await _item_type_page(
        request,
        apis,
        pages,
        person,
        centre,
        item_type_id,
        form=form,
        refusal=refusal,
        status=status,
    )


@router.post(
    "/drift/sentraler/{centre_id}/utstyr/{item_type_id}/trekk-tilbake",
    name="desk_item_type_retire",
)
async def desk_item_type_retire(
    request: Request,
    centre_id: str,
    item_type_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    item_type_id = _checked_id(item_type_id)
    refused = await _refused(
        use_cases.retire_item_type(apis, person.access_token, item_type_id), language
    )
    if refused is not None:
        refusal, status = refused
        return await _item_type_page(
            request,
            apis,
            pages,
            person,
            centre,
            item_type_id,
            refusal=refusal,
            status=status,
        )
    return _item_type_path(centre, item_type_id, "trukket")


@router.post("/drift/sentraler/{centre_id}/utstyr/{item_type_id}/enheter", name="desk_unit_create")
async def desk_unit_create(
    request: Request,
    centre_id: str,
    item_type_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    item_type_id = _checked_id(item_type_id)
    form = UnitForm.read(await request.form(), new=True)
    refusal, status = None, 400
    if not form.errors:
        refused = await _refused(
            use_cases.add_unit(apis, person.access_token, item_type_id, form.body(new=True)),
            language,
        )
        if refused is None:
            return _item_type_path(centre, item_type_id, "lagret")
        refusal, status = refused
    return await _item_type_page(
        request,
        apis,
        pages,
        person,
        centre,
        item_type_id,
        unit_form=form,
        refusal=refusal,
        status=status,
    )


@router.post(
    "/drift/sentraler/{centre_id}/utstyr/{item_type_id}/enheter/{unit_id}",
    name="desk_unit_change",
)
async def desk_unit_change(
    request: Request,
    centre_id: str,
    item_type_id: str,
    unit_id: str,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    centre = await _desk(apis, person, centre_id)
    item_type_id, unit_id = _checked_id(item_type_id), _checked_id(unit_id)
    form = UnitForm.read(await request.form(), new=False)
    refusal, status = None, 400
    if not form.errors:
        refused = await _refused(
            use_cases.change_unit(apis, person.access_token, unit_id, form.body(new=False)),
            language,
        )
        if refused is None:
            return _item_type_path(centre, item_type_id, "lagret")
        refusal, status = refused
    return await _item_type_page(
        request,
        apis,
        pages,
        person,
        centre,
        item_type_id,
        changed={unit_id: form},
        refusal=refusal,
        status=status,
    )
