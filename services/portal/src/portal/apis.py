"""The portal's clients of the three APIs: the portal is a client like any other.

A call carries the person's access token when there is one. A refusal (4xx problem+json)
becomes `ApiRefused` with the problem's texts in both languages, so a page can show the rule on
the form; a failure (5xx, timeout, no answer) becomes `ApiUnavailable` and a "try again later"
page. Nothing here knows another service's database.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from portal.config import PortalSettings

log = structlog.get_logger("portal.apis")

# The visitor's address, so the APIs rate-limit each visitor and not the portal as one client
# (they read X-Forwarded-For only from peers in their TRUSTED_PROXIES).
visitor_address: ContextVar[str | None] = ContextVar("visitor_address", default=None)

Service = Literal["facilities", "booking", "notifications"]


@dataclass
class ApiRefused(Exception):
    """The API said no (4xx): its problem, whose `detail` / `detail_nb` explain why."""

    status: int
    problem: dict[str, Any] = field(default_factory=dict)

    def detail(self, language: str) -> str:
        texts = self.problem
        text = texts.get("detail_nb") if language == "nb" else None
        return str(text or texts.get("detail") or texts.get("title") or "")

    @property
    def code(self) -> str:
        return str(self.problem.get("type", "")).rsplit("/", 1)[-1]

    @property
    def errors(self) -> list[dict[str, Any]]:
        found = self.problem.get("errors")
        return found if isinstance(found, list) else []


class VisitorAddress:
    """ASGI middleware: the visitor's address (after the portal's own proxy handling) for the
    API calls the request makes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        token = visitor_address.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            visitor_address.reset(token)


class ApiUnavailable(Exception):
    """The API could not answer (5xx, timeout, connection refused)."""


class Apis:
    """One HTTP client for all three APIs, addressed by service name."""

    def __init__(self, settings: PortalSettings, transport: httpx.AsyncBaseTransport | None = None):
        self.base = {
            "facilities": settings.facilities_url,
            "booking": settings.booking_url,
            "notifications": settings.notifications_url,
        }
        self.client = httpx.AsyncClient(timeout=settings.api_timeout_s, transport=transport)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(
        self,
        method: str,
        service: Service,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The JSON answer (None for an empty one), or `ApiRefused` / `ApiUnavailable`.
        `timeout` replaces the usual bound for a call known to take long (an allocation run)."""
        sent = dict(headers or {})
        address = visitor_address.get()
        if address:
            sent["X-Forwarded-For"] = address
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            response = await self.client.request(
                method,
                f"{self.base[service]}{path}",
                params=params,
                json=json,
                headers=sent,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
        except httpx.HTTPError as exc:
            log.warning("portal.api_unreachable", service=service, path=path, error=repr(exc))
            raise ApiUnavailable(service) from exc
        if response.status_code >= 500:
            log.warning(
                "portal.api_failed", service=service, path=path, status=response.status_code
            )
            raise ApiUnavailable(service)
        if response.status_code >= 400:
            raise ApiRefused(response.status_code, _problem(response))
        return response.json() if response.content else None

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        return await self.call("GET", service, path, **kw)

    async def post(self, service: Service, path: str, **kw: Any) -> Any:
        return await self.call("POST", service, path, **kw)

    async def put(self, service: Service, path: str, **kw: Any) -> Any:
        return await self.call("PUT", service, path, **kw)

    async def patch(self, service: Service, path: str, **kw: Any) -> Any:
        return await self.call("PATCH", service, path, **kw)

    async def delete(self, service: Service, path: str, **kw: Any) -> Any:
        return await self.call("DELETE", service, path, **kw)


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:500]}
    return body if isinstance(body, dict) else {"detail": str(body)[:500]}
