"""The portal: its routers, the app factory, and what every page response carries.

The portal owns no data. It renders pages from the three APIs' answers with the person's
access token, keeps sessions in Redis, and serves Designsystemet's styles and htmx from the npm
packages `make install` puts in `services/portal/node_modules`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from portal.admin import routes as admin
from portal.apis import ApiRefused, Apis, ApiUnavailable, VisitorAddress
from portal.applications import routes as applications
from portal.bookings import routes as bookings
from portal.clubs import routes as clubs
from portal.config import PortalSettings
from portal.dependencies import LoginRequired, login_url, optional_person
from portal.desk import routes as desk
from portal.domain.desk import loan_number
from portal.giving_back import routes as giving_back
from portal.guide import routes as guide
from portal.halls import routes as halls
from portal.home import routes as home
from portal.lending import routes as lending
from portal.login import routes as login
from portal.login.use_cases import oidc_client
from portal.manage import routes as manage
from portal.mypage import routes as mypage
from portal.pages import N_, Pages, language_of
from portal.preparedness import routes as preparedness
from portal.privacy import routes as privacy
from portal.rounds import routes as rounds
from portal.sessions import CsrfRefused, RedisSessionMiddleware, csrf_token, verify_csrf
from portal.staff import routes as staff
from portal.usage import routes as usage
from samspill.bodylimit import BodySizeLimitMiddleware, BodyTooLarge
from samspill.heap import startup_heap_frozen
from samspill.observability import (
    Metrics,
    MetricsMiddleware,
    ReadinessChecks,
    configure_logging,
    health_router,
    metrics_router,
)
from samspill.tracing import configure_tracing, instrument_app, shutdown_tracing

log = structlog.get_logger("portal")

NAME = "portal"
VERSION = "0.1.0"
PACKAGE = Path(__file__).parent
ASSETS = PACKAGE.parents[1] / "node_modules"
VENDOR = {
    "designsystemet": ASSETS / "@digdir" / "designsystemet-css" / "dist",
    "htmx": ASSETS / "htmx.org" / "dist",
}
routers: list[APIRouter] = [
    home.router,
    login.router,
    halls.router,
    guide.router,
    clubs.router,
    bookings.router,
    applications.router,
    lending.router,
    mypage.router,
    privacy.router,
    staff.router,
    desk.router,
    admin.router,
    privacy.admin_router,
    rounds.router,
    usage.router,
    manage.router,
    preparedness.router,
    giving_back.router,
]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
SERVICE_UNAVAILABLE = N_(
    "Part of Samspill is not answering right now. Nothing was changed. Please try again in a "
    "few minutes."
)
PAGE_NOT_FOUND = N_("We could not find that page.")
FORM_EXPIRED = N_(
    "The form has expired or did not come from this page. Reload the page and try again."
)
BAD_INPUT = N_("Some of what was sent could not be read. Please check the form and try again.")
UNEXPECTED = N_("Something went wrong on our side. Nothing was changed. Please try again.")
TOO_LARGE = N_("What was sent is too large.")


class SecurityHeaders:
    """A strict content-security policy and friends on every answer; pages are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _pinger(redis: Redis) -> Callable[[], Awaitable[None]]:
    async def ping() -> None:
        await redis.ping()

    return ping


def create_app(settings: PortalSettings, *, freeze_startup_heap: bool = False) -> FastAPI:
    checks = ReadinessChecks()
    metrics = Metrics()
    redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(NAME, settings.log_level, settings.log_json)
        configure_tracing(NAME, VERSION)
        if "redis" not in checks.names:
            # Sessions live in Redis: without it nobody can log in or send a form.
            checks.add("redis", _pinger(redis))
        log.info("service.started", service=NAME, port=settings.port)
        try:
            with startup_heap_frozen() if freeze_startup_heap else contextlib.nullcontext():
                yield
        finally:
            await app.state.apis.aclose()
            with contextlib.suppress(Exception):
                await redis.aclose()
            shutdown_tracing()
            log.info("service.stopped", service=NAME)

    app = FastAPI(
        title="Samspill",
        version=VERSION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    state: Any = app.state
    state.settings = settings
    state.redis = redis
    state.apis = Apis(settings)
    state.oauth = oidc_client(settings)
    state.csrf_key = hashlib.sha256(
        b"portal-csrf:" + settings.session_secret.get_secret_value().encode()
    ).digest()
    state.pages = Pages(
        {
            "csrf_token": csrf_token,
            "login_url": login_url,
            "visitor_of": optional_person,
            "loan_number": loan_number,
        }
    )
    app.include_router(health_router(checks))
    app.include_router(metrics_router(metrics))
    for router in routers:
        app.include_router(router)
    app.mount("/static/portal", StaticFiles(directory=PACKAGE / "static"), name="static")
    for name, folder in VENDOR.items():
        app.mount(
            f"/static/vendor/{name}",
            StaticFiles(directory=folder, check_dir=False),
            name=f"vendor-{name}",
        )
    _install_error_pages(app)
    app.add_middleware(
        RedisSessionMiddleware,
        redis=redis,
        ttl_s=settings.session_ttl_s,
        secure=settings.session_cookie_secure,
    )
    app.add_middleware(VisitorAddress)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.trusted_proxies:
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[str(network) for network in settings.trusted_proxies],
        )
    instrument_app(app)
    return app


def _install_error_pages(app: FastAPI) -> None:
    """Every refusal is a page in the visitor's language, never a stack trace or JSON."""

    def page(request: Request, message: str, status: int, **extra: Any) -> Response:
        pages: Pages = request.app.state.pages
        context = {"message": message, "status": status, **extra}
        return pages.render(request, "error.html", context, status_code=status)

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    async def unavailable(request: Request, exc: Exception) -> Response:
        return page(request, SERVICE_UNAVAILABLE, 503)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiRefused)
        if exc.status == 401:
            request.session.pop("person", None)
            return RedirectResponse(login_url(request.url.path), status_code=303)
        if exc.status == 404:
            return page(request, PAGE_NOT_FOUND, 404)
        return page(request, exc.detail(language_of(request)), exc.status, translated=True)

    async def csrf(request: Request, exc: Exception) -> Response:
        return page(request, FORM_EXPIRED, 403)

    async def bad_input(request: Request, exc: Exception) -> Response:
        return page(request, BAD_INPUT, 400)

    async def too_large(request: Request, exc: Exception) -> Response:
        return page(request, TOO_LARGE, 413)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return page(request, PAGE_NOT_FOUND, 404)
        if exc.status_code == 405:
            return page(request, PAGE_NOT_FOUND, 405)
        return page(request, BAD_INPUT, exc.status_code if exc.status_code < 500 else 400)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("portal.unexpected_error", path=request.url.path)
        return page(request, UNEXPECTED, 500)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(ApiUnavailable, unavailable)
    app.add_exception_handler(ApiRefused, refused)
    app.add_exception_handler(CsrfRefused, csrf)
    app.add_exception_handler(RequestValidationError, bad_input)
    app.add_exception_handler(BodyTooLarge, too_large)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn portal.main:app --factory`."""
    return create_app(PortalSettings(), freeze_startup_heap=True)
