"""The facility manager's pages under `/drift`: a site (`/drift/steder/{id}`) with its spaces,
requests waiting and closures; a space's release windows (`/drift/lokaler/{id}`) and week grid
(`/drift/lokaler/{id}/uke`); closing with a preview; approving and rejecting requests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel import dates
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.dependencies import ApisDep, LanguageDep, PagesDep, PersonDep
from portal.domain import manage as rules
from portal.domain.clubs import fields_in_error
from portal.manage import queries, use_cases
from portal.manage.schemas import CLOSURE_REASONS, STATES, form_values
from portal.pages import LOCALES, Language
from portal.preparedness import use_cases as preparedness
from portal.preparedness.schemas import SitePreparednessForm
from samspill.recurrence import OSLO

router = APIRouter()
# Holidays close the schools by themselves; the site page shows only the coming ones.
HOLIDAY_HORIZON = timedelta(days=60)


def _refusal(refused: ApiRefused, language: Language) -> str:
    """The API's refusal in words, for the form to show. A refusal of access or of a missing
    thing is not the form's to show and goes on to the error page."""
    if refused.status in (401, 403, 404):
        raise refused
    return refused.detail(language)


def _today() -> date:
    return datetime.now(OSLO).date()


def _weekdays(language: Language) -> list[tuple[int, str]]:
    names = dates.get_day_names("wide", locale=LOCALES[language])
    return [(day, str(names[day]).capitalize()) for day in range(7)]


def _day_names(days: list[int], language: Language) -> str:
    names = dict(_weekdays(language))
    return ", ".join(names[day].lower() for day in sorted(days) if day in names)


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


# --- the site -------------------------------------------------------------------------------------


async def _site_page(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    token: str,
    site_id: uuid.UUID,
    *,
    facts_form: SitePreparednessForm | None = None,
    status_code: int = 200,
) -> Response:
    now = datetime.now(UTC)
    site, spaces, waiting, closures = await asyncio.gather(
        queries.site(apis, site_id),
        queries.spaces(apis, site_id),
        queries.site_bookings(apis, token, site_id, now, status="requested"),
        queries.closures(apis, site_id, now),
    )
    names = {str(s["space_id"]): s["name"] for s in spaces}
    done = request.query_params.get("gjort", "")
    context = {
        "site": site,
        "spaces": spaces,
        "space_names": names,
        "waiting": waiting,
        "closures": rules.listed_closures(closures, now, HOLIDAY_HORIZON),
        "holiday_days": HOLIDAY_HORIZON.days,
        "reasons": CLOSURE_REASONS,
        "done": done,
        "facts_form": facts_form or SitePreparednessForm.of(site),
        "facts_saved": done == "beredskap",
    }
    return pages.render(request, "manage/site.html", context, status_code=status_code)


