"""`/aktiviteter` (the public activity guide, no login) and `/serier/{id}/aktivitet` (a club's
booker publishes a series in the guide or makes it private)."""

from __future__ import annotations

import uuid
from typing import Any

from babel import dates
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.dependencies import ApisDep, LanguageDep, PagesDep, PersonDep, SettingsDep
from portal.domain.feed_links import webcal_of
from portal.domain.guide import (
    AGE_GROUPS,
    LEVELS,
    ActivityForm,
    feed_path,
    form_from_activity,
    read_activity_form,
    read_search,
)
from portal.guide import queries, use_cases
from portal.guide.schemas import AGE_GROUP_LABELS, FORM_MESSAGES, LEVEL_LABELS
from portal.pages import LOCALES, Language
from samspill.districts import District

router = APIRouter()

DISTRICTS = [(d.value, d.label) for d in District]


def _weekdays(language: Language) -> dict[int, str]:
    names = dates.get_day_names("wide", locale=LOCALES[language])
    return {day: str(names[day]) for day in range(7)}


@router.get("/aktiviteter", name="guide")
async def guide_page(
    request: Request, pages: PagesDep, apis: ApisDep, settings: SettingsDep, language: LanguageDep
) -> Response:
    search = read_search(dict(request.query_params), [value for value, _ in DISTRICTS])
    found = await queries.guide(apis, search.params())
    feeds_base = settings.public_feeds_url.rstrip("/")
    cards: list[dict[str, Any]] = []
    for activity in found["activities"]:
        https = feeds_base + feed_path(activity["district"], activity["activity"])
        cards.append({**activity, "feed": https, "webcal": webcal_of(https)})
    context = {
        "search": search,
        "districts": DISTRICTS,
        "age_groups": AGE_GROUP_LABELS,
        "levels": LEVEL_LABELS,
        "activity_names": found["activity_names"],
        "cards": cards,
        "weekdays": _weekdays(language),
        "filtered": bool(search.params()),
    }
    return pages.render(request, "guide/guide.html", context)


@router.get("/serier/{series_id}/aktivitet", name="series_activity")
async def activity_form(
    request: Request, series_id: uuid.UUID, pages: PagesDep, apis: ApisDep, person: PersonDep
) -> Response:
    series = await queries.series(apis, person.access_token, series_id)
    current = await queries.public_activity(apis, person.access_token, series_id)
    return _form_page(request, pages, series, current, form_from_activity(current))


@router.post("/serier/{series_id}/aktivitet", name="publish_activity")
async def publish_activity(
    request: Request,
    series_id: uuid.UUID,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    language: LanguageDep,
) -> Response:
    form = read_activity_form(await request.form(), FORM_MESSAGES)
    if not form.errors:
        try:
            await use_cases.publish(apis, person.access_token, series_id, form.body())
        except ApiRefused as refused:
            if refused.status in (401, 403, 404):
                raise
            return await _refused(request, pages, apis, person, series_id, form, refused, language)
        return RedirectResponse(f"/serier/{series_id}/aktivitet?publisert=1", status_code=303)
    series = await queries.series(apis, person.access_token, series_id)
    current = await queries.public_activity(apis, person.access_token, series_id)
    return _form_page(request, pages, series, current, form, status_code=422)


@router.post("/serier/{series_id}/aktivitet/privat", name="make_activity_private")
async def make_private(series_id: uuid.UUID, apis: ApisDep, person: PersonDep) -> Response:
    await use_cases.make_private(apis, person.access_token, series_id)
    return RedirectResponse(f"/serier/{series_id}/aktivitet?privat=1", status_code=303)


async def _refused(
    request: Request,
    pages: PagesDep,
    apis: ApisDep,
    person: PersonDep,
    series_id: uuid.UUID,
    form: ActivityForm,
    refused: ApiRefused,
    language: Language,
) -> Response:
    """The booking API's refusal beside the field it names (or above the form), form kept."""
    fields = {str(refused.problem.get("field", ""))}
    named = [name for name in fields if name in FORM_MESSAGES]
    message = refused.detail(language)
    if named:
        for name in named:
            form.errors[name] = message
    series = await queries.series(apis, person.access_token, series_id)
    current = await queries.public_activity(apis, person.access_token, series_id)
    return _form_page(
        request,
        pages,
        series,
        current,
        form,
        refusal=None if named else message,
        status_code=refused.status,
    )


def _form_page(
    request: Request,
    pages: PagesDep,
    series: dict[str, Any],
    current: dict[str, Any] | None,
    form: ActivityForm,
    *,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "series": series,
        "current": current,
        "form": form,
        "errors": form.errors,
        "refusal": refusal,
        "age_groups": {key: AGE_GROUP_LABELS[key] for key in AGE_GROUPS},
        "levels": {key: LEVEL_LABELS[key] for key in LEVELS},
        "published": request.query_params.get("publisert") == "1",
        "made_private": request.query_params.get("privat") == "1",
    }
    return pages.render(request, "guide/publish.html", context, status_code=status_code)
