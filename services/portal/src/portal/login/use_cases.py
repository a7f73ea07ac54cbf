"""The portal as an OpenID Connect client (Authlib): start a login, finish it, end it.

The login's state, nonce and PKCE verifier wait in the server-side session between the
redirect to the issuer and the callback; the ID token is verified (signature by the issuer's
keys, issuer, audience, nonce, expiry) before anyone is logged in. The session then keeps the
person's display name, the access token the APIs accept (and nothing else of the token) and
when they logged in.
"""

from __future__ import annotations

import time
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import Request
from starlette.responses import RedirectResponse

from portal.apis import ApiRefused, Apis, ApiUnavailable
from portal.config import PortalSettings
from portal.sessions import rotate_session

CLIENT_NAME = "samspill"


class LoginFailed(Exception):
    """The issuer refused, the callback's state did not match, or the ID token was invalid."""


def oidc_client(settings: PortalSettings) -> OAuth:
    oauth = OAuth()
    issuer = settings.oidc_issuers[0] if settings.oidc_issuers else None
    if issuer is None:
        return oauth
    secret = settings.oidc_client_secret
    oauth.register(
        name=CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        server_metadata_url=issuer.discovery,
        client_kwargs={
            "scope": settings.oidc_scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post" if secret else "none",
        },
    )
    return oauth


def _client(request: Request) -> Any:
    oauth: OAuth = request.app.state.oauth
    client = oauth.create_client(CLIENT_NAME)
    if client is None:
        raise LoginFailed("no login issuer is configured (OIDC_ISSUERS)")
    return client


async def start_login(
    request: Request, settings: PortalSettings, *, next_path: str, login_hint: str | None
) -> RedirectResponse:
    request.session["next"] = next_path
    extra: dict[str, str] = {}
    if login_hint:
        extra |= {"login_hint": login_hint, "prompt": "login"}
    if settings.oidc_resource:
        extra["resource"] = settings.oidc_resource
    client = _client(request)
    try:
        response: RedirectResponse = await client.authorize_redirect(
            request, settings.callback_url, **extra
        )
    except OAuthError as exc:
        raise LoginFailed(str(exc)) from exc
    return response


async def finish_login(request: Request) -> str:
    """Log the person in from the callback; returns where they were going."""
    client = _client(request)
    try:
        token = await client.authorize_access_token(request)
    except (OAuthError, ValueError, KeyError) as exc:
        raise LoginFailed(str(exc)) from exc
    claims = token.get("userinfo") or {}
    if not claims.get("sub") or not token.get("access_token"):
        raise LoginFailed("the issuer's answer lacks a subject or an access token")
    next_path = str(request.session.get("next") or "/")
    request.session.clear()
    request.session["person"] = {
        "name": claims.get("name") or claims.get("given_name"),
        "access_token": token["access_token"],
        "expires_at": float(token.get("expires_at") or time.time() + 300),
        "staff": await is_staff(request.app.state.apis, token["access_token"]),
        "logged_in_at": time.time(),
    }
    rotate_session(request)
    return next_path


async def is_staff(apis: Apis, access_token: str) -> bool:
    """Whether the person has staff pages (manages a site, staffs a centre, or is an admin):
    the menu shows "For staff" then. The staff pages ask again, as grants change."""
    try:
        me = await apis.get("booking", "/me", token=access_token)
    except (ApiRefused, ApiUnavailable):
        return False
    return staff_of(me)


def staff_of(me: dict[str, Any]) -> bool:
    return bool(me.get("is_admin") or me.get("managed_site_ids") or me.get("staffed_centre_ids"))


def end_session(request: Request) -> None:
    request.session.clear()
