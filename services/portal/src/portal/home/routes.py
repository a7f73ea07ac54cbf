"""`/` and `/sprak` (the language switch, remembered in a cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from portal.dependencies import PagesDep, SettingsDep, VisitorDep
from portal.domain.navigation import local_path
from portal.pages import LANGUAGE_COOKIE, LANGUAGES

router = APIRouter()
ONE_YEAR_S = 365 * 24 * 3600


@router.get("/", name="home")
async def home(
    request: Request, pages: PagesDep, settings: SettingsDep, visitor: VisitorDep
) -> Response:
    return pages.render(
        request,
        "home/index.html",
        {
            "visitor": visitor,
            "demo_logins": settings.demo_logins,
            "logged_out": request.query_params.get("utlogget") == "1",
        },
    )


@router.post("/sprak", name="switch_language")
async def switch_language(
    settings: SettingsDep,
    lang: Annotated[str, Form(max_length=5)],
    neste: Annotated[str, Form(max_length=2000)] = "/",
) -> RedirectResponse:
    response = RedirectResponse(local_path(neste), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=ONE_YEAR_S,
            httponly=True,
            samesite="lax",
            secure=settings.session_cookie_secure,
        )
    return response
