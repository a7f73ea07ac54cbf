"""The documentation pages without a browser: what they load, from where, under which policy.
(tests/browser renders them in Chromium.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from samspill.apidocs import DocsLogin, install_api_docs
from samspill.auth import CurrentPrincipal
from samspill.openapi import install_corrected_openapi

PAGES = ["/docs", "/redoc"]


@pytest.fixture
async def docs_client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI(title="Demo <&>", docs_url=None, redoc_url=None)

    @app.get("/spaces/{space_id}")
    async def get_space(space_id: int) -> dict[str, int]:
        return {"id": space_id}

    install_corrected_openapi(app)
    install_api_docs(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        yield client


def referenced(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_loads_only_the_service_own_assets(
    docs_client: httpx.AsyncClient, path: str
) -> None:
    page = await docs_client.get(path)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "<title>Demo &lt;&amp;&gt; –" in page.text
    assets = referenced(page.text)
    assert assets
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in assets)
    for asset in assets:
        assert (await docs_client.get(asset)).status_code == 200, asset


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_has_no_inline_script_or_style(
    docs_client: httpx.AsyncClient, path: str
) -> None:
    page = (await docs_client.get(path)).text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page
    assert " style=" not in page
    assert re.search(r"\son\w+=", page) is None


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_allows_nothing_from_outside(
    docs_client: httpx.AsyncClient, path: str
) -> None:
    policy = (await docs_client.get(path)).headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert re.search(r"https?:|\*", policy) is None


async def test_swagger_ui_starts_on_the_corrected_document(
    docs_client: httpx.AsyncClient,
) -> None:
    start = await docs_client.get("/docs/swagger-initializer.js")
    assert start.headers["content-type"].startswith("text/javascript")
    assert '"/openapi.json"' in start.text
    document = (await docs_client.get("/openapi.json")).json()
    assert "Problem" in document["components"]["schemas"]  # samspill.openapi's corrections


def test_the_app_must_leave_its_own_pages_off() -> None:
    with pytest.raises(RuntimeError, match="docs_url=None"):
        install_api_docs(FastAPI())


# --- the Authorize button -------------------------------------------------------------------


@pytest.fixture
async def login_client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI(title="Demo", docs_url=None, redoc_url=None)

    @app.get("/mine")
    async def mine(principal: CurrentPrincipal) -> dict[str, str]:
        return {"person": principal.person_id}

    @app.get("/public")
    async def public() -> dict[str, str]:
        return {}

    login = DocsLogin(
        "https://login.example/realm",
        "https://login.example/realm/.well-known/openid-configuration",
        "samspill-docs",
    )
    install_corrected_openapi(app, login.discovery_url)
    install_api_docs(app, login)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        yield client


async def test_swagger_ui_signs_in_with_pkce_at_the_issuer(
    login_client: httpx.AsyncClient,
) -> None:
    script = (await login_client.get("/docs/swagger-initializer.js")).text
    assert '"clientId": "samspill-docs"' in script or '"clientId":"samspill-docs"' in script
    assert "usePkceWithAuthorizationCodeGrant" in script
    assert "/docs/oauth2-redirect" in script
    page = await login_client.get("/docs")
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self' https://login.example" in policy
    assert "script-src 'self'" in policy
    redirect = await login_client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", redirect.text) == []
    for asset in referenced(redirect.text):
        assert (await login_client.get(asset)).status_code == 200


async def test_operations_taking_a_token_offer_bearer_and_openid_connect(
    login_client: httpx.AsyncClient,
) -> None:
    document = (await login_client.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    assert schemes["oidc"]["openIdConnectUrl"].endswith("/.well-known/openid-configuration")
    assert document["paths"]["/mine"]["get"]["security"] == [{"bearer": []}, {"oidc": ["openid"]}]
    assert "security" not in document["paths"]["/public"]["get"]
