"""The club pages: `/lag` (my clubs), `/lag/ny` (register one), `/lag/{id}` (the club: facts,
members, invitations, the private calendar link) and `/invitasjoner/{code}` (the page an
invitation email links to)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.clubs import queries, use_cases
from portal.clubs.schemas import (
    CATEGORIES,
    EMAIL_LANGUAGES,
    INVALID,
    ROLE_HELP,
    ROLES,
    InvitationForm,
    OrganisationForm,
    ProfileForm,
)
from portal.dependencies import (
    ApisDep,
    LanguageDep,
    PagesDep,
    PersonDep,
    SettingsDep,
    VisitorDep,
    login_url,
)
from portal.domain.clubs import (
    fields_in_error,
    invitation_code_shaped,
    registration_refusal_field,
    same_email,
)
from portal.domain.feed_links import feed_links
from portal.pages import N_, Pages, language_of
from samspill.ids import parse_uuid

router = APIRouter()

FLASH = "clubs.flash"
CALENDAR_LINKS = "clubs.calendar_links"
FORM_STATUSES = frozenset({400, 409, 422})

INVITED = N_("The invitation is sent. It stays here until it is accepted or withdrawn.")
WITHDRAWN = N_("The invitation is withdrawn: its link no longer works.")
LINK_MADE = N_(
    "Here is the club's calendar link. Copy it now: for your safety we show it only this once."
)
LINK_NOT_READY = N_(
    "The calendar link could not be made yet: the club is still being set up. Try again in a "
    "minute."
)
WELCOME = N_("Welcome! You are now a member of the club.")
REGISTERED = N_("The organisation is registered, and you are its administrator.")


def _flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def _take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


def _translated(pages: Pages, request: Request, problems: Mapping[str, str]) -> dict[str, str]:
    return {name: pages.gettext(request, message) for name, message in problems.items()}


def _refusal(
    pages: Pages,
    request: Request,
    refused: ApiRefused,
    api_fields: Mapping[str, Sequence[str]],
    *,
    about: str | None = None,
) -> dict[str, str]:
    """The refusal as messages by form field: a validation error on the fields it names, a
    rule the API explains on the field it is `about` (or the form as a whole: `_form`)."""
    if refused.status not in FORM_STATUSES:
        raise refused
    named = fields_in_error(refused.errors, api_fields)
    if named:
        return {name: pages.gettext(request, INVALID[name]) for name in named}
    if refused.errors:  # a validation error on something the form does not show
        about = None
    return {about or "_form": refused.detail(language_of(request))}


def _id(text: str) -> uuid.UUID:
    """The id in the path, or the not-found page for anything that is not one."""
    found = parse_uuid(text)
    if found is None:
        raise HTTPException(404)
    return found


# --- my clubs and registering one ---------------------------------------------------------------


@router.get("/lag", name="clubs")
async def clubs(request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep) -> Response:
    found = await queries.my_clubs(apis, person.access_token)
    context = {"clubs": found, "categories": CATEGORIES, "roles": ROLES}
    return pages.render(request, "clubs/index.html", context)


def _new_club_page(
    request: Request,
    pages: Pages,
    form: OrganisationForm,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"form": form, "errors": dict(errors or {}), "categories": CATEGORIES}
    return pages.render(request, "clubs/new.html", context, status_code=status_code)


@router.get("/lag/ny", name="new_club")
async def new_club(request: Request, person: PersonDep, pages: PagesDep) -> Response:
    return _new_club_page(request, pages, OrganisationForm())


@router.post("/lag/ny")
async def register_club(
    request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep, language: LanguageDep
) -> Response:
    form = OrganisationForm.parse(await request.form())
    problems = form.problems()
    if problems:
        return _new_club_page(request, pages, form, _translated(pages, request, problems), 422)
    try:
        organisation_id = await use_cases.register_organisation(
            apis, person.access_token, form, language
        )
    except ApiRefused as refused:
        # Booking refuses the number itself (the mod-11 check, already registered) as a rule,
        # and a contact by phone alone (the channel SMS) where no SMS can be sent.
        about = registration_refusal_field(refused.code)
        errors = _refusal(pages, request, refused, form.API_FIELDS, about=about)
        return _new_club_page(request, pages, form, errors, refused.status)
    _flash(request, REGISTERED)
    return RedirectResponse(f"/lag/{organisation_id}", status_code=303)


# --- the club page --------------------------------------------------------------------------


async def _club_page(
    request: Request,
    apis: ApisDep,
    pages: Pages,
    settings: SettingsDep,
    token: str,
    organisation_id: uuid.UUID,
    *,
    invite: InvitationForm | None = None,
    invite_errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    club = await queries.club(apis, token, organisation_id)
    shown = _shown_link(request, organisation_id, club.calendar_tokens)
    context: dict[str, Any] = {
        "club": club,
        "categories": CATEGORIES,
        "roles": ROLES,
        "role_help": ROLE_HELP,
        "email_languages": EMAIL_LANGUAGES,
        "flash": _take_flash(request),
        "link": feed_links(settings.public_feeds_url, "organisation", shown) if shown else None,
        "link_kept_since": None
        if shown or not club.calendar_tokens
        else club.calendar_tokens[-1]["created_at"],
        "invite": invite or InvitationForm(language=language_of(request)),
        "invite_errors": dict(invite_errors or {}),
    }
    return pages.render(request, "clubs/club.html", context, status_code=status_code)


def _shown_link(
    request: Request, organisation_id: uuid.UUID, live: Sequence[Mapping[str, Any]]
) -> str | None:
    """The token of the person's live link to the club's calendar, if this session made it
    (notifications keeps only a hash: a link is shown in the session that made it)."""
    kept = request.session.get(CALENDAR_LINKS) or {}
    mine = kept.get(str(organisation_id)) if isinstance(kept, dict) else None
    if not isinstance(mine, dict):
        return None
    live_ids = {str(token["id"]) for token in live}
    return str(mine["token"]) if str(mine.get("id")) in live_ids else None


@router.get("/lag/{organisation_id}", name="club")
async def club_page(
    request: Request,
    organisation_id: str,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    settings: SettingsDep,
) -> Response:
    oid = _id(organisation_id)
    return await _club_page(request, apis, pages, settings, person.access_token, oid)


@router.post("/lag/{organisation_id}/invitasjoner", name="invite")
async def invite(
    request: Request,
    organisation_id: str,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    settings: SettingsDep,
) -> Response:
    oid = _id(organisation_id)
    form = InvitationForm.parse(await request.form())
    errors = _translated(pages, request, form.problems())
    if not errors:
        try:
            await use_cases.invite_member(apis, person.access_token, oid, form)
        except ApiRefused as refused:
            errors = _refusal(pages, request, refused, form.API_FIELDS)
    if errors:
        return await _club_page(
            request,
            apis,
            pages,
            settings,
            person.access_token,
            oid,
            invite=form,
            invite_errors=errors,
            status_code=422,
        )
    _flash(request, INVITED)
    return RedirectResponse(f"/lag/{oid}#invitasjoner", status_code=303)


@router.post("/lag/{organisation_id}/invitasjoner/{invitation_id}/trekk", name="withdraw")
async def withdraw(
    request: Request, organisation_id: str, invitation_id: str, person: PersonDep, apis: ApisDep
) -> Response:
    oid = _id(organisation_id)
    await use_cases.withdraw_invitation(apis, person.access_token, oid, _id(invitation_id))
    _flash(request, WITHDRAWN)
    return RedirectResponse(f"/lag/{oid}#invitasjoner", status_code=303)


@router.post("/lag/{organisation_id}/kalenderlenke", name="calendar_link")
async def new_calendar_link(
    request: Request, organisation_id: str, person: PersonDep, apis: ApisDep
) -> Response:
    oid = _id(organisation_id)
    try:
        issued = await use_cases.new_calendar_link(apis, person.access_token, oid)
    except ApiRefused as refused:
        if refused.status != 404:
            raise
        # Notifications learns of a new member from booking's events, a moment later.
        _flash(request, LINK_NOT_READY)
        return RedirectResponse(f"/lag/{oid}#kalender", status_code=303)
    kept = request.session.get(CALENDAR_LINKS)
    links = dict(kept) if isinstance(kept, dict) else {}
    links[str(oid)] = {"id": str(issued["id"]), "token": str(issued["token"])}
    request.session[CALENDAR_LINKS] = links
    _flash(request, LINK_MADE)
    return RedirectResponse(f"/lag/{oid}#kalender", status_code=303)


# --- accepting an invitation ------------------------------------------------------------------


async def _invitation_page(
    request: Request,
    apis: ApisDep,
    pages: Pages,
    visitor: Any,
    code: str,
    *,
    profile_form: ProfileForm | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await queries.invitation(apis, code) if invitation_code_shaped(code) else None
    if not isinstance(found, dict):
        return _invitation_gone(request, pages, found)
    me = await queries.me(apis, visitor.access_token) if visitor else None
    profile = (me.profile if me else None) or {}
    profile_email = str(profile.get("email") or "")
    sent_to = str(found["email"])
    if profile_form is None:
        name = str(profile.get("display_name") or (visitor.name if visitor else "") or "")
        profile_form = ProfileForm(display_name=name, email=sent_to)
    context = {
        "invitation": found,
        "code": code,
        "roles": ROLES,
        "role_help": ROLE_HELP,
        "visitor": visitor,
        "already_member": bool(me and me.role_in(uuid.UUID(str(found["organisation_id"])))),
        "needs_profile": bool(me and not profile_email),
        "email_mismatch": bool(profile_email and not same_email(profile_email, sent_to)),
        "profile_email": profile_email,
        "profile_form": profile_form,
        "errors": dict(errors or {}),
    }
    return pages.render(request, "clubs/invitation.html", context, status_code=status_code)


def _invitation_gone(request: Request, pages: Pages, refused: ApiRefused | None) -> Response:
    """Unknown (404), or used, expired or withdrawn (410): nothing to accept."""
    if refused is not None and refused.status not in (404, 409, 410, 422):
        raise refused
    gone = refused is not None and refused.status in (409, 410)
    reason = refused.detail(language_of(request)) if refused is not None and gone else None
    context = {"status": 410 if gone else 404, "reason": reason}
    status = 410 if gone else 404
    return pages.render(request, "clubs/invitation_gone.html", context, status_code=status)


@router.get("/invitasjoner/{code}", name="invitation")
async def invitation(
    request: Request, code: str, visitor: VisitorDep, apis: ApisDep, pages: PagesDep
) -> Response:
    return await _invitation_page(request, apis, pages, visitor, code)


@router.post("/invitasjoner/{code}/godta", name="accept_invitation")
async def accept_invitation(
    request: Request,
    code: str,
    visitor: VisitorDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    if visitor is None:  # the session ended while the page was open: log in, back to the page
        return RedirectResponse(login_url(f"/invitasjoner/{code}"), status_code=303)
    person = visitor
    found = await queries.invitation(apis, code) if invitation_code_shaped(code) else None
    if not isinstance(found, dict):
        return _invitation_gone(request, pages, found)
    me = await queries.me(apis, person.access_token)
    submitted = await request.form()
    profile_form = ProfileForm.parse(submitted) if "email" in submitted else None
    errors = _translated(pages, request, profile_form.problems()) if profile_form else {}
    if not errors:
        try:
            organisation_id = await use_cases.accept_invitation(
                apis, person.access_token, code, profile_form, language, me.profile
            )
        except ApiRefused as refused:
            if refused.status in (409, 410):
                return _invitation_gone(request, pages, refused)
            if refused.status == 403:
                errors = {"_form": refused.detail(language)}
            else:
                errors = _refusal(pages, request, refused, ProfileForm.API_FIELDS)
    if errors:
        return await _invitation_page(
            request,
            apis,
            pages,
            person,
            code,
            profile_form=profile_form,
            errors=errors,
            status_code=422,
        )
    _flash(request, WELCOME)
    return RedirectResponse(f"/lag/{organisation_id}", status_code=303)
