"""What the admin forms send to facilities, with the administrator's token."""

from __future__ import annotations

from typing import Any

from portal.admin.queries import grants_path
from portal.admin.schemas import PriceRuleForm, SiteForm, SpaceForm
from portal.apis import Apis


async def register_site(apis: Apis, token: str, form: SiteForm) -> str:
    site = await apis.post("facilities", "/sites", token=token, json=form.body(new=True))
    return str(site["site_id"])


async def update_site(apis: Apis, token: str, site_id: str, form: SiteForm) -> None:
    await apis.patch("facilities", f"/sites/{site_id}", token=token, json=form.body(new=False))


async def register_space(apis: Apis, token: str, site_id: str, form: SpaceForm) -> str:
    body = {"site_id": site_id, **form.body()}
    space = await apis.post("facilities", "/spaces", token=token, json=body)
    return str(space["space_id"])


async def update_space(apis: Apis, token: str, space_id: str, form: SpaceForm) -> None:
    await apis.patch("facilities", f"/spaces/{space_id}", token=token, json=form.body())


async def retire_space(apis: Apis, token: str, space_id: str) -> None:
    await apis.delete("facilities", f"/spaces/{space_id}", token=token)


async def set_price_rule(apis: Apis, token: str, form: PriceRuleForm) -> None:
    await apis.post("facilities", "/price-rules", token=token, json=form.body())


async def update_price_rule(apis: Apis, token: str, rule_id: str, form: PriceRuleForm) -> None:
    await apis.patch("facilities", f"/price-rules/{rule_id}", token=token, json=form.rates())


async def remove_price_rule(apis: Apis, token: str, rule_id: str) -> None:
    await apis.delete("facilities", f"/price-rules/{rule_id}", token=token)


async def grant(apis: Apis, token: str, site: dict[str, Any], person_id: str) -> None:
    await apis.put("facilities", f"{grants_path(site)}/{person_id}", token=token)


async def revoke(apis: Apis, token: str, site: dict[str, Any], person_id: str) -> None:
    await apis.delete("facilities", f"{grants_path(site)}/{person_id}", token=token)
