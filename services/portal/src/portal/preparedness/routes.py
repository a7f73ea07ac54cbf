"""`/beredskap` (the emergency staff: the overview by district, requisitioning a site, lifting
a requisition) and `/lag/{id}/beredskap` (a club's preparedness form)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.dependencies import ApisDep, PagesDep, PersonDep
from portal.domain.preparedness import requisitioned_ids, requisitioned_sites
from portal.pages import N_, Pages, language_of
from portal.preparedness import queries, use_cases
from portal.preparedness.schemas import PreparednessForm, RequisitionForm
from samspill.ids import parse_uuid

router = APIRouter()

FLASH = "preparedness.flash"
SAVED = N_("The preparedness registration is saved.")
REQUISITIONED = N_("The site is requisitioned.")
LIFTED = N_("The requisition is lifted.")


def _id(text: str) -> uuid.UUID:
    found = parse_uuid(text)
    if found is None:
        raise HTTPException(404)
    return found


def _take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


async def _overview_page(
    request: Request,
    apis: ApisDep,
    pages: Pages,
    token: str,
    *,
    form: RequisitionForm | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    district = request.query_params.get("district") or None
    try:
        found, requisitions, sites = await queries.overview(apis, token, district)
    except ApiRefused as refused:
        if refused.status in (401, 403):
            return pages.render(request, "preparedness/not_staff.html", {}, status_code=403)
        raise
    districts = found.get("districts", [])
    context = {
        "district": district,
        "districts": districts,
        "requisitioned": requisitioned_sites(requisitions, districts),
        "requisitioned_ids": requisitioned_ids(requisitions),
        "sites": sites,
        "form": form or RequisitionForm(),
        "errors": dict(errors or {}),
        "flash": _take_flash(request),
    }
    return pages.render(request, "preparedness/overview.html", context, status_code=status_code)


@router.get("/beredskap", name="preparedness")
async def overview(request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep) -> Response:
    return await _overview_page(request, apis, pages, person.access_token)


@router.post("/beredskap/rekvisisjoner")
async def requisition(
    request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep
) -> Response:
    form = RequisitionForm.parse(await request.form())
    problems = form.problems()
    token = person.access_token
    if problems:
        errors = {name: pages.gettext(request, message) for name, message in problems.items()}
        return await _overview_page(
            request, apis, pages, token, form=form, errors=errors, status_code=422
        )
    try:
        await use_cases.requisition(apis, token, form)
    except ApiRefused as refused:
        if refused.status >= 500 or refused.status in (401,):
            raise
        errors = {"_form": refused.detail(language_of(request))}
        status = refused.status if refused.status in (403, 409, 422) else 422
        return await _overview_page(
            request, apis, pages, token, form=form, errors=errors, status_code=status
        )
    request.session[FLASH] = REQUISITIONED
    return RedirectResponse("/beredskap", status_code=303)


@router.post("/beredskap/rekvisisjoner/{requisition_id}/opphev")
async def lift(
    request: Request, requisition_id: str, person: PersonDep, apis: ApisDep, pages: PagesDep
) -> Response:
    token = person.access_token
    try:
        await use_cases.lift(apis, token, _id(requisition_id))
    except ApiRefused as refused:
        if refused.status not in (403, 404, 409):
            raise
        errors = {"_form": refused.detail(language_of(request))}
        return await _overview_page(
            request, apis, pages, token, errors=errors, status_code=refused.status
        )
    request.session[FLASH] = LIFTED
    return RedirectResponse("/beredskap", status_code=303)


# --- the club's form --------------------------------------------------------------------------


async def _club_page(
    request: Request,
    apis: ApisDep,
    pages: Pages,
    token: str,
    organisation_id: uuid.UUID,
    *,
    form: PreparednessForm | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        registration = await queries.club_preparedness(apis, token, organisation_id)
    except ApiRefused as refused:
        if refused.status == 404:
            raise HTTPException(404) from refused
        raise
    context = {
        "registration": registration,
        "form": form or PreparednessForm.of(registration),
        "errors": dict(errors or {}),
        "flash": _take_flash(request),
    }
    return pages.render(request, "preparedness/club.html", context, status_code=status_code)


@router.get("/lag/{organisation_id}/beredskap", name="club_preparedness")
async def club_form(
    request: Request, organisation_id: str, person: PersonDep, apis: ApisDep, pages: PagesDep
) -> Response:
    return await _club_page(request, apis, pages, person.access_token, _id(organisation_id))


@router.post("/lag/{organisation_id}/beredskap")
async def club_register(
    request: Request, organisation_id: str, person: PersonDep, apis: ApisDep, pages: PagesDep
) -> Response:
    club = _id(organisation_id)
    form = PreparednessForm.parse(await request.form())
    token = person.access_token
    problems = form.problems()
    if problems:
        errors = {name: pages.gettext(request, message) for name, message in problems.items()}
        return await _club_page(
            request, apis, pages, token, club, form=form, errors=errors, status_code=422
        )
    try:
        await use_cases.register(apis, token, club, form)
    except ApiRefused as refused:
        if refused.status not in (403, 422):
            raise
        errors = {"_form": refused.detail(language_of(request))}
        return await _club_page(
            request, apis, pages, token, club, form=form, errors=errors, status_code=refused.status
        )
    request.session[FLASH] = SAVED
    return RedirectResponse(f"/lag/{club}/beredskap", status_code=303)
