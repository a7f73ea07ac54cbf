"""`/admin/soknadsrunder`: the municipality's application rounds. The administrator creates a
round, follows its applications, closes it, runs and adjusts the allocation, marks it handled,
publishes the results and then sees the waiting list. Everyone else gets a 403 page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from babel import dates
from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from portal.admin.routes import admin_only
from portal.apis import ApiRefused, Apis
from portal.dependencies import ApisDep, PagesDep, PersonDep
from portal.domain import rounds as rules
from portal.domain.clubs import fields_in_error
from portal.pages import LOCALES, N_, Language, Pages, language_of
from portal.rounds import queries, schemas, use_cases
from samspill.ids import parse_uuid

router = APIRouter(dependencies=[Depends(admin_only)])

FLASH = "rounds.flash"
FORM_STATUSES = frozenset({400, 409, 422})
CREATED = N_("The round is created.")
SAVED = N_("The round is saved.")
CLOSED = N_("Applications are closed: the round is in allocation.")
RAN = N_("The allocation has run. Check it below.")
LOCKED = N_("The time is locked: a new run keeps it.")
UNLOCKED = N_("The time is unlocked: a new run may move it.")
REMOVED = N_("The time is removed from the allocation.")
FORCED = N_("The time is forced into the allocation.")
ACCEPTED = N_("The allocation is marked handled.")
REOPENED = N_("The allocation is open for changes again.")
PUBLISHED = N_("The results are published: the times are booked and every club is told.")


def _flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def _take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


def _id(text: str) -> str:
    found = parse_uuid(text)
    if found is None:
        raise HTTPException(404)
    return str(found)


def _see(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _page_of(round_id: str, anchor: str = "") -> str:
    return f"/admin/soknadsrunder/{round_id}" + (f"#{anchor}" if anchor else "")


def _day_names(language: Language) -> dict[int, str]:
    names = dates.get_day_names("wide", locale=LOCALES[language])
    return {day: str(names[day]).capitalize() for day in range(7)}


def _form_refusal(
    pages: Pages,
    request: Request,
    refused: ApiRefused,
    api_fields: Mapping[str, Sequence[str]],
) -> tuple[dict[str, str], str | None]:
    """A refused form's messages: the fields a validation error names, else the API's own
    words about the whole form. Access and missing things go on to the error pages."""
    if refused.status not in FORM_STATUSES:
        raise refused
    named = fields_in_error(refused.errors, api_fields)
    errors = {name: pages.gettext(request, rules.INVALID[name]) for name in named}
    explained = refused.problem.get("detail_nb") or not errors
    return errors, refused.detail(language_of(request)) if explained else None


def _translated(pages: Pages, request: Request, errors: Mapping[str, str]) -> dict[str, str]:
    return {name: pages.gettext(request, message) for name, message in errors.items()}


def _labels(request: Request) -> dict[str, Any]:
    return {
        "flash": _take_flash(request),
        "states": schemas.STATES,
        "state_colours": schemas.STATE_COLOURS,
        "date_labels": schemas.DATE_LABELS,
        "priority_labels": schemas.PRIORITY_LABELS,
        "class_labels": schemas.CLASS_LABELS,
        "age_groups": schemas.AGE_GROUPS,
        "outcome_labels": schemas.OUTCOMES,
        "outcome_colours": schemas.OUTCOME_COLOURS,
        "methods": schemas.METHODS,
        "waiting_labels": schemas.WAITING,
        "next_steps": schemas.NEXT_STEPS,
        "day_names": _day_names(language_of(request)),
        "weekday_options": {str(d): n for d, n in _day_names(language_of(request)).items()},
        "rules": rules,
    }


# --- the list and creating a round ----------------------------------------------------------


async def _list_page(
    request: Request,
    apis: Apis,
    pages: Pages,
    token: str,
    form: rules.RoundForm | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    found = await queries.rounds(apis, token)
    halls = await queries.hall_choices(apis)
    context = {
        **_labels(request),
        "rounds": found,
        "form": form or rules.RoundForm(),
        "halls": halls,
        "refusal": refusal,
    }
    return pages.render(request, "rounds/index.html", context, status_code=status_code)


@router.get("/admin/soknadsrunder", name="rounds")
async def rounds_page(
    request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    return await _list_page(request, apis, pages, person.access_token)


@router.post("/admin/soknadsrunder")
async def create_round(
    request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    halls = await queries.hall_choices(apis)
    known = [hall.space_id for site in halls for hall in site.halls]
    form = rules.RoundForm.read(_values(await request.form()), known)
    token = person.access_token
    if form.errors:
        form.errors = _translated(pages, request, form.errors)
        return await _list_page(request, apis, pages, token, form, status_code=422)
    try:
        round_id = await use_cases.create_round(apis, token, form)
    except ApiRefused as refused:
        form.errors, refusal = _form_refusal(pages, request, refused, rules.ROUND_API_FIELDS)
        return await _list_page(request, apis, pages, token, form, refusal, refused.status)
    _flash(request, CREATED)
    return _see(_page_of(round_id))


def _values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in form:
        if name in ("space_ids", "weekdays"):
            values[name] = [str(v) for v in form.getlist(name)][:500]
        elif name != "csrf_token":
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
    return values


# --- one round --------------------------------------------------------------------------------


async def _round_page(
    request: Request,
    apis: Apis,
    pages: Pages,
    token: str,
    round_id: str,
    *,
    edit_form: rules.RoundForm | None = None,
    edit_refusal: str | None = None,
    force_form: rules.ForceForm | None = None,
    force_refusal: str | None = None,
    run_errors: dict[str, str] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    page = await queries.round_page(apis, token, round_id)
    found = page.round
    allocation = page.allocation or {}
    spaces = found.get("spaces", [])
    names = rules.space_choices(spaces)
    editing = rules.editable(str(found.get("state")))
    context = {
        **_labels(request),
        "round": found,
        "page": page,
        "editable": editing,
        "edit_form": edit_form or (rules.RoundForm.of(found) if editing else None),
        "edit_refusal": edit_refusal,
        "halls": await queries.hall_choices(apis) if editing else [],
        "space_names": names,
        "sections": rules.section_choices(page.applications),
        "force_form": force_form or rules.ForceForm(),
        "force_refusal": force_refusal,
        "run_errors": run_errors or {},
        "refusal": refusal,
        "figures": rules.figures(allocation.get("run")),
        "grids": rules.hall_grids(
            spaces,
            allocation.get("times", []),
            found.get("weekdays", []),
            str(found.get("evening_start", "17:00")),
            str(found.get("evening_end", "23:00")),
        ),
        "times": sorted(
            allocation.get("times", []),
            key=lambda t: (
                str(t.get("space_name", "")),
                int(t["weekday"]),
                rules.minutes(t["start"]),
            ),
        ),
        "outcomes": allocation.get("outcomes", []),
    }
    return pages.render(request, "rounds/round.html", context, status_code=status_code)


@router.get("/admin/soknadsrunder/{round_id}", name="round")
async def round_page(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    return await _round_page(request, apis, pages, person.access_token, _id(round_id))


@router.post("/admin/soknadsrunder/{round_id}")
async def update_round(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    halls = await queries.hall_choices(apis)
    known = [hall.space_id for site in halls for hall in site.halls]
    form = rules.RoundForm.read(_values(await request.form()), known)
    if form.errors:
        form.errors = _translated(pages, request, form.errors)
        return await _round_page(
            request, apis, pages, token, round_id, edit_form=form, status_code=422
        )
    try:
        await use_cases.update_round(apis, token, round_id, form)
    except ApiRefused as refused:
        form.errors, message = _form_refusal(pages, request, refused, rules.ROUND_API_FIELDS)
        return await _round_page(
            request,
            apis,
            pages,
            token,
            round_id,
            edit_form=form,
            edit_refusal=message,
            status_code=refused.status,
        )
    _flash(request, SAVED)
    return _see(_page_of(round_id))


async def _action(
    request: Request,
    apis: Apis,
    pages: Pages,
    token: str,
    round_id: str,
    send: Any,
    done: str,
    anchor: str,
) -> Response:
    """Does what a button asks: back to the round with `done`, or the round with the API's
    refusal at the top (nothing changed)."""
    try:
        await send
    except ApiRefused as refused:
        if refused.status not in FORM_STATUSES:
            raise
        message = refused.detail(language_of(request))
        return await _round_page(
            request, apis, pages, token, round_id, refusal=message, status_code=refused.status
        )
    _flash(request, done)
    return _see(_page_of(round_id, anchor))


@router.post("/admin/soknadsrunder/{round_id}/lukk")
async def close_round(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.close_round(apis, token, round_id)
    return await _action(request, apis, pages, token, round_id, send, CLOSED, "")


@router.post("/admin/soknadsrunder/{round_id}/fordeling")
async def run_allocation(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    choice, errors = rules.read_run(_values(await request.form()))
    if choice is None:
        return await _round_page(
            request,
            apis,
            pages,
            token,
            round_id,
            run_errors=_translated(pages, request, errors),
            status_code=422,
        )
    send = use_cases.run_allocation(apis, token, round_id, choice)
    return await _action(request, apis, pages, token, round_id, send, RAN, "fordeling")


@router.post("/admin/soknadsrunder/{round_id}/tider/{time_id}/las")
async def lock_time(
    round_id: str,
    time_id: str,
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.lock_time(apis, token, round_id, _id(time_id), lock=True)
    return await _action(request, apis, pages, token, round_id, send, LOCKED, "tider")


@router.post("/admin/soknadsrunder/{round_id}/tider/{time_id}/las-opp")
async def unlock_time(
    round_id: str,
    time_id: str,
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.lock_time(apis, token, round_id, _id(time_id), lock=False)
    return await _action(request, apis, pages, token, round_id, send, UNLOCKED, "tider")


@router.post("/admin/soknadsrunder/{round_id}/tider/{time_id}/fjern")
async def remove_time(
    round_id: str,
    time_id: str,
    request: Request,
    apis: ApisDep,
    pages: PagesDep,
    person: PersonDep,
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.remove_time(apis, token, round_id, _id(time_id))
    return await _action(request, apis, pages, token, round_id, send, REMOVED, "tider")


@router.post("/admin/soknadsrunder/{round_id}/tider")
async def force_time(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    page = await queries.round_page(apis, token, round_id)
    form = rules.ForceForm.read(
        _values(await request.form()),
        rules.section_choices(page.applications),
        rules.space_choices(page.round.get("spaces", [])),
    )
    if form.errors:
        form.errors = _translated(pages, request, form.errors)
        return await _round_page(
            request, apis, pages, token, round_id, force_form=form, status_code=422
        )
    try:
        await use_cases.force_time(apis, token, round_id, form)
    except ApiRefused as refused:
        form.errors, message = _form_refusal(pages, request, refused, rules.FORCE_API_FIELDS)
        return await _round_page(
            request,
            apis,
            pages,
            token,
            round_id,
            force_form=form,
            force_refusal=message,
            status_code=refused.status,
        )
    _flash(request, FORCED)
    return _see(_page_of(round_id, "tider"))


@router.post("/admin/soknadsrunder/{round_id}/godkjenn")
async def accept(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.accept(apis, token, round_id)
    return await _action(request, apis, pages, token, round_id, send, ACCEPTED, "")


@router.post("/admin/soknadsrunder/{round_id}/gjenapne")
async def reopen(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.reopen(apis, token, round_id)
    return await _action(request, apis, pages, token, round_id, send, REOPENED, "")


@router.get("/admin/soknadsrunder/{round_id}/publiser", name="round_publish")
async def publish_page(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    page = await queries.round_page(apis, person.access_token, _id(round_id))
    outcomes = (page.allocation or {}).get("outcomes", [])
    counts = {status: 0 for status in schemas.OUTCOMES}
    for outcome in outcomes:
        counts[str(outcome.get("status"))] = counts.get(str(outcome.get("status")), 0) + 1
    context = {
        **_labels(request),
        "round": page.round,
        "applications": page.applications,
        "times": (page.allocation or {}).get("times", []),
        "counts": counts,
    }
    return pages.render(request, "rounds/publish.html", context)


@router.post("/admin/soknadsrunder/{round_id}/publiser")
async def publish(
    round_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    round_id, token = _id(round_id), person.access_token
    send = use_cases.publish(apis, token, round_id)
    return await _action(request, apis, pages, token, round_id, send, PUBLISHED, "venteliste")
