"""The season application pages: `/soknader` (rounds open for application and the person's
clubs' applications), `/soknadsrunder/{round_id}/lag/{org_id}` (the application form, and the
results once sent), `/lag/{org_id}/tilbud` (waiting-list offers) and `/lag/{org_id}/grupper`
(the club's teams)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from babel import dates
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portal.apis import ApiRefused
from portal.applications import queries, use_cases
from portal.applications.schemas import (
    AGE_GROUPS,
    APPLICATION_STATUSES,
    OFFER_STATUSES,
    PROBLEMS,
    RESULTS,
    ROUND_STATES,
    TEAM_CONTACT_NEEDED,
    TEAM_NAME_NEEDED,
)
from portal.dependencies import ApisDep, LanguageDep, PagesDep, PersonDep
from portal.domain import applications as rules
from portal.domain.giving_back import offer_state
from portal.pages import LOCALES, N_, Language, Pages
from samspill.recurrence import OSLO

router = APIRouter()

FLASH = "applications.flash"
FORM_STATUSES = frozenset({400, 409, 422})
MAX_FIELD = 400

SAVED = N_("The application is saved. You can change it until the application period ends.")
WITHDRAWN = N_("The application is withdrawn. You can apply again while the round is open.")
ACCEPTED = N_("You accepted the offer: the weekly time is booked for the club.")
ACCEPTED_GIVEN_BACK = N_("You accepted the offer: the time is booked for the club.")
DECLINED = N_("You declined the offer. It goes to the next club on the waiting list.")
TEAM_ADDED = N_("The team is added.")
TEAM_REMOVED = N_("The team is removed.")


def _today() -> date:
    return datetime.now(OSLO).date()


def _weekdays(language: Language) -> dict[int, str]:
    names = dates.get_day_names("wide", locale=LOCALES[language])
    return {day: str(names[day]).capitalize() for day in range(7)}


def _flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def _take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _form_refusal(refused: ApiRefused) -> None:
    """A refusal the form shows; anything else (no access, not found) goes to the error page."""
    if refused.status not in FORM_STATUSES:
        raise refused


# --- the overview -------------------------------------------------------------------------------


@router.get("/soknader", name="applications")
async def overview(request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep) -> Response:
    token = person.access_token
    clubs = await queries.my_clubs(apis, token)
    rounds = rules.rounds_overview(await queries.rounds(apis, token), _today())
    context = {
        "clubs": clubs,
        "applying_clubs": [club for club in clubs if club.may_apply],
        "rounds": rounds,
        "applications": await queries.applications_by_club(apis, token, clubs),
        "round_states": ROUND_STATES,
        "statuses": APPLICATION_STATUSES,
        "summary": rules.application_summary,
    }
    return pages.render(request, "applications/index.html", context)


# --- the application form -----------------------------------------------------------------------


class _FormPage:
    """The application page for one request: the round, the club, its application and teams."""

    def __init__(
        self,
        request: Request,
        pages: Pages,
        language: Language,
        round_: dict[str, Any],
        organisation: dict[str, Any],
        club: queries.Club | None,
        application: dict[str, Any] | None,
        teams: list[dict[str, Any]],
    ) -> None:
        self.request, self.pages, self.language = request, pages, language
        self.round, self.organisation, self.club = round_, organisation, club
        self.application, self.teams = application, teams

    @classmethod
    async def load(
        cls,
        request: Request,
        pages: Pages,
        apis: ApisDep,
        person: PersonDep,
        language: Language,
        round_id: uuid.UUID,
        organisation_id: uuid.UUID,
    ) -> _FormPage:
        token = person.access_token
        round_ = await queries.round_(apis, token, round_id)
        organisation = await queries.organisation(apis, token, organisation_id)
        club = await queries.club_of(apis, token, organisation_id)
        application = await queries.application(apis, token, round_id, organisation_id)
        teams = await queries.teams(apis, token, organisation_id)
        return cls(request, pages, language, round_, organisation, club, application, teams)

    @property
    def editable(self) -> bool:
        return bool(self.club and self.club.may_apply and rules.can_apply(self.round, _today()))

    @property
    def action(self) -> str:
        return f"/soknadsrunder/{self.round['id']}/lag/{self.organisation['id']}"

    def show(
        self,
        fields: rules.ApplicationFields | None = None,
        *,
        errors: Mapping[str, str] | None = None,
        refusal: str | None = None,
        status_code: int = 200,
    ) -> Response:
        spaces = sorted(
            self.round.get("spaces") or [],
            key=lambda s: (str(s.get("site_name", "")), str(s.get("space_name", ""))),
        )
        weekdays = _weekdays(self.language)
        offered = [int(day) for day in self.round.get("weekdays") or range(5)]
        sections = (self.application or {}).get("sections") or []
        context = {
            "round": self.round,
            "organisation": self.organisation,
            "club": self.club,
            "application": self.application,
            "fields": fields or rules.application_from_api(self.application),
            "editable": self.editable,
            "results_sent": rules.results_sent(self.round),
            "sections": sorted(sections, key=lambda s: int(s.get("position", 0))),
            "teams": self.teams,
            "team_options": [(str(t["id"]), str(t["name"])) for t in self.teams],
            "hall_options": [(str(s["space_id"]), _hall_label(s)) for s in spaces],
            "spaces": spaces,
            "weekdays": weekdays,
            "round_weekdays": [(day, weekdays[day]) for day in offered if day in weekdays],
            "age_groups": AGE_GROUPS,
            "results": RESULTS,
            "round_states": ROUND_STATES,
            "statuses": APPLICATION_STATUSES,
            "max_sections": rules.MAX_SECTIONS,
            "action": self.action,
            "errors": dict(errors or {}),
            "refusal": refusal,
            "flash": _take_flash(self.request),
        }
        return self.pages.render(
            self.request, "applications/application.html", context, status_code=status_code
        )


def _hall_label(space: Mapping[str, Any]) -> str:
    label = f"{space.get('site_name', '')} – {space.get('space_name', '')}"
    capacity = space.get("capacity")
    return f"{label} ({capacity})" if capacity else label


@router.get("/soknadsrunder/{round_id}/lag/{organisation_id}", name="application")
async def application_page(
    request: Request,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    page = await _FormPage.load(request, pages, apis, person, language, round_id, organisation_id)
    return page.show()


def _action(posted: Mapping[str, Any]) -> tuple[str, int | None]:
    """What the pressed button asks: `save`, `add` or `remove` (with the section's index)."""
    chosen = str(posted.get("handling") or "lagre")[:MAX_FIELD]
    if chosen == "legg-til":
        return "add", None
    if chosen.startswith("fjern-") and chosen[6:].isdigit():
        return "remove", int(chosen[6:])
    return "save", None


@router.post("/soknadsrunder/{round_id}/lag/{organisation_id}", name="save_application")
async def save_application(
    request: Request,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    posted = await request.form()
    fields = rules.parse_application(posted)
    page = await _FormPage.load(request, pages, apis, person, language, round_id, organisation_id)
    action, index = _action(posted)
    if action == "add":
        return page.show(rules.with_section_added(fields))
    if action == "remove" and index is not None:
        return page.show(rules.with_section_removed(fields, index))
    checked = rules.check(fields)
    if checked.body is None:
        errors = {name: pages.gettext(request, PROBLEMS[p]) for name, p in checked.problems.items()}
        return page.show(fields, errors=errors, status_code=422)
    try:
        await use_cases.save_application(
            apis, person.access_token, round_id, organisation_id, checked.body
        )
    except ApiRefused as refused:
        _form_refusal(refused)
        return page.show(
            fields,
            errors=_api_errors(refused, language),
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    _flash(request, SAVED)
    return _see_other(f"/soknadsrunder/{round_id}/lag/{organisation_id}")


def _api_errors(refused: ApiRefused, language: Language) -> dict[str, str]:
    """The fields a validation error names, each with the API's words for it."""
    found: dict[str, str] = {}
    for error in refused.errors:
        name = rules.field_of_error(error.get("loc") or ())
        if name and name not in found:
            found[name] = str(error.get("msg") or refused.detail(language))
    problem = refused.problem
    # A rule about one section may name it by its place in the list.
    index = problem.get("section_index")
    if isinstance(index, int) and not found:
        found[f"s{index}-name"] = refused.detail(language)
    return found


@router.post("/soknadsrunder/{round_id}/lag/{organisation_id}/trekk", name="withdraw_application")
async def withdraw_application(
    request: Request,
    round_id: uuid.UUID,
    organisation_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    try:
        await use_cases.withdraw_application(apis, person.access_token, round_id, organisation_id)
    except ApiRefused as refused:
        _form_refusal(refused)
        page = await _FormPage.load(
            request, pages, apis, person, language, round_id, organisation_id
        )
        return page.show(refusal=refused.detail(language), status_code=refused.status)
    _flash(request, WITHDRAWN)
    return _see_other(f"/soknadsrunder/{round_id}/lag/{organisation_id}")


# --- waiting-list offers ------------------------------------------------------------------------


async def _offers_page(
    request: Request,
    pages: Pages,
    apis: ApisDep,
    person: PersonDep,
    language: Language,
    organisation_id: uuid.UUID,
    *,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    token = person.access_token
    organisation = await queries.organisation(apis, token, organisation_id)
    offers = await queries.waiting_offers(apis, token, organisation_id)
    offers.sort(key=lambda o: (o.get("status") != "open", str(o.get("expires_at", ""))))
    now = datetime.now(UTC)
    given_back = [
        (offer, offer_state(offer, now))
        for offer in await queries.given_back_offers(apis, token, organisation_id)
    ]
    given_back.sort(key=lambda pair: pair[1] != "open")
    context = {
        "organisation": organisation,
        "offers": [(offer, rules.offer_times(offer)) for offer in offers],
        "given_back": given_back,
        "weekdays": _weekdays(language),
        "statuses": OFFER_STATUSES,
        "refusal": refusal,
        "flash": _take_flash(request),
    }
    return pages.render(request, "applications/offers.html", context, status_code=status_code)


@router.get("/lag/{organisation_id}/tilbud", name="waiting_offers")
async def offers(
    request: Request,
    organisation_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    return await _offers_page(request, pages, apis, person, language, organisation_id)


async def _offer(
    apis: ApisDep, person: PersonDep, organisation_id: uuid.UUID, offer_id: uuid.UUID
) -> dict[str, Any]:
    found = await queries.waiting_offers(apis, person.access_token, organisation_id)
    offer = next((o for o in found if str(o.get("id")) == str(offer_id)), None)
    if offer is None:
        raise ApiRefused(404)
    return offer


@router.post("/lag/{organisation_id}/tilbud/{offer_id}/godta", name="accept_offer")
async def accept_offer(
    request: Request,
    organisation_id: uuid.UUID,
    offer_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    return await _answer_offer(
        request, organisation_id, offer_id, person, apis, pages, language, accept=True
    )


@router.get("/lag/{organisation_id}/tilbud/{offer_id}/avsla", name="decline_offer_form")
async def decline_offer_form(
    request: Request,
    organisation_id: uuid.UUID,
    offer_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    offer = await _offer(apis, person, organisation_id, offer_id)
    organisation = await queries.organisation(apis, person.access_token, organisation_id)
    context = {
        "organisation": organisation,
        "offer": offer,
        "times": rules.offer_times(offer),
        "weekdays": _weekdays(language),
    }
    return pages.render(request, "applications/decline.html", context)


@router.post("/lag/{organisation_id}/tilbud/{offer_id}/avsla", name="decline_offer")
async def decline_offer(
    request: Request,
    organisation_id: uuid.UUID,
    offer_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    return await _answer_offer(
        request, organisation_id, offer_id, person, apis, pages, language, accept=False
    )


async def _answer_offer(
    request: Request,
    organisation_id: uuid.UUID,
    offer_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
    *,
    accept: bool,
    done: str | None = None,
) -> Response:
    """Send the club's answer; a refusal shows the offers page with booking's reason."""
    try:
        await use_cases.answer_offer(apis, person.access_token, offer_id, accept=accept)
    except ApiRefused as refused:
        _form_refusal(refused)
        return await _offers_page(
            request,
            pages,
            apis,
            person,
            language,
            organisation_id,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    _flash(request, done or (ACCEPTED if accept else DECLINED))
    return _see_other(f"/lag/{organisation_id}/tilbud")


@router.post(
    "/lag/{organisation_id}/tilbud/tilbakegitt/{offer_id}/godta", name="accept_given_back_offer"
)
async def accept_given_back_offer(
    request: Request,
    organisation_id: uuid.UUID,
    offer_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    """Accept time given back by another club while the hold lasts (booking: 409 after)."""
    return await _answer_offer(
        request,
        organisation_id,
        offer_id,
        person,
        apis,
        pages,
        language,
        accept=True,
        done=ACCEPTED_GIVEN_BACK,
    )


# --- the club's teams ---------------------------------------------------------------------------


def _team_form(posted: Mapping[str, Any]) -> dict[str, str]:
    names = ("name", "contact_name", "contact_email", "contact_phone")
    return {
        name: (value.strip()[:MAX_FIELD] if isinstance(value := posted.get(name), str) else "")
        for name in names
    }


async def _teams_page(
    request: Request,
    pages: Pages,
    apis: ApisDep,
    person: PersonDep,
    organisation_id: uuid.UUID,
    *,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    token = person.access_token
    organisation = await queries.organisation(apis, token, organisation_id)
    club = await queries.club_of(apis, token, organisation_id)
    context = {
        "organisation": organisation,
        "administers": bool(club and club.administers),
        "teams": await queries.teams(apis, token, organisation_id),
        "form": form or {"name": "", "contact_name": "", "contact_email": "", "contact_phone": ""},
        "errors": dict(errors or {}),
        "refusal": refusal,
        "flash": _take_flash(request),
    }
    return pages.render(request, "applications/teams.html", context, status_code=status_code)


@router.get("/lag/{organisation_id}/grupper", name="teams")
async def teams(
    request: Request,
    organisation_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
) -> Response:
    return await _teams_page(request, pages, apis, person, organisation_id)


@router.post("/lag/{organisation_id}/grupper", name="add_team")
async def add_team(
    request: Request,
    organisation_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    form = _team_form(await request.form())
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = pages.gettext(request, TEAM_NAME_NEEDED)
    if not form["contact_name"]:
        errors["contact_name"] = pages.gettext(request, TEAM_CONTACT_NEEDED)
    refusal = None
    if not errors:
        contact = {
            "name": form["contact_name"],
            "email": form["contact_email"] or None,
            "phone": form["contact_phone"] or None,
        }
        try:
            await use_cases.add_team(
                apis,
                person.access_token,
                organisation_id,
                {"name": form["name"], "contact": contact},
            )
        except ApiRefused as refused:
            _form_refusal(refused)
            refusal = refused.detail(language)
    if errors or refusal:
        return await _teams_page(
            request,
            pages,
            apis,
            person,
            organisation_id,
            form=form,
            errors=errors,
            refusal=refusal,
            status_code=422,
        )
    _flash(request, TEAM_ADDED)
    return _see_other(f"/lag/{organisation_id}/grupper")


@router.post("/lag/{organisation_id}/grupper/{team_id}/fjern", name="remove_team")
async def remove_team(
    request: Request,
    organisation_id: uuid.UUID,
    team_id: uuid.UUID,
    person: PersonDep,
    apis: ApisDep,
    pages: PagesDep,
    language: LanguageDep,
) -> Response:
    try:
        await use_cases.remove_team(apis, person.access_token, organisation_id, team_id)
    except ApiRefused as refused:
        _form_refusal(refused)
        return await _teams_page(
            request,
            pages,
            apis,
            person,
            organisation_id,
            refusal=refused.detail(language),
            status_code=refused.status,
        )
    _flash(request, TEAM_REMOVED)
    return _see_other(f"/lag/{organisation_id}/grupper")
