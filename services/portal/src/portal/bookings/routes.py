"""`/booking/ny` (book a hall for a club: one evening or weekly), `/lag/{id}/bookinger` (the
club's bookings), `/bookinger/{id}` and `/serier/{id}` (one booking or series, and cancelling)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from babel import dates
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.bookings import queries, use_cases
from portal.bookings.schemas import BookingChoice, BookingForm, check
from portal.dependencies import ApisDep, LanguageDep, PagesDep, PersonDep
from portal.domain.bookings import Stretch, split_by_time
from portal.domain.giving_back import may_give_back
from portal.pages import LOCALES, Language

router = APIRouter()

ACTIVE = ("requested", "confirmed")
MAX_KEY = 100


def _weekdays(language: Language) -> list[tuple[int, str]]:
    names = dates.get_day_names("wide", locale=LOCALES[language])
    return [(day, str(names[day]).capitalize()) for day in range(7)]


def _refill_link(form: BookingForm, fields: dict[str, str]) -> str:
    values = {k: v for k, v in {**form.values(), **fields, "type": "single"}.items() if v}
    return "/booking/ny?" + urlencode(values)


async def _form_page(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: Language,
    form: BookingForm,
    *,
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
    suggestions: list[dict[str, Any]] | None = None,
    preview: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    clubs = await queries.bookable_clubs(apis, person.access_token)
    if not form.lag and len(clubs) == 1:
        form = BookingForm.of({**form.values(), "lag": clubs[0].organisation_id})
    halls = await queries.halls(apis) if clubs else []
    chosen = next((hall for hall in halls if hall.space_id == form.lokale), None)
    context = {
        "form": form,
        "clubs": clubs,
        "halls": halls,
        "hall": chosen,
        "weekdays": _weekdays(language),
        "errors": errors or {},
        "refusal": refusal,
        "suggestions": suggestions or [],
        "preview": preview,
    }
    return pages.render(request, "bookings/new.html", context, status_code=status_code)


@router.get("/booking/ny", name="new_booking")
async def new_booking(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    form = BookingForm.of(request.query_params)
    return await _form_page(request, pages, apis, person, language, form)


@router.post("/booking/ny", name="send_booking")
async def send_booking(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    posted = await request.form()
    form = BookingForm.of(posted)
    checked = check(form)
    page = _Page(request, pages, apis, person, language, form)
    if checked.choice is None:
        return await page.show(errors=checked.errors, status_code=400)
    step = posted.get("steg")
    key = str(posted.get("nokkel") or "")[:MAX_KEY]
    if step == "bekreft" and key:
        return await _confirm(page, checked.choice, key)
    return await _preview(page, checked.choice)


class _Page:
    """The booking form page for one request, shown again with what went wrong or a preview."""

    def __init__(
        self,
        request: Request,
        pages: PagesDep,
        apis: ApisDep,
        person: PersonDep,
        language: Language,
        form: BookingForm,
    ) -> None:
        self.request, self.pages, self.apis = request, pages, apis
        self.person, self.language, self.form = person, language, form

    async def show(self, **context: Any) -> Response:
        return await _form_page(
            self.request, self.pages, self.apis, self.person, self.language, self.form, **context
        )

    async def refused(self, refused: ApiRefused, choice: BookingChoice) -> Response:
        if refused.status == 401:
            raise refused
        suggestions = []
        if refused.code == "conflict" and choice.kind == "single":
            refused_time = Stretch(choice.start, choice.end)
            for free in await queries.nearest_times(self.apis, choice.space_id, refused_time):
                fields = queries.local_fields(free)
                suggestions.append(
                    {"start": free.start, "end": free.end, "href": _refill_link(self.form, fields)}
                )
        return await self.show(
            refusal=refused.detail(self.language),
            suggestions=suggestions,
            status_code=refused.status,
        )


async def _preview(page: _Page, choice: BookingChoice) -> Response:
    token = page.person.access_token
    try:
        if choice.kind == "weekly":
            planned = await queries.series_preview(page.apis, token, choice.series_body())
            total = sum(int(item["price_ore"]) for item in planned["created"])
            preview = {"kind": "weekly", "total_ore": total, **planned}
        else:
            quote = await queries.price_quote(
                page.apis, choice.space_id, choice.start, choice.end, choice.audience
            )
            preview = {"kind": "single", "quote": quote, "total_ore": int(quote["total_ore"])}
    except ApiRefused as refused:
        return await page.refused(refused, choice)
    preview["key"] = uuid.uuid4().hex
    preview["choice"] = choice
    return await page.show(preview=preview)


async def _confirm(page: _Page, choice: BookingChoice, key: str) -> Response:
    try:
        target = await use_cases.book(page.apis, page.person.access_token, choice, key)
    except ApiRefused as refused:
        return await page.refused(refused, choice)
    return RedirectResponse(target + "?ny=1", status_code=303)


# --- the club's bookings ----------------------------------------------------------------------


@router.get("/lag/{organisation_id}/bookinger", name="club_bookings")
async def club_bookings(
    request: Request,
    organisation_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
) -> Response:
    token = person.access_token
    club = await queries.club(apis, token, organisation_id)
    bookings = await queries.club_bookings(apis, token, organisation_id)
    upcoming, past = split_by_time(
        bookings, datetime.now(UTC), lambda b: datetime.fromisoformat(b["end"])
    )
    upcoming.sort(key=lambda b: str(b["start"]))
    clubs = await queries.bookable_clubs(apis, token)
    may_book = any(c.organisation_id == str(organisation_id) for c in clubs)
    now = datetime.now(UTC)
    givable = {str(b["booking_id"]) for b in upcoming if may_book and may_give_back(b, now)}
    context = {
        "club": club,
        "upcoming": upcoming,
        "past": past,
        "may_book": may_book,
        "givable": givable,
    }
    return pages.render(request, "bookings/club.html", context)


# --- one booking ------------------------------------------------------------------------------


def _cancellable(booking: dict[str, Any]) -> bool:
    start = datetime.fromisoformat(booking["start"])
    return booking["status"] in ACTIVE and start > datetime.now(UTC)


@router.get("/bookinger/{booking_id}", name="booking")
async def booking_page(
    request: Request, booking_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    found = await queries.booking(apis, person.access_token, booking_id)
    context = {
        "booking": found,
        "cancellable": _cancellable(found),
        "givable": may_give_back(found, datetime.now(UTC)),
        "created": request.query_params.get("ny") == "1",
        "cancelled": request.query_params.get("avbestilt") == "1",
        "given_back": request.query_params.get("gitt_tilbake") == "1",
    }
    return pages.render(request, "bookings/booking.html", context)


@router.get("/bookinger/{booking_id}/avbestill", name="cancel_booking_form")
async def cancel_booking_form(
    request: Request, booking_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    found = await queries.booking(apis, person.access_token, booking_id)
    return _cancel_page(request, pages, found, action=f"/bookinger/{booking_id}/avbestill")


def _cancel_page(
    request: Request,
    pages: PagesDep,
    booking: dict[str, Any] | None,
    *,
    action: str,
    series: dict[str, Any] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {"booking": booking, "series": series, "action": action, "refusal": refusal}
    return pages.render(request, "bookings/cancel.html", context, status_code=status_code)


@router.post("/bookinger/{booking_id}/avbestill", name="cancel_booking")
async def cancel_booking(
    request: Request,
    booking_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    token = person.access_token
    try:
        await use_cases.cancel_booking(apis, token, booking_id)
    except ApiRefused as refused:
        if refused.status in (401, 404):
            raise
        found = await queries.booking(apis, token, booking_id)
        action = f"/bookinger/{booking_id}/avbestill"
        message = refused.detail(language)
        return _cancel_page(
            request, pages, found, action=action, refusal=message, status_code=refused.status
        )
    return RedirectResponse(f"/bookinger/{booking_id}?avbestilt=1", status_code=303)


# --- a weekly series --------------------------------------------------------------------------


@router.get("/serier/{series_id}", name="series")
async def series_page(
    request: Request,
    series_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    found = await queries.series(apis, person.access_token, series_id)
    return await _series_page(request, pages, apis, person, language, found)


async def _series_page(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: Language,
    found: dict[str, Any],
    *,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    dates_ = sorted(found["created"], key=lambda b: str(b["start"]))
    organisation_id = found.get("organisation_id")
    teams = (
        await queries.teams(apis, person.access_token, organisation_id) if organisation_id else []
    )
    context = {
        "teams": teams,
        "team_refusal": refusal,
        "team_changed": request.query_params.get("gruppe") == "1",
        "series": found,
        "weekday_name": dict(_weekdays(language))[int(found["weekday"])],
        "occurrences": [(b, _cancellable(b)) for b in dates_],
        "any_cancellable": any(_cancellable(b) for b in dates_),
        "any_givable": bool(organisation_id)
        and any(
            may_give_back({**b, "organisation_id": organisation_id}, datetime.now(UTC))
            for b in dates_
        ),
        "given_back": request.query_params.get("gitt_tilbake"),
        "created": request.query_params.get("ny") == "1",
        "cancelled": request.query_params.get("avbestilt"),
        "kept": request.query_params.get("beholdt"),
    }
    return pages.render(request, "bookings/series.html", context, status_code=status_code)


@router.post("/serier/{series_id}/gruppe", name="hand_series_to_team")
async def hand_series_to_team(
    request: Request,
    series_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    chosen = str((await request.form()).get("team_id") or "").strip()[:MAX_KEY]
    try:
        team_id = uuid.UUID(chosen) if chosen else None
    except ValueError:
        raise ApiRefused(404) from None
    try:
        await use_cases.hand_to_team(apis, person.access_token, series_id, team_id)
    except ApiRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        found = await queries.series(apis, person.access_token, series_id)
        return await _series_page(
            request,
            pages,
            apis,
            person,
            language,
            found,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    return RedirectResponse(f"/serier/{series_id}?gruppe=1", status_code=303)


def _occurrence(series: dict[str, Any], booking_id: str | None) -> dict[str, Any] | None:
    return next((b for b in series["created"] if str(b["booking_id"]) == booking_id), None)


@router.get("/serier/{series_id}/avbestill", name="cancel_series_form")
async def cancel_series_form(
    request: Request, series_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    found = await queries.series(apis, person.access_token, series_id)
    one = request.query_params.get("dato")
    occurrence = _occurrence(found, one) if one else None
    if one and occurrence is None:
        raise ApiRefused(404)
    action = f"/serier/{series_id}/avbestill"
    return _cancel_page(request, pages, occurrence, action=action, series=found)


@router.post("/serier/{series_id}/avbestill", name="cancel_series")
async def cancel_series(
    request: Request,
    series_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    token = person.access_token
    posted = await request.form()
    one = str(posted.get("dato") or "")[:MAX_KEY]
    try:
        if one:
            await use_cases.cancel_occurrence(apis, token, series_id, uuid.UUID(one))
            return RedirectResponse(f"/serier/{series_id}?avbestilt=1", status_code=303)
        answer = await use_cases.cancel_rest(apis, token, series_id)
    except ValueError:
        raise ApiRefused(404) from None
    except ApiRefused as refused:
        if refused.status in (401, 404):
            raise
        found = await queries.series(apis, token, series_id)
        return _cancel_page(
            request,
            pages,
            _occurrence(found, one) if one else None,
            action=f"/serier/{series_id}/avbestill",
            series=found,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    query = urlencode({"avbestilt": "resten", "beholdt": len(answer.get("kept", []))})
    return RedirectResponse(f"/serier/{series_id}?{query}", status_code=303)
