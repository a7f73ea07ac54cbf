"""The API documentation pages (`/docs`, `/redoc`), served entirely by the service itself.

FastAPI's own pages load Swagger UI and ReDoc from a public CDN and start them with an inline
script, so on a closed network, or under a strict content-security policy, they show nothing.
Here the assets are the copies packaged (and pinned by the lock file) in `fastapi-offline`, the
Swagger UI start-up script is a script of its own (from `fastapi-csp-docs`), and each page
carries a policy that allows nothing from outside and no inline script.

ReDoc adds two `<style>` elements at run time (styled-components' empty sheet, filled through
the CSS object model, and its scroll-bar styles): the policy of its page allows exactly these two
by hash. The hashes belong to the packaged ReDoc build, which is why `fastapi-offline` is pinned
to one version; the browser test fails on any refused style after an upgrade.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlsplit

import fastapi_csp_docs
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
SWAGGER_INIT_URL = "/docs/swagger-initializer.js"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
OAUTH2_REDIRECT_JS_URL = "/docs/oauth2-redirect.js"
REDOC_CSS_URL = "/redoc/redoc.css"
PAGE_LANGUAGE = "en"  # Swagger UI and ReDoc label their pages in English

_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
SWAGGER_UI_POLICY = "; ".join(_POLICY)
_REDOC_STYLE_HASHES = (
    "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",  # the empty styled-components sheet
    "sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc=",  # perfect-scrollbar's styles
)
REDOC_POLICY = "; ".join(
    (
        *(part for part in _POLICY if not part.startswith("style-src")),
        "style-src 'self' " + " ".join(f"'{digest}'" for digest in _REDOC_STYLE_HASHES),
        # ReDoc builds its search index in a worker made from a blob: URL of its own code.
        "worker-src 'self' blob:",
    )
)


@dataclass(frozen=True)
class DocsLogin:
    """Swagger UI's Authorize button: the authorization-code flow with PKCE at an issuer."""

    issuer: str
    discovery_url: str
    client_id: str
    scopes: str = "openid profile"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    def policy(self) -> str:
        """The Swagger UI page's policy, letting the page call the issuer (discovery, token)."""
        parts = [p for p in _POLICY if not p.startswith("default-src")]
        return "; ".join(["default-src 'self'", f"connect-src 'self' {self.origin}", *parts])


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _page(title: str, head: str, body: str, policy: str) -> HTMLResponse:
    document = (
        "<!DOCTYPE html>\n"
        f'<html lang="{PAGE_LANGUAGE}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )
    return HTMLResponse(document, headers={"Content-Security-Policy": policy})


def swagger_ui_page(app: FastAPI, request: Request, policy: str) -> HTMLResponse:
    root = html.escape(_root(request))
    head = (
        f'<link rel="icon" href="{root}{ASSETS_URL}/favicon.png">\n'
        f'<link rel="stylesheet" href="{root}{ASSETS_URL}/swagger-ui.css">\n'
    )
    body = (
        '<main id="swagger-ui"></main>\n'
        f'<script src="{root}{ASSETS_URL}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{root}{SWAGGER_INIT_URL}"></script>\n'
    )
    return _page(f"{app.title} – Swagger UI", head, body, policy)


def redoc_page(app: FastAPI, request: Request) -> HTMLResponse:
    root = html.escape(_root(request))
    spec_url = html.escape(str(app.openapi_url))
    head = (
        f'<link rel="icon" href="{root}{ASSETS_URL}/favicon.png">\n'
        f'<link rel="stylesheet" href="{root}{REDOC_CSS_URL}">\n'
    )
    body = (
        f'<main><redoc spec-url="{root}{spec_url}"></redoc></main>\n'
        f'<script src="{root}{ASSETS_URL}/redoc.standalone.js"></script>\n'
    )
    return _page(f"{app.title} – ReDoc", head, body, REDOC_POLICY)


def install_api_docs(app: FastAPI, login: DocsLogin | None = None) -> None:
    """Serve /docs and /redoc from packaged assets; the app is made with both URLs None.

    With `login`, Swagger UI's Authorize button signs in at the issuer (authorization code with
    PKCE, public client) and its redirect page is served here as well."""
    if app.docs_url or app.redoc_url or app.openapi_url is None:
        raise RuntimeError("create the app with docs_url=None and redoc_url=None, and OpenAPI on")
    openapi_url = app.openapi_url
    policy = login.policy() if login else SWAGGER_UI_POLICY

    async def docs(request: Request) -> HTMLResponse:
        return swagger_ui_page(app, request, policy)

    async def swagger_init(request: Request) -> Response:
        root = _root(request)
        return fastapi_csp_docs.get_swagger_ui_init_js(
            openapi_url=root + openapi_url,
            swagger_ui_parameters=app.swagger_ui_parameters,
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL if login else None,
            init_oauth=(
                {
                    "clientId": login.client_id,
                    "scopes": login.scopes,
                    "usePkceWithAuthorizationCodeGrant": True,
                }
                if login
                else None
            ),
        )

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        page = fastapi_csp_docs.get_swagger_ui_oauth2_redirect_html(
            oauth2_redirect_script_url=_root(request) + OAUTH2_REDIRECT_JS_URL
        )
        page.headers["Content-Security-Policy"] = SWAGGER_UI_POLICY
        return page

    async def oauth2_redirect_js(request: Request) -> Response:
        return fastapi_csp_docs.get_swagger_ui_oauth2_redirect_js()

    if login:
        app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
        app.add_route(OAUTH2_REDIRECT_JS_URL, oauth2_redirect_js, include_in_schema=False)

    async def redoc(request: Request) -> HTMLResponse:
        return redoc_page(app, request)

    async def redoc_css(request: Request) -> Response:
        return fastapi_csp_docs.get_redoc_css()

    app.add_route(DOCS_URL, docs, include_in_schema=False)
    app.add_route(SWAGGER_INIT_URL, swagger_init, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
    app.add_route(REDOC_CSS_URL, redoc_css, include_in_schema=False)
    app.mount(ASSETS_URL, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")
