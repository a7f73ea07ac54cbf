"""`/logg-inn`, `/auth/callback` and `/logg-ut`."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from portal.dependencies import PagesDep, SettingsDep
from portal.domain.navigation import local_path
from portal.login.use_cases import LoginFailed, end_session, finish_login, start_login
from portal.pages import N_

router = APIRouter()
log = structlog.get_logger("portal.login")

LOGIN_FAILED = N_("The login did not succeed. Please try again.")


@router.get("/logg-inn", name="login")
async def login(
    request: Request,
    settings: SettingsDep,
    pages: PagesDep,
    neste: Annotated[str | None, Query(max_length=2000)] = None,
    login_hint: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    try:
        return await start_login(
            request, settings, next_path=local_path(neste), login_hint=login_hint
        )
    except LoginFailed as exc:
        log.warning("portal.login_unavailable", error=str(exc))
        return pages.render(request, "error.html", {"message": LOGIN_FAILED}, status_code=503)


@router.get("/auth/callback", name="login_callback")
async def callback(request: Request, pages: PagesDep) -> Response:
    try:
        next_path = await finish_login(request)
    except LoginFailed as exc:
        log.warning("portal.login_failed", error=str(exc))
        return pages.render(
            request, "error.html", {"message": LOGIN_FAILED, "retry": True}, status_code=400
        )
    return RedirectResponse(local_path(next_path), status_code=303)


@router.post("/logg-ut", name="logout")
async def logout(request: Request) -> RedirectResponse:
    end_session(request)
    return RedirectResponse("/?utlogget=1", status_code=303)
