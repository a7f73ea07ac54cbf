"""`/ledige-lokaler` (search free halls, no login) and `/lokaler/{space_id}` (one hall)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from portal.dependencies import ApisDep, PagesDep, SettingsDep
from portal.domain.feed_links import feed_links
from portal.domain.halls import (
    ACCESSIBILITY_FACTS,
    GRID_DAYS,
    HourState,
    free_on,
    price_lines,
    released_hours,
    week_days,
    week_grid,
)
from portal.halls import queries
from portal.halls.schemas import (
    ACCESSIBILITY_LABELS,
    CATEGORIES,
    HOUR_CHOICES,
    SITE_KINDS,
    SPACE_KINDS,
    STATES,
    read_search,
)
from portal.pages import N_
from samspill.districts import district_name
from samspill.recurrence import OSLO

router = APIRouter()

INVALID = 422
GRID_LEGEND = N_(
    "Each hour is free, booked, closed, not open for letting, or passed. Only free hours can "
    "be booked."
)


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/ledige-lokaler", name="find_halls")
async def find_halls(
    request: Request, pages: PagesDep, apis: ApisDep, settings: SettingsDep
) -> Response:
    now = _now()
    options = await queries.search_options(apis, settings.search_options_max_age_s)
    search = read_search(
        dict(request.query_params),
        request.query_params.getlist("tilgjengelighet"),
        now,
        [value for value, _ in options.districts],
        options.activities,
    )
    context = {
        "search": search,
        "options": options,
        "hour_choices": HOUR_CHOICES,
        "accessibility_facts": [(f, ACCESSIBILITY_LABELS[f]) for f in ACCESSIBILITY_FACTS],
        "searched": bool(request.query_params),
        "states": STATES,
        "legend": GRID_LEGEND,
        "space_kinds": SPACE_KINDS,
    }
    if not search.ok:
        if request.headers.get("hx-request") == "true":
            # The messages belong beside the fields, outside the results: load the whole page.
            page = f"{request.url.path}?{request.url.query}"
            return Response(status_code=INVALID, headers={"HX-Redirect": page})
        return pages.render(request, "halls/search.html", context, status_code=INVALID)
    assert search.day is not None
    found = await queries.week_availability(
        apis,
        search.day,
        district=search.bydel or None,
        activity=search.aktivitet or None,
        min_capacity=search.min_size,
        accessibility=search.tilgjengelighet,
    )
    halls = [hall for hall in found if queries.has_free_time(hall, search.day, search.hours)]
    days = week_days(search.day)
    context["results"] = [
        {
            "hall": hall,
            "free": free_on(search.day, search.hours, hall.free),
            "grid": week_grid(days, search.hours, hall.released, hall.closed, hall.free, now)
            if search.visning == "uke"
            else None,
        }
        for hall in halls
    ]
    context["hours"] = search.hours
    return pages.render(request, "halls/search.html", context)


@router.get("/lokaler/{space_id}", name="hall")
async def hall_page(
    request: Request, pages: PagesDep, apis: ApisDep, settings: SettingsDep, space_id: uuid.UUID
) -> Response:
    now = _now()
    first = now.astimezone(OSLO).date()
    found = await queries.hall(apis, space_id, first)
    space, site, times = found.space, found.site, found.times
    days = week_days(first)
    hours = released_hours(times.released if times else [])
    feed = feed_links(settings.public_feeds_url, "space", str(space["space_id"]))
    context = {
        "space": space,
        "site": site,
        "parts": found.parts,
        "whole": found.whole,
        "district": district_name(site["district"]),
        "space_kinds": SPACE_KINDS,
        "site_kinds": SITE_KINDS,
        "accessibility": site.get("accessibility", {}),
        "accessibility_labels": ACCESSIBILITY_LABELS,
        "accessibility_facts": [f for f in ACCESSIBILITY_FACTS if f != "transit_stop"],
        "prices": price_lines(str(space["space_id"]), space["kind"], found.rules),
        "categories": CATEGORIES,
        "free_days": [(day, free_on(day, hours, times.free if times else [])) for day in days],
        "grid": week_grid(
            days,
            hours,
            times.released if times else [],
            times.closed if times else [],
            times.free if times else [],
            now,
        ),
        "hours": hours,
        "states": STATES,
        "legend": GRID_LEGEND,
        "feed_https": feed.https,
        "feed_webcal": feed.webcal,
        "last_day": first + timedelta(days=GRID_DAYS - 1),
        "free_state": HourState.FREE,
    }
    return pages.render(request, "halls/hall.html", context)
