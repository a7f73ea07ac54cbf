"""`/admin`: the municipality's administrators keep the sites, their spaces and divisible
halls, the price rules (and see the public price list they make) and who manages which site
or works at which equipment centre. Everyone else gets a 403 page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from portal.admin import queries, use_cases
from portal.admin.schemas import (
    DISTRICTS,
    INVALID,
    GrantForm,
    PriceRuleForm,
    SiteForm,
    SpaceForm,
)
from portal.apis import ApiRefused, Apis
from portal.dependencies import ApisDep, PagesDep, PersonDep
from portal.domain.admin import parse_person_id
from portal.domain.clubs import fields_in_error
from portal.domain.navigation import local_path
from portal.halls.schemas import CATEGORIES, SITE_KINDS, SPACE_KINDS
from portal.pages import N_, Pages, language_of
from portal.preparedness import use_cases as preparedness
from portal.preparedness.schemas import SITE_FACTS_SAVED, SitePreparednessForm
from samspill.ids import parse_uuid

NOT_ADMIN = N_("Only the municipality's administrators can use these pages.")


async def admin_only(request: Request, person: PersonDep, apis: ApisDep, pages: PagesDep) -> None:
    if not await queries.is_admin(apis, person.access_token):
        message = pages.gettext(request, NOT_ADMIN)
        raise ApiRefused(403, {"detail": message, "detail_nb": message})


router = APIRouter(dependencies=[Depends(admin_only)])

FLASH = "admin.flash"
FORM_STATUSES = frozenset({400, 409, 422})
SITE_REGISTERED = N_("The site is registered. Add its spaces below.")
SITE_SAVED = N_("The site's details are saved.")
SPACE_REGISTERED = N_("The space is registered.")
SPACE_SAVED = N_("The space is saved.")
SPACE_RETIRED = N_("The space is retired: it can no longer be booked.")
RULE_SET = N_("The price rule is saved. The price list shows it now.")
RULE_REMOVED = N_("The price rule is removed.")
GRANTED = N_("The person now has access. It reaches their staff pages within a minute.")
REVOKED = N_("The access is removed.")


def _flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def _take_flash(request: Request) -> str | None:
    message = request.session.pop(FLASH, None)
    return message if isinstance(message, str) else None


def _id(text: str) -> str:
    """The id in the path, or the not-found page for anything that is not one."""
    found = parse_uuid(text)
    if found is None:
        raise HTTPException(404)
    return str(found)


def _refusal(
    pages: Pages,
    request: Request,
    refused: ApiRefused,
    api_fields: Mapping[str, Sequence[str]],
    about: str,
    invalid: Mapping[str, str] = INVALID,
) -> dict[str, str]:
    """The refusal as messages by form field: a validation error on the fields it names (in
    the words of `invalid`), a rule the API explains on the field it is `about`."""
    if refused.status not in FORM_STATUSES:
        raise refused
    named = fields_in_error(refused.errors, api_fields)
    if named:
        return {name: pages.gettext(request, invalid[name]) for name in named}
    return {about: refused.detail(language_of(request))}


def _translated(pages: Pages, request: Request, errors: Mapping[str, str]) -> dict[str, str]:
    return {name: pages.gettext(request, message) for name, message in errors.items()}


class _Form(Protocol):
    errors: dict[str, str]


async def _submit(
    request: Request,
    pages: Pages,
    form: _Form,
    send: Callable[[], Awaitable[object]],
    api_fields: Mapping[str, Sequence[str]],
    about: str,
    invalid: Mapping[str, str] = INVALID,
) -> int | None:
    """Sends a form the portal found valid: None once the API took it, else the status to show
    the form again with, its errors in words beside the fields (422 for the portal's own)."""
    if form.errors:
        form.errors = _translated(pages, request, form.errors)
        return 422
    try:
        await send()
    except ApiRefused as refused:
        form.errors = _refusal(pages, request, refused, api_fields, about, invalid)
        return refused.status
    return None


def _render(
    request: Request,
    pages: Pages,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
) -> Response:
    values = {
        "flash": _take_flash(request),
        "site_kinds": SITE_KINDS,
        "space_kinds": SPACE_KINDS,
        "categories": CATEGORIES,
        "districts": DISTRICTS,
        **context,
    }
    return pages.render(request, template, values, status_code=status_code)


# --- the front page and sites ------------------------------------------------------------------


@router.get("/admin", name="admin_home")
async def admin_home(request: Request, apis: ApisDep, pages: PagesDep) -> Response:
    sites = await queries.sites(apis)
    return _render(request, pages, "admin/index.html", {"sites": sites})


@router.get("/admin/steder/ny", name="admin_new_site")
async def new_site(request: Request, pages: PagesDep) -> Response:
    return _render(request, pages, "admin/new_site.html", {"form": SiteForm()})


@router.post("/admin/steder/ny")
async def register_site(
    request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    form = SiteForm.read(await request.form(), new=True)
    if not form.errors:
        try:
            site_id = await use_cases.register_site(apis, person.access_token, form)
        except ApiRefused as refused:
            form.errors = _refusal(pages, request, refused, form.API_FIELDS, "name")
            return _render(request, pages, "admin/new_site.html", {"form": form}, refused.status)
        _flash(request, SITE_REGISTERED)
        return RedirectResponse(f"/admin/steder/{site_id}", status_code=303)
    form.errors = _translated(pages, request, form.errors)
    return _render(request, pages, "admin/new_site.html", {"form": form}, 422)


async def _site_page(
    request: Request,
    apis: Apis,
    pages: Pages,
    token: str,
    site_id: str,
    *,
    site_form: SiteForm | None = None,
    grant_form: GrantForm | None = None,
    facts_form: SitePreparednessForm | None = None,
    status_code: int = 200,
) -> Response:
    found = await queries.site_page(apis, token, site_id)
    context = {
        "page": found,
        "site": found.site,
        "site_form": site_form or SiteForm.of(found.site),
        "grant_form": grant_form or GrantForm(),
        "facts_form": facts_form or SitePreparednessForm.of(found.site),
        "centre": found.site.get("kind") == queries.CENTRE,
    }
    return _render(request, pages, "admin/site.html", context, status_code)


@router.get("/admin/steder/{site_id}", name="admin_site")
async def site_page(
    site_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    return await _site_page(request, apis, pages, person.access_token, _id(site_id))


@router.post("/admin/steder/{site_id}")
async def update_site(
    site_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    site_id = _id(site_id)
    form = SiteForm.read(await request.form(), new=False)
    status = await _submit(
        request,
        pages,
        form,
        lambda: use_cases.update_site(apis, person.access_token, site_id, form),
        form.API_FIELDS,
        "name",
    )
    if status is None:
        _flash(request, SITE_SAVED)
        return RedirectResponse(f"/admin/steder/{site_id}", status_code=303)
    return await _site_page(
        request, apis, pages, person.access_token, site_id, site_form=form, status_code=status
    )


@router.post("/admin/steder/{site_id}/beredskap")
async def set_site_preparedness(
    site_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    site_id = _id(site_id)
    form = SitePreparednessForm.parse(await request.form())

    async def send() -> None:
        await preparedness.set_site_facts(apis, person.access_token, site_id, form)

    status = await _submit(
        request, pages, form, send, form.API_FIELDS, "evacuation_capacity", form.INVALID
    )
    if status is None:
        _flash(request, SITE_FACTS_SAVED)
        return RedirectResponse(f"/admin/steder/{site_id}#beredskap", status_code=303)
    return await _site_page(
        request, apis, pages, person.access_token, site_id, facts_form=form, status_code=status
    )


# --- staff grants -----------------------------------------------------------------------------


@router.post("/admin/steder/{site_id}/tilganger")
async def grant(
    site_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    site_id = _id(site_id)
    form = GrantForm.read(await request.form())

    async def send() -> None:
        site = await queries.site(apis, site_id)
        await use_cases.grant(apis, person.access_token, site, form.value)

    status = await _submit(request, pages, form, send, {"person_id": ()}, "person_id")
    if status is None:
        _flash(request, GRANTED)
        return RedirectResponse(f"/admin/steder/{site_id}#tilganger", status_code=303)
    return await _site_page(
        request, apis, pages, person.access_token, site_id, grant_form=form, status_code=status
    )


@router.post("/admin/steder/{site_id}/tilganger/{person_id}/fjern")
async def revoke(
    site_id: str, person_id: str, request: Request, apis: ApisDep, person: PersonDep
) -> Response:
    site_id = _id(site_id)
    who = parse_person_id(person_id)
    if who is None:
        raise HTTPException(404)
    site = await queries.site(apis, site_id)
    await use_cases.revoke(apis, person.access_token, site, who)
    _flash(request, REVOKED)
    back = (await request.form()).get("neste")
    default = f"/admin/steder/{site_id}#tilganger"
    target = local_path(back, default) if isinstance(back, str) and back else default
    return RedirectResponse(target, status_code=303)


@router.get("/admin/tilganger", name="admin_grants")
async def grants(request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep) -> Response:
    found = await queries.all_grants(apis, person.access_token)
    return _render(request, pages, "admin/grants.html", {"grants": found})


# --- spaces -----------------------------------------------------------------------------------


async def _space_form_page(
    request: Request,
    apis: Apis,
    pages: Pages,
    site_id: str,
    form: SpaceForm,
    *,
    space: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    site = await queries.site(apis, site_id)
    spaces = await queries.spaces_of(apis, site_id)
    own_id = None if space is None else str(space["space_id"])
    has_parts = own_id is not None and any(str(s.get("parent_id")) == own_id for s in spaces)
    context = {
        "site": site,
        "space": space,
        "form": form,
        "wholes": {} if has_parts else queries.wholes(spaces, own_id),
    }
    return _render(request, pages, "admin/space.html", context, status_code)


@router.get("/admin/steder/{site_id}/lokaler/ny", name="admin_new_space")
async def new_space(
    site_id: str, request: Request, apis: ApisDep, pages: PagesDep, del_av: str = ""
) -> Response:
    form = SpaceForm(parent_id=del_av, kind="hall_part" if del_av else "")
    return await _space_form_page(request, apis, pages, _id(site_id), form)


@router.post("/admin/steder/{site_id}/lokaler/ny")
async def register_space(
    site_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    site_id = _id(site_id)
    wholes = queries.wholes(await queries.spaces_of(apis, site_id))
    form = SpaceForm.read(await request.form(), wholes)
    status = await _submit(
        request,
        pages,
        form,
        lambda: use_cases.register_space(apis, person.access_token, site_id, form),
        form.API_FIELDS,
        "name",
    )
    if status is None:
        _flash(request, SPACE_REGISTERED)
        return RedirectResponse(f"/admin/steder/{site_id}#lokaler", status_code=303)
    return await _space_form_page(request, apis, pages, site_id, form, status_code=status)


@router.get("/admin/lokaler/{space_id}", name="admin_space")
async def space_page(space_id: str, request: Request, apis: ApisDep, pages: PagesDep) -> Response:
    space = await queries.space(apis, _id(space_id))
    form = SpaceForm.of(space)
    return await _space_form_page(request, apis, pages, str(space["site_id"]), form, space=space)


@router.post("/admin/lokaler/{space_id}")
async def update_space(
    space_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    space = await queries.space(apis, _id(space_id))
    site_id = str(space["site_id"])
    wholes = queries.wholes(await queries.spaces_of(apis, site_id), str(space["space_id"]))
    form = SpaceForm.read(await request.form(), wholes)
    status = await _submit(
        request,
        pages,
        form,
        lambda: use_cases.update_space(apis, person.access_token, str(space["space_id"]), form),
        form.API_FIELDS,
        "name",
    )
    if status is None:
        _flash(request, SPACE_SAVED)
        return RedirectResponse(f"/admin/steder/{site_id}#lokaler", status_code=303)
    return await _space_form_page(
        request, apis, pages, site_id, form, space=space, status_code=status
    )


@router.post("/admin/lokaler/{space_id}/avvikle")
async def retire_space(
    space_id: str, request: Request, apis: ApisDep, person: PersonDep
) -> Response:
    space = await queries.space(apis, _id(space_id))
    await use_cases.retire_space(apis, person.access_token, str(space["space_id"]))
    _flash(request, SPACE_RETIRED)
    return RedirectResponse(f"/admin/steder/{space['site_id']}#lokaler", status_code=303)


# --- prices -----------------------------------------------------------------------------------


async def _prices_page(
    request: Request,
    apis: Apis,
    pages: Pages,
    form: PriceRuleForm | None = None,
    status_code: int = 200,
) -> Response:
    rules = await queries.price_rules(apis)
    scopes = await queries.scopes(apis)
    context = {
        "rules": rules,
        "scopes": scopes,
        "form": form or PriceRuleForm(),
    }
    return _render(request, pages, "admin/prices.html", context, status_code)


def _scope_choices(scopes: queries.Scopes) -> dict[str, str]:
    choices = {"default": "default"}
    choices.update({f"kind:{kind}": kind for kind in SPACE_KINDS})
    choices.update({f"space:{space_id}": name for space_id, name in scopes.spaces.items()})
    return choices


@router.get("/admin/priser", name="admin_prices")
async def prices(request: Request, apis: ApisDep, pages: PagesDep) -> Response:
    return await _prices_page(request, apis, pages)


@router.post("/admin/priser")
async def set_price_rule(
    request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    scopes = await queries.scopes(apis)
    form = PriceRuleForm.read(await request.form(), _scope_choices(scopes))
    status = await _submit(
        request,
        pages,
        form,
        lambda: use_cases.set_price_rule(apis, person.access_token, form),
        form.API_FIELDS,
        "scope",
    )
    if status is None:
        _flash(request, RULE_SET)
        return RedirectResponse("/admin/priser", status_code=303)
    return await _prices_page(request, apis, pages, form, status)


async def _rule_page(
    request: Request,
    apis: Apis,
    pages: Pages,
    rule: dict[str, Any],
    form: PriceRuleForm,
    status_code: int = 200,
) -> Response:
    scopes = await queries.scopes(apis)
    context = {"rule": rule, "scopes": scopes, "form": form}
    return _render(request, pages, "admin/price_rule.html", context, status_code)


async def _rule(apis: Apis, rule_id: str) -> dict[str, Any]:
    rule = await queries.price_rule(apis, _id(rule_id))
    if rule is None:
        raise HTTPException(404)
    return rule


@router.get("/admin/priser/{rule_id}", name="admin_price_rule")
async def price_rule(rule_id: str, request: Request, apis: ApisDep, pages: PagesDep) -> Response:
    rule = await _rule(apis, rule_id)
    return await _rule_page(request, apis, pages, rule, PriceRuleForm.of(rule))


@router.post("/admin/priser/{rule_id}")
async def update_price_rule(
    rule_id: str, request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    rule = await _rule(apis, rule_id)
    form = PriceRuleForm.read(await request.form())
    status = await _submit(
        request,
        pages,
        form,
        lambda: use_cases.update_price_rule(apis, person.access_token, str(rule["rule_id"]), form),
        form.API_FIELDS,
        "hourly",
    )
    if status is None:
        _flash(request, RULE_SET)
        return RedirectResponse("/admin/priser", status_code=303)
    form.scope, form.category = PriceRuleForm.of(rule).scope, str(rule["category"])
    return await _rule_page(request, apis, pages, rule, form, status)


@router.post("/admin/priser/{rule_id}/slett")
async def remove_price_rule(
    rule_id: str, request: Request, apis: ApisDep, person: PersonDep
) -> Response:
    rule = await _rule(apis, rule_id)
    await use_cases.remove_price_rule(apis, person.access_token, str(rule["rule_id"]))
    _flash(request, RULE_REMOVED)
    return RedirectResponse("/admin/priser", status_code=303)


@router.get("/admin/prisliste", name="admin_price_list")
async def price_list(request: Request, apis: ApisDep, pages: PagesDep) -> Response:
    found = await queries.price_list(apis)
    return _render(request, pages, "admin/price_list.html", {"price_list": found})
