"""`/bookinger/{id}/gi-tilbake` and `/serier/{id}/gi-tilbake` (give a date or the rest of a
series back, after a confirmation) and `/lag/{id}/venteliste` (the club's direct waiting
list: join and leave)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from babel import dates
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.applications.schemas import AGE_GROUPS
from portal.bookings.queries import halls
from portal.dependencies import ApisDep, LanguageDep, PagesDep, PersonDep
from portal.domain.giving_back import WaitingForm, may_give_back, rest_from
from portal.giving_back import queries, use_cases
from portal.giving_back.schemas import ENTRY_STATUSES, PROBLEMS
from portal.pages import LOCALES, N_, Language, Pages
from samspill.ids import parse_uuid

router = APIRouter()

FLASH = "giving_back.flash"
# Refusals shown on the page with nothing changed; 401 and 404 go to their own pages.
SHOWN = frozenset({400, 403, 409, 422})
JOINED = N_("The club is on the waiting list. Time given back that fits is offered to it.")
LEFT = N_("The club has left the waiting list for that time.")
BAD_DATE = N_("Write the date as dd.mm.yyyy.")


def _id(text: str) -> uuid.UUID:
    found = parse_uuid(text)
    if found is None:
        raise HTTPException(404)
    return found


def _shown(refused: ApiRefused) -> None:
    if refused.status not in SHOWN:
        raise refused


def _take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


def _weekdays(language: Language) -> dict[int, str]:
    names = dates.get_day_names("wide", locale=LOCALES[language])
    return {day: str(names[day]).capitalize() for day in range(7)}


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


# --- one date ---------------------------------------------------------------------------------


def _give_back_page(
    request: Request,
    pages: Pages,
    booking: dict[str, Any],
    *,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "booking": booking,
        "givable": may_give_back(booking, datetime.now(UTC)),
        "refusal": refusal,
    }
    return pages.render(request, "giving_back/give_back.html", context, status_code=status_code)


@router.get("/bookinger/{booking_id}/gi-tilbake", name="give_back_form")
async def give_back_form(
    request: Request, booking_id: str, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    found = await queries.booking(apis, person.access_token, _id(booking_id))
    return _give_back_page(request, pages, found)


@router.post("/bookinger/{booking_id}/gi-tilbake", name="give_back")
async def give_back(
    request: Request,
    booking_id: str,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    wanted, token = _id(booking_id), person.access_token
    try:
        await use_cases.give_back_date(apis, token, wanted)
    except ApiRefused as refused:
        _shown(refused)
        found = await queries.booking(apis, token, wanted)
        return _give_back_page(
            request,
            pages,
            found,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    return _see_other(f"/bookinger/{wanted}?gitt_tilbake=1")


# --- the rest of a series ---------------------------------------------------------------------


def _read_date(text: str) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None


def _rest_page(
    request: Request,
    pages: Pages,
    series: dict[str, Any],
    *,
    typed: str | None = None,
    error: str | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    first = rest_from(series.get("created", []), datetime.now(UTC))
    context = {
        "series": series,
        "first": first,
        "typed": typed if typed is not None else (first.isoformat() if first else ""),
        "errors": {"fra": error} if error else {},
        "refusal": refusal,
    }
    return pages.render(
        request, "giving_back/give_back_rest.html", context, status_code=status_code
    )


@router.get("/serier/{series_id}/gi-tilbake", name="give_back_rest_form")
async def give_back_rest_form(
    request: Request, series_id: str, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    found = await queries.series(apis, person.access_token, _id(series_id))
    return _rest_page(request, pages, found)


@router.post("/serier/{series_id}/gi-tilbake", name="give_back_rest")
async def give_back_rest(
    request: Request,
    series_id: str,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    wanted, token = _id(series_id), person.access_token
    typed = str((await request.form()).get("fra") or "")[:20]
    from_date = _read_date(typed)
    if from_date is None:
        found = await queries.series(apis, token, wanted)
        error = pages.gettext(request, BAD_DATE)
        return _rest_page(request, pages, found, typed=typed, error=error, status_code=422)
    try:
        freed = await use_cases.give_back_rest(apis, token, wanted, from_date)
    except ApiRefused as refused:
        _shown(refused)
        found = await queries.series(apis, token, wanted)
        return _rest_page(
            request,
            pages,
            found,
            typed=typed,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    count = len(freed.get("cancelled", []))
    return _see_other(f"/serier/{wanted}?gitt_tilbake={count}")


# --- the direct waiting list ------------------------------------------------------------------


async def _waiting_page(
    request: Request,
    pages: Pages,
    apis: ApisDep,
    token: str,
    language: Language,
    organisation_id: uuid.UUID,
    *,
    form: WaitingForm | None = None,
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    club = await queries.club(apis, token, organisation_id)
    entries = await queries.waiting_list(apis, token, organisation_id)
    found_halls = await halls(apis)
    context = {
        "club": club,
        "entries": entries,
        "halls": found_halls,
        "hall_names": {hall.space_id: hall.label for hall in found_halls},
        "weekdays": _weekdays(language),
        "age_groups": AGE_GROUPS,
        "statuses": ENTRY_STATUSES,
        "form": form or WaitingForm(),
        "errors": errors or {},
        "refusal": refusal,
        "flash": _take_flash(request),
    }
    return pages.render(request, "giving_back/waiting_list.html", context, status_code=status_code)


@router.get("/lag/{organisation_id}/venteliste", name="club_waiting_list")
async def waiting_list(
    request: Request,
    organisation_id: str,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    club = _id(organisation_id)
    return await _waiting_page(request, pages, apis, person.access_token, language, club)


@router.post("/lag/{organisation_id}/venteliste", name="join_waiting_list")
async def join_waiting_list(
    request: Request,
    organisation_id: str,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    club, token = _id(organisation_id), person.access_token
    form = WaitingForm.parse(await request.form())
    spaces = [hall.space_id for hall in await halls(apis)]
    problems = form.problems(spaces, AGE_GROUPS)
    if problems:
        errors = {name: pages.gettext(request, PROBLEMS[code]) for name, code in problems.items()}
        return await _waiting_page(
            request, pages, apis, token, language, club, form=form, errors=errors, status_code=422
        )
    try:
        await use_cases.join(apis, token, form.body(str(club)))
    except ApiRefused as refused:
        _shown(refused)
        return await _waiting_page(
            request,
            pages,
            apis,
            token,
            language,
            club,
            form=form,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    request.session[FLASH] = JOINED
    return _see_other(f"/lag/{club}/venteliste")


@router.post("/lag/{organisation_id}/venteliste/{entry_id}/forlat", name="leave_waiting_list")
async def leave_waiting_list(
    request: Request,
    organisation_id: str,
    entry_id: str,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    club, token = _id(organisation_id), person.access_token
    try:
        await use_cases.leave(apis, token, _id(entry_id))
    except ApiRefused as refused:
        _shown(refused)
        return await _waiting_page(
            request,
            pages,
            apis,
            token,
            language,
            club,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    request.session[FLASH] = LEFT
    return _see_other(f"/lag/{club}/venteliste")
