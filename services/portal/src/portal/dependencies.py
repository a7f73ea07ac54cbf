"""FastAPI dependencies the portal's features share: settings, the APIs, pages, the visitor."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from portal.apis import Apis
from portal.config import PortalSettings
from portal.domain.navigation import local_path
from portal.pages import Formats, Language, Pages, language_of


def get_settings(request: Request) -> PortalSettings:
    settings = request.app.state.settings
    if not isinstance(settings, PortalSettings):
        raise RuntimeError("the portal runs with PortalSettings")
    return settings


def get_apis(request: Request) -> Apis:
    apis: Apis = request.app.state.apis
    return apis


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


@dataclass(frozen=True)
class Person:
    """Who is logged in, as the session knows them: a display name and the API token."""

    name: str | None
    access_token: str
    expires_at: float
    staff: bool = False  # has staff pages, as of login or the last visit to them

    @classmethod
    def from_session(cls, session: dict[str, Any]) -> Person | None:
        stored = session.get("person")
        if not isinstance(stored, dict):
            return None
        person = cls(
            name=stored.get("name"),
            access_token=str(stored.get("access_token", "")),
            expires_at=float(stored.get("expires_at", 0)),
            staff=bool(stored.get("staff", False)),
        )
        return person if person.access_token and person.expires_at > time.time() else None


class LoginRequired(Exception):
    """The page needs a logged-in person: the handler sends them to log in and back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def login_url(next_path: str) -> str:
    return f"/logg-inn?neste={quote(next_path, safe='')}"


def optional_person(request: Request) -> Person | None:
    return Person.from_session(request.session)


def signed_in_person(request: Request) -> Person:
    person = Person.from_session(request.session)
    if person is None:
        raise LoginRequired(return_path(request))
    return person


def return_path(request: Request) -> str:
    """Where to come back to after logging in: the page itself, or for a form sent after the
    session ended, the page the form was on (its own path answers POST only)."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path:
        return local_path(referer.path + (f"?{referer.query}" if referer.query else ""))
    return "/"


def get_language(request: Request) -> Language:
    return language_of(request)


def get_formats(request: Request) -> Formats:
    return Formats(language_of(request))


SettingsDep = Annotated[PortalSettings, Depends(get_settings)]
ApisDep = Annotated[Apis, Depends(get_apis)]
PagesDep = Annotated[Pages, Depends(get_pages)]
VisitorDep = Annotated[Person | None, Depends(optional_person)]
PersonDep = Annotated[Person, Depends(signed_in_person)]
LanguageDep = Annotated[Language, Depends(get_language)]
FormatsDep = Annotated[Formats, Depends(get_formats)]