@router.get("/drift/steder/{site_id}", name="managed_site")
async def site_page(
    request: Request, site_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    await queries.ensure_manager(apis, person.access_token, site_id)
    return await _site_page(request, pages, apis, person.access_token, site_id)


@router.post("/drift/steder/{site_id}/beredskap", name="managed_site_preparedness")
async def set_site_preparedness(
    request: Request,
    site_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    """The site's preparedness facts (facilities lets the site's managers set them)."""
    token = person.access_token
    await queries.ensure_manager(apis, token, site_id)
    form = SitePreparednessForm.parse(await request.form())
    status = 422
    if not form.errors:
        try:
            await preparedness.set_site_facts(apis, token, str(site_id), form)
        except ApiRefused as refused:
            status = refused.status
            named = fields_in_error(refused.errors, form.API_FIELDS)
            form.errors = {name: form.INVALID[name] for name in named}
            if not named:
                detail = _refusal(refused, language)
                form.errors = {"evacuation_capacity": detail}
    if form.errors:
        form.errors = {
            name: text if text not in form.INVALID.values() else pages.gettext(request, text)
            for name, text in form.errors.items()
        }
        return await _site_page(
            request, pages, apis, token, site_id, facts_form=form, status_code=status
        )
    return _see_other(f"/drift/steder/{site_id}?gjort=beredskap#beredskap")


# --- requests -------------------------------------------------------------------------------------


@router.post("/drift/bookinger/{booking_id}/godkjenn", name="approve_request")
async def approve_request(booking_id: uuid.UUID, apis: ApisDep, person: PersonDep) -> Response:
    token = person.access_token
    found = await queries.booking(apis, token, booking_id)
    await use_cases.approve(apis, token, booking_id)
    return _see_other(f"/drift/steder/{found['site_id']}?gjort=godkjent")


@router.get("/drift/bookinger/{booking_id}/avvis", name="reject_request_form")
async def reject_form(
    request: Request, booking_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    found = await queries.booking(apis, person.access_token, booking_id)
    await queries.ensure_manager(apis, person.access_token, uuid.UUID(str(found["site_id"])))
    context = {"booking": found, "form": {"begrunnelse": ""}, "errors": {}}
    return pages.render(request, "manage/reject.html", context)


@router.post("/drift/bookinger/{booking_id}/avvis", name="reject_request")
async def reject_request(
    request: Request,
    booking_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    token = person.access_token
    posted = form_values(await request.form())
    found = await queries.booking(apis, token, booking_id)
    checked = rules.check_rejection(posted)
    context: dict[str, Any] = {"booking": found, "form": posted, "errors": checked.errors}
    if checked.value is None:
        return pages.render(request, "manage/reject.html", context, status_code=400)
    try:
        await use_cases.reject(apis, token, booking_id, checked.value)
    except ApiRefused as refused:
        context["refusal"] = _refusal(refused, language)
        return pages.render(request, "manage/reject.html", context, status_code=refused.status)
    return _see_other(f"/drift/steder/{found['site_id']}?gjort=avvist")


# --- a space's release windows --------------------------------------------------------------------


async def _space_page(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: Language,
    space_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    space = await queries.space(apis, space_id)
    site_id = uuid.UUID(str(space["site_id"]))
    await queries.ensure_manager(apis, person.access_token, site_id)
    site, windows = await asyncio.gather(
        queries.site(apis, site_id), queries.windows(apis, space_id)
    )
    today = _today()
    shown = [w for w in windows if str(w["valid_to"]) >= today.isoformat()]
    open_dates = await asyncio.gather(
        *(queries.window_dates(apis, space_id, w, today) for w in shown)
    )
    context = {
        "site": site,
        "space": space,
        "windows": [
            (window, found, _day_names(window.get("weekdays", []), language))
            for window, found in zip(shown, open_dates, strict=True)
        ],
        "weekdays": _weekdays(language),
        "form": form or {"type": "weekly", "ukedager": []},
        "errors": errors or {},
        "refusal": refusal,
        "done": request.query_params.get("gjort", ""),
    }
    return pages.render(request, "manage/space.html", context, status_code=status_code)


@router.get("/drift/lokaler/{space_id}", name="managed_space")
async def space_page(
    request: Request,
    space_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    return await _space_page(request, pages, apis, person, language, space_id)


@router.post("/drift/lokaler/{space_id}/vinduer", name="release_window")
async def release_window(
    request: Request,
    space_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    posted = form_values(await request.form(), lists=("ukedager",))
    checked = rules.check_release(posted)
    if checked.value is None:
        return await _space_page(
            request,
            pages,
            apis,
            person,
            language,
            space_id,
            form=posted,
            errors=checked.errors,
            status_code=400,
        )
    try:
        await use_cases.release(apis, person.access_token, space_id, checked.value)
    except ApiRefused as refused:
        return await _space_page(
            request,
            pages,
            apis,
            person,
            language,
            space_id,
            form=posted,
            refusal=_refusal(refused, language),
            status_code=refused.status,
        )
    return _see_other(f"/drift/lokaler/{space_id}?gjort=frigitt")


@router.post("/drift/lokaler/{space_id}/vinduer/{window_id}/trekk", name="withdraw_window")
async def withdraw(
    request: Request,
    space_id: uuid.UUID,
    window_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    posted = form_values(await request.form())
    token = person.access_token
    try:
        if posted.get("hele") == "1":
            await use_cases.withdraw_window(apis, token, space_id, window_id)
            return _see_other(f"/drift/lokaler/{space_id}?gjort=trukket")
        checked = rules.check_withdrawal(posted)
        if checked.value is None:
            return await _space_page(
                request,
                pages,
                apis,
                person,
                language,
                space_id,
                status_code=400,
                refusal=pages.gettext(request, rules.NEED_DATE),
            )
        await use_cases.withdraw_date(apis, token, space_id, window_id, checked.value)
    except ApiRefused as refused:
        return await _space_page(
            request,
            pages,
            apis,
            person,
            language,
            space_id,
            refusal=_refusal(refused, language),
            status_code=refused.status,
        )
    return _see_other(f"/drift/lokaler/{space_id}?gjort=dato-trukket")


# --- closures -------------------------------------------------------------------------------------


async def _closure_page(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: Language,
    site_id: uuid.UUID,
    form: dict[str, Any],
    *,
    confirm: bool = False,
) -> Response:
    token = person.access_token
    await queries.ensure_manager(apis, token, site_id)
    site, spaces = await asyncio.gather(queries.site(apis, site_id), queries.spaces(apis, site_id))
    context: dict[str, Any] = {
        "site": site,
        "spaces": spaces,
        "form": form,
        "errors": {},
        "reasons": CLOSURE_REASONS,
        "preview": None,
    }
    if request.method != "POST":
        return pages.render(request, "manage/closure.html", context)
    checked = rules.check_closing(form, str(site_id), [str(s["space_id"]) for s in spaces])
    if checked.value is None:
        context["errors"] = checked.errors
        return pages.render(request, "manage/closure.html", context, status_code=400)
    closing = checked.value
    try:
        if confirm:
            await use_cases.close(apis, token, closing)
            return _see_other(f"/drift/steder/{site_id}?gjort=stengt")
        context["preview"] = await _preview(apis, token, site_id, spaces, closing)
    except ApiRefused as refused:
        context["refusal"] = _refusal(refused, language)
        return pages.render(request, "manage/closure.html", context, status_code=refused.status)
    return pages.render(request, "manage/closure.html", context)


async def _preview(
    apis: ApisDep,
    token: str,
    site_id: uuid.UUID,
    spaces: list[dict[str, Any]],
    closing: rules.Closing,
) -> dict[str, Any]:
    if closing.end <= datetime.now(UTC):
        raise ApiRefused(
            422,
            {
                "detail": "The closure lies entirely in the past.",
                "detail_nb": "Stengingen ligger helt i fortiden.",
            },
        )
    found = await queries.site_bookings(apis, token, site_id, closing.start, closing.end)
    conflicts = {str(s["space_id"]): [str(i) for i in s.get("conflicts_with", [])] for s in spaces}
    cancelled = rules.cancelled_by(
        closing.space_id, conflicts, found, closing.start, closing.end, datetime.now(UTC)
    )
    names = {str(s["space_id"]): s["name"] for s in spaces}
    return {
        "closing": closing,
        "space_name": names.get(closing.space_id or ""),
        "bookings": cancelled,
        "clubs": rules.clubs_told(cancelled),
    }


@router.get("/drift/steder/{site_id}/stenging", name="closure_form")
async def closure_form(
    request: Request,
    site_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    form = {"omfang": request.query_params.get("lokale", "site"), "arsak": ""}
    return await _closure_page(request, pages, apis, person, language, site_id, form)


@router.post("/drift/steder/{site_id}/stenging", name="close")
async def close(
    request: Request,
    site_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    form = form_values(await request.form())
    confirm = form.get("steg") == "bekreft"
    return await _closure_page(
        request, pages, apis, person, language, site_id, form, confirm=confirm
    )


@router.post("/drift/steder/{site_id}/stenginger/{closure_id}/opphev", name="lift_closure")
async def lift_closure(
    site_id: uuid.UUID, closure_id: uuid.UUID, apis: ApisDep, person: PersonDep
) -> Response:
    await use_cases.lift(apis, person.access_token, closure_id)
    return _see_other(f"/drift/steder/{site_id}?gjort=opphevet")


# --- the caretaker's week grid --------------------------------------------------------------------


@router.get("/drift/lokaler/{space_id}/uke", name="space_week")
async def space_week(
    request: Request, space_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    token = person.access_token
    space = await queries.space(apis, space_id)
    site_id = uuid.UUID(str(space["site_id"]))
    await queries.ensure_manager(apis, token, site_id)
    asked = request.query_params.get("dato", "")
    day = rules.parse_date(asked) if asked else None
    first = rules.week_start(day or _today())
    site = await queries.site(apis, site_id)
    week = await queries.space_week(apis, token, space, first, rules.GRID_DAYS)
    hours = rules.grid_hours(week.released)
    grid = rules.space_week(first, hours, week.released, week.closed, week.held)
    context = {
        "site": site,
        "space": space,
        "grid": grid,
        "hours": range(*hours),
        "first": first,
        "last": first + timedelta(days=rules.GRID_DAYS - 1),
        "previous": (first - timedelta(days=7)).isoformat(),
        "next": (first + timedelta(days=7)).isoformat(),
        "states": STATES,
        "bad_date": bool(asked) and day is None,
        "asked": asked,
    }
    return pages.render(request, "manage/week.html", context)
