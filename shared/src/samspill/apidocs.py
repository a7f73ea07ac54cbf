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

import fastapi_csp_docs
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
SWAGGER_INIT_URL = "/docs/swagger-initializer.js"
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


def swagger_ui_page(app: FastAPI, request: Request) -> HTMLResponse:
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
    return _page(f"{app.title} – Swagger UI", head, body, SWAGGER_UI_POLICY)


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


def install_api_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc from packaged assets; the app is made with both URLs None."""
    if app.docs_url or app.redoc_url or app.openapi_url is None:
        raise RuntimeError("create the app with docs_url=None and redoc_url=None, and OpenAPI on")
    openapi_url = app.openapi_url

    async def docs(request: Request) -> HTMLResponse:
        return swagger_ui_page(app, request)

    async def swagger_init(request: Request) -> Response:
        return fastapi_csp_docs.get_swagger_ui_init_js(
            openapi_url=_root(request) + openapi_url,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def redoc(request: Request) -> HTMLResponse:
        return redoc_page(app, request)

    async def redoc_css(request: Request) -> Response:
        return fastapi_csp_docs.get_redoc_css()

    app.add_route(DOCS_URL, docs, include_in_schema=False)
    app.add_route(SWAGGER_INIT_URL, swagger_init, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
    app.add_route(REDOC_CSS_URL, redoc_css, include_in_schema=False)
    app.mount(ASSETS_URL, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")
