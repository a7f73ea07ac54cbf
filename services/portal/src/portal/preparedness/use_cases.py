"""Sending the preparedness forms to the APIs."""

from __future__ import annotations

import uuid

from portal.apis import Apis
from portal.preparedness.schemas import PreparednessForm, RequisitionForm, SitePreparednessForm


async def register(
    apis: Apis, token: str, organisation_id: uuid.UUID, form: PreparednessForm
) -> None:
    path = f"/organisations/{organisation_id}/preparedness"
    await apis.put("booking", path, token=token, json=form.body())


async def requisition(apis: Apis, token: str, form: RequisitionForm) -> None:
    await apis.post("facilities", "/requisitions", token=token, json=form.body())


async def lift(apis: Apis, token: str, requisition_id: uuid.UUID) -> None:
    await apis.post("facilities", f"/requisitions/{requisition_id}/lift", token=token)


async def set_site_facts(apis: Apis, token: str, site_id: str, form: SitePreparednessForm) -> None:
    """Admins and the site's managers (facilities decides)."""
    path = f"/sites/{site_id}/preparedness"
    await apis.put("facilities", path, token=token, json=form.body())
