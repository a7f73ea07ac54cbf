"""`/min-side`: the person's profile, language, channel for messages and calendar links (what
the services hold about the person, and erasing it, are the privacy feature's pages)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.dependencies import ApisDep, PagesDep, PersonDep, SettingsDep
from portal.domain.feed_links import feed_links
from portal.mypage import queries, use_cases
from portal.mypage.queries import Overview
from portal.mypage.schemas import ChannelForm, ProfileForm, label
from portal.pages import LANGUAGE_COOKIE, N_, Pages, language_of

router = APIRouter()

ONE_YEAR_S = 365 * 24 * 3600
NEW_FEED = "mypage.new_feed"
FORM_TEXT = 2000  # longer than any field takes: the form says what is wrong, not a 400 page
REFUSED = (400, 409, 422)
SAVED = {
    "profil": N_("Your profile is saved."),
    "varsler": N_("Your choice of channel is saved."),
    "kalender": N_("Your new calendar link is ready. Copy it now: it is shown only once."),
    "stoppet": N_("The calendar link is stopped. Calendars that used it get nothing more."),
}
CHANNEL_NOT_SAVED = N_("The channel was not changed.")


def _page(
    request: Request,
    pages: Pages,
    seen: Overview,
    *,
    profile: ProfileForm | None = None,
    channel: ChannelForm | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    shown_profile = profile or ProfileForm.of_profile(seen.profile, None, language_of(request))
    context = {
        "seen": seen,
        "profile_form": shown_profile,
        "channel_form": channel or ChannelForm(channel=seen.channel),
        "refusal": refusal,
        "saved": SAVED.get(request.query_params.get("lagret", "")),
        "new_feed": request.session.pop(NEW_FEED, None),
        "organisations": {m["organisation_id"]: m["organisation_name"] for m in seen.memberships},
        "label": label,
    }
    return pages.render(request, "mypage/index.html", context, status_code=status_code)


@router.get("/min-side", name="my_page")
async def my_page(request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep) -> Response:
    seen = await queries.overview(apis, person)
    if seen.profile is None:
        form = ProfileForm.of_profile(None, person.name, language_of(request))
        return _page(request, pages, seen, profile=form)
    return _page(request, pages, seen)


@router.post("/min-side/profil", name="save_profile")
async def save_profile(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    settings: SettingsDep,
    display_name: Annotated[str, Form(max_length=FORM_TEXT)] = "",
    email: Annotated[str, Form(max_length=FORM_TEXT)] = "",
    phone: Annotated[str, Form(max_length=FORM_TEXT)] = "",
    language: Annotated[str, Form(max_length=FORM_TEXT)] = "nb",
) -> Response:
    seen = await queries.overview(apis, person)
    form = ProfileForm(display_name, email, phone, language)
    body = form.checked(seen.channel)
    if body is None:
        return _page(request, pages, seen, profile=form, status_code=422)
    try:
        await use_cases.save_profile(apis, person, body)
    except ApiRefused as refused:
        if refused.status not in REFUSED:
            raise
        text = None if form.refused_fields(refused.errors) else refused.detail(language_of(request))
        return _page(request, pages, seen, profile=form, refusal=text, status_code=refused.status)
    response = RedirectResponse("/min-side?lagret=profil", status_code=303)
    # The language chosen for messages is the portal's language too, as the switch sets it.
    response.set_cookie(
        LANGUAGE_COOKIE,
        body["language"],
        max_age=ONE_YEAR_S,
        httponly=True,
        samesite="lax",
        secure=settings.session_cookie_secure,
    )
    return response


@router.post("/min-side/varsler", name="choose_channel")
async def choose_channel(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    channel: Annotated[str, Form(max_length=FORM_TEXT)] = "",
) -> Response:
    seen = await queries.overview(apis, person)
    form = ChannelForm(channel=channel)
    chosen = form.checked(seen.profile)
    if chosen is None:
        return _page(request, pages, seen, channel=form, status_code=422)
    try:
        await use_cases.choose_channel(apis, person, chosen, seen.language)
    except ApiRefused as refused:
        if refused.status not in REFUSED:
            raise
        form.error = CHANNEL_NOT_SAVED
        text = refused.detail(language_of(request))
        return _page(request, pages, seen, channel=form, refusal=text, status_code=refused.status)
    return RedirectResponse("/min-side?lagret=varsler", status_code=303)


@router.post("/min-side/kalender", name="make_feed_link")
async def make_feed_link(
    request: Request,
    person: PersonDep,
    apis: ApisDep,
    settings: SettingsDep,
    kind: Annotated[str, Form(pattern="^(loans|organisation)$")],
    organisation_id: Annotated[uuid.UUID | None, Form()] = None,
) -> Response:
    issued = await use_cases.make_feed_token(
        apis, person, kind, organisation_id if kind == "organisation" else None
    )
    links = feed_links(settings.public_feeds_url, kind, str(issued["token"]))
    request.session[NEW_FEED] = {
        "kind": kind,
        "subject_id": issued.get("subject_id"),
        "https": links.https,
        "webcal": links.webcal,
    }
    return RedirectResponse("/min-side?lagret=kalender#kalender", status_code=303)


@router.post("/min-side/kalender/{token_id}/stopp", name="stop_feed_link")
async def stop_feed_link(token_id: uuid.UUID, person: PersonDep, apis: ApisDep) -> Response:
    await use_cases.stop_feed_token(apis, person, token_id)
    return RedirectResponse("/min-side?lagret=stoppet#kalender", status_code=303)
