"""`/drift`: where a facility manager, an equipment-centre worker or an admin starts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from portal.dependencies import ApisDep, PagesDep, PersonDep
from portal.staff.queries import staff_home

router = APIRouter()


@router.get("/drift", name="staff_home")
async def staff_index(
    request: Request, apis: ApisDep, pages: PagesDep, person: PersonDep
) -> Response:
    home = await staff_home(apis, person.access_token)
    stored = request.session.get("person")
    if isinstance(stored, dict) and stored.get("staff") != home.staff:
        request.session["person"] = {**stored, "staff": home.staff}  # grants changed
    return pages.render(request, "staff/index.html", {"home": home})
