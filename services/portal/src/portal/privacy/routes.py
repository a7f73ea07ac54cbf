"""Privacy pages. For the person: `/min-side/data` (what each service holds about them) and
`/min-side/data.json` (all of it as one file, with what the portal's session holds), and
`/min-side/slett` (erase me, after an explanation and a confirmation). For the municipality's
admins: `/admin/personvern/tilgangslogg` (who looked at whose data, from every service),
`/admin/personvern/innsyn` (a person's data for a written request, as one file) and
`/admin/personvern/sletting` (erasing a person for a written request)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from portal.admin.routes import admin_only
from portal.apis import ApiRefused
from portal.dependencies import ApisDep, PagesDep, PersonDep, SettingsDep
from portal.domain.privacy import (
    NOT_CONFIRMED,
    AccessLogFilter,
    WrittenRequest,
    administered_clubs,
    export_filename,
    export_json,
    holdings,
    merged_access_log,
    merged_export,
    session_facts,
)
from portal.pages import N_, Pages, language_of
from portal.privacy import queries, use_cases
from portal.privacy.schemas import SERVICE_NAMES

router = APIRouter()
admin_router = APIRouter(dependencies=[Depends(admin_only)])

FORM_TEXT = 2000
REASON_TEXT = 4000
FLASH = "privacy.flash"
LOG_FIELDS = {"first": "fra", "last": "til"}  # the filter's fields by their names in the address
REFUSED = (400, 404, 409, 422)
PERSON_ERASED = N_(
    "The person's data is erased in every service. A confirmation is sent to the person."
)


def _translated(pages: Pages, request: Request, errors: Mapping[str, str]) -> dict[str, str]:
    return {name: pages.gettext(request, message) for name, message in errors.items()}


def _download(body: str, filename: str) -> Response:
    return Response(
        body,
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


# --- the person's own data --------------------------------------------------------------------


@router.get("/min-side/data", name="my_data")
async def my_data(request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep) -> Response:
    answers = await queries.my_data(apis, person)
    person_id = next((str(a["person_id"]) for a in answers.values() if a.get("person_id")), "")
    context = {
        "person_id": person_id,
        "holdings": holdings(answers),
        "service_names": SERVICE_NAMES,
        "session": session_facts(request.session.get("person"), language_of(request), 0),
    }
    return pages.render(request, "privacy/data.html", context)


@router.get("/min-side/data.json", name="my_data_json")
async def my_data_json(
    request: Request, person: PersonDep, apis: ApisDep, settings: SettingsDep
) -> Response:
    answers = await queries.my_data(apis, person)
    person_id = next((str(a["person_id"]) for a in answers.values() if a.get("person_id")), "")
    now = datetime.now(UTC)
    session = session_facts(
        request.session.get("person"), language_of(request), settings.session_ttl_s
    )
    merged = merged_export(person_id, answers, now, session=session)
    return _download(export_json(merged), export_filename(None, now))


# --- erase me ----------------------------------------------------------------------------------


def _erasure_page(
    request: Request,
    pages: Pages,
    *,
    errors: Mapping[str, str] | None = None,
    refusal: str | None = None,
    clubs: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "errors": _translated(pages, request, errors or {}),
        "refusal": refusal,
        "clubs": clubs or [],
    }
    return pages.render(request, "privacy/erase.html", context, status_code=status_code)


@router.get("/min-side/slett", name="erase_me_page")
async def erase_me_page(request: Request, person: PersonDep, pages: PagesDep) -> Response:
    return _erasure_page(request, pages)


@router.post("/min-side/slett", name="erase_me")
async def erase_me(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    confirmed: Annotated[str, Form(max_length=FORM_TEXT)] = "",
) -> Response:
    if confirmed != "ja":
        errors = {"confirmed": NOT_CONFIRMED}
        return _erasure_page(request, pages, errors=errors, status_code=422)
    try:
        await use_cases.erase_me(apis, person)
    except ApiRefused as refused:
        if refused.status not in REFUSED:
            raise
        clubs = administered_clubs(await queries.me(apis, person))
        text = refused.detail(language_of(request))
        return _erasure_page(request, pages, refusal=text, clubs=clubs, status_code=refused.status)
    request.session.clear()  # the person no longer exists: the session ends with them
    return RedirectResponse("/min-side/slettet", status_code=303)


@router.get("/min-side/slettet", name="erased")
async def erased(request: Request, pages: PagesDep) -> Response:
    return pages.render(request, "privacy/erased.html", {})


# --- the municipality's admins: the access log ----------------------------------------------------


def _admin_render(
    request: Request, pages: Pages, template: str, context: Mapping[str, Any], status: int = 200
) -> Response:
    flash = request.session.pop(FLASH, None)
    values = {"flash": flash if isinstance(flash, str) else None, **context}
    return pages.render(request, template, values, status_code=status)


@admin_router.get("/admin/personvern", name="privacy_admin")
async def privacy_admin() -> Response:
    return RedirectResponse("/admin/personvern/tilgangslogg", status_code=303)


@admin_router.get("/admin/personvern/tilgangslogg", name="access_log")
async def access_log(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    person_id: Annotated[str, Query(alias="person", max_length=FORM_TEXT)] = "",
    first: Annotated[str, Query(alias="fra", max_length=FORM_TEXT)] = "",
    last: Annotated[str, Query(alias="til", max_length=FORM_TEXT)] = "",
) -> Response:
    form = AccessLogFilter(person_id, first, last)
    params = form.params()
    entries = []
    unanswered: list[str] = []
    if params is not None:
        by_service = await queries.access_log(apis, person.access_token, params)
        unanswered = [service for service, rows in by_service.items() if rows is None]
        entries = merged_access_log({s: rows for s, rows in by_service.items() if rows})
    context = {
        "form": form,
        "errors": {
            LOG_FIELDS.get(name, name): text
            for name, text in _translated(pages, request, form.errors).items()
        },
        "entries": entries,
        "unanswered": [pages.gettext(request, SERVICE_NAMES.get(s, s)) for s in unanswered],
        "service_names": SERVICE_NAMES,
    }
    status = 200 if params is not None else 422
    return _admin_render(request, pages, "privacy/access_log.html", context, status)


# --- the municipality's admins: a written request for a person's data --------------------------


def _request_page(
    request: Request,
    pages: Pages,
    template: str,
    form: WrittenRequest,
    *,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "form": form,
        "errors": _translated(pages, request, form.errors),
        "refusal": refusal,
    }
    return _admin_render(request, pages, template, context, status_code)


@admin_router.get("/admin/personvern/innsyn", name="person_data_page")
async def person_data_page(request: Request, pages: PagesDep) -> Response:
    return _request_page(request, pages, "privacy/person_data.html", WrittenRequest())


@admin_router.post("/admin/personvern/innsyn", name="person_data")
async def person_data(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    person_id: Annotated[str, Form(max_length=FORM_TEXT)] = "",
    reason: Annotated[str, Form(max_length=REASON_TEXT)] = "",
) -> Response:
    form = WrittenRequest(person_id, reason)
    checked = form.checked()
    template = "privacy/person_data.html"
    if checked is None:
        return _request_page(request, pages, template, form, status_code=422)
    subject, why = checked
    try:
        answers = await queries.person_data(apis, person.access_token, subject, why)
    except ApiRefused as refused:
        if refused.status not in REFUSED:
            raise
        text = refused.detail(language_of(request))
        return _request_page(
            request, pages, template, form, refusal=text, status_code=refused.status
        )
    now = datetime.now(UTC)
    merged = merged_export(subject, answers, now, reason=why)
    return _download(export_json(merged), export_filename(subject, now))


# --- the municipality's admins: a written request for erasure -----------------------------------


@admin_router.get("/admin/personvern/sletting", name="erase_person_page")
async def erase_person_page(request: Request, pages: PagesDep) -> Response:
    return _request_page(request, pages, "privacy/erase_person.html", WrittenRequest())


@admin_router.post("/admin/personvern/sletting", name="erase_person")
async def erase_person(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    person_id: Annotated[str, Form(max_length=FORM_TEXT)] = "",
    reason: Annotated[str, Form(max_length=REASON_TEXT)] = "",
    confirmed: Annotated[str, Form(max_length=FORM_TEXT)] = "",
) -> Response:
    form = WrittenRequest(person_id, reason, confirmed == "ja")
    checked = form.checked(needs_confirmation=True)
    template = "privacy/erase_person.html"
    if checked is None:
        return _request_page(request, pages, template, form, status_code=422)
    subject, why = checked
    try:
        await use_cases.erase_person(apis, person.access_token, subject, why)
    except ApiRefused as refused:
        if refused.status not in REFUSED:
            raise
        text = refused.detail(language_of(request))
        return _request_page(
            request, pages, template, form, refusal=text, status_code=refused.status
        )
    request.session[FLASH] = PERSON_ERASED
    return RedirectResponse("/admin/personvern/sletting", status_code=303)
