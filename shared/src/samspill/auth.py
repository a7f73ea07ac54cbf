"""Bearer JWT authentication and role checks.

Development signs tokens with a local HS256 secret (`mint_token`); production
verifies RS256/ES256 tokens from an OIDC issuer (ID-porten, Entra ID) against
its JWKS. A symmetric secret is only ever used for HS256 and a JWKS only for the
asymmetric algorithms, so a token cannot pick the weaker check for itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from samspill.errors import Forbidden, Unauthorized

SYMMETRIC_ALGORITHM = "HS256"
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "ES256"})
CLOCK_SKEW = timedelta(seconds=30)
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


class Role(StrEnum):
    RESIDENT = "resident"
    ORG_MEMBER = "org_member"
    FACILITY_MANAGER = "facility_manager"
    CENTRE_STAFF = "centre_staff"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling and what their roles reach. An admin reaches everything."""

    sub: str
    roles: frozenset[str]
    org_ids: frozenset[str] = frozenset()
    site_ids: frozenset[str] = frozenset()
    centre_ids: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def has_role(self, role: str) -> bool:
        return self.is_admin or role in self.roles

    def member_of(self, org_id: object) -> bool:
        return self.is_admin or str(org_id) in self.org_ids

    def manages_site(self, site_id: object) -> bool:
        return self.is_admin or str(site_id) in self.site_ids

    def staffs_centre(self, centre_id: object) -> bool:
        return self.is_admin or str(centre_id) in self.centre_ids


def _invalid_token(detail: str, detail_nb: str) -> Unauthorized:
    return Unauthorized(detail, detail_nb, bearer_error="invalid_token")


def _string_set(claims: Mapping[str, Any], name: str) -> frozenset[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid_token(
            f"The token claim '{name}' must be a list of strings.",
            f"Feltet '{name}' i tokenet må være en liste med tekster.",
        )
    return frozenset(value)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise _invalid_token("The token has no subject.", "Tokenet mangler subjekt.")
    return Principal(
        sub=sub,
        roles=_string_set(claims, "roles"),
        org_ids=_string_set(claims, "org_ids"),
        site_ids=_string_set(claims, "site_ids"),
        centre_ids=_string_set(claims, "centre_ids"),
    )


def _decode_error(exc: jwt.PyJWTError) -> Unauthorized:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return _invalid_token("The token has expired.", "Innloggingen har utløpt.")
    if isinstance(exc, jwt.InvalidIssuerError):
        return _invalid_token("The token has the wrong issuer.", "Tokenet har feil utsteder.")
    if isinstance(exc, jwt.InvalidAudienceError):
        return _invalid_token(
            "The token is meant for another audience.", "Tokenet er ment for en annen mottaker."
        )
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return _invalid_token(
            f"The token lacks the required claim '{exc.claim}'.",
            f"Tokenet mangler feltet '{exc.claim}'.",
        )
    if isinstance(exc, jwt.InvalidSignatureError):
        return _invalid_token(
            "The token signature is not valid.", "Signaturen på tokenet er ugyldig."
        )
    return _invalid_token(f"The token is not valid: {exc}.", "Tokenet er ugyldig.")


class TokenVerifier:
    """Verifies bearer tokens: HS256 with a local secret, RS256/ES256 against a JWKS URL."""

    def __init__(
        self, *, secret: str | None, jwks_url: str | None, issuer: str, audience: str
    ) -> None:
        if not secret and not jwks_url:
            raise ValueError("TokenVerifier needs a secret, a JWKS URL, or both")
        self._secret = secret or None
        self._issuer = issuer
        self._audience = audience
        # The client caches the key set (5 min) and each key, so most calls never fetch.
        self._jwks_client = (
            jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)
            if jwks_url
            else None
        )

    async def verify(self, token: str) -> Principal:
        algorithm = self._algorithm_of(token)
        key = await self._key_for(token, algorithm)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=CLOCK_SKEW,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise _decode_error(exc) from exc
        return principal_from_claims(claims)

    def _algorithm_of(self, token: str) -> str:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _invalid_token("The token is malformed.", "Tokenet har feil format.") from exc
        algorithm = header.get("alg")
        if algorithm == SYMMETRIC_ALGORITHM and self._secret is not None:
            return SYMMETRIC_ALGORITHM
        if algorithm in ASYMMETRIC_ALGORITHMS and self._jwks_client is not None:
            return str(algorithm)
        raise _invalid_token(
            f"The token algorithm {algorithm!r} is not accepted here.",
            "Tokenet er signert med en algoritme som ikke godtas her.",
        )

    async def _key_for(self, token: str, algorithm: str) -> Any:
        if algorithm == SYMMETRIC_ALGORITHM:
            return self._secret
        assert self._jwks_client is not None
        try:
            # PyJWKClient fetches over blocking urllib; keep it off the event loop.
            signing_key = await asyncio.to_thread(self._jwks_client.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientConnectionError as exc:
            raise _invalid_token(
                "The signing keys of the token issuer could not be fetched.",
                "Klarte ikke å hente signaturnøklene til utstederen.",
            ) from exc
        except jwt.PyJWTError as exc:
            raise _invalid_token(
                "No known signing key matches the token.",
                "Ingen kjent signaturnøkkel passer til tokenet.",
            ) from exc
        return signing_key.key


def mint_token(
    *,
    secret: str,
    issuer: str,
    audience: str,
    sub: str,
    roles: Iterable[str],
    org_ids: Iterable[object] = (),
    site_ids: Iterable[object] = (),
    centre_ids: Iterable[object] = (),
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A signed HS256 token for the local development issuer."""
    issued_at = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": sub,
        "roles": sorted({str(role) for role in roles}),
        "org_ids": sorted({str(org_id) for org_id in org_ids}),
        "site_ids": sorted({str(site_id) for site_id in site_ids}),
        "centre_ids": sorted({str(centre_id) for centre_id in centre_ids}),
        "iat": issued_at,
        "exp": issued_at + ttl,
        "iss": issuer,
        "aud": audience,
    }
    return jwt.encode(claims, secret, algorithm=SYMMETRIC_ALGORITHM)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is no header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid_token(
            "The Authorization header must be 'Bearer <token>'.",
            "Authorization-headeren må ha formen 'Bearer <token>'.",
        )
    return token.strip()


def _verifier(request: Request) -> TokenVerifier:
    verifier = getattr(request.app.state, "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not set; the app factory sets it")
    return verifier


_VERIFIED = "samspill_verified_token"


async def _verify_once(request: Request, token: str) -> Principal | Unauthorized:
    """The token's verification, done once per request: the rate limiter asks before the
    route's dependency does, and both get the same answer."""
    known = getattr(request.state, _VERIFIED, None)
    if isinstance(known, tuple) and known[0] == token:
        outcome: Principal | Unauthorized = known[1]
        return outcome
    try:
        outcome = await _verifier(request).verify(token)
    except Unauthorized as exc:
        outcome = exc
    setattr(request.state, _VERIFIED, (token, outcome))
    return outcome


async def optional_principal(request: Request) -> Principal | None:
    """The caller when a token is sent; a bad token is still refused, never ignored."""
    token = bearer_token(request)
    if token is None:
        return None
    outcome = await _verify_once(request, token)
    if isinstance(outcome, Unauthorized):
        raise outcome
    return outcome


async def current_principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise Unauthorized(
            "This requires a bearer token.", "Dette krever innlogging (bearer-token)."
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through when it holds at least one of `roles`."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    wanted = tuple(str(role) for role in roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not any(principal.has_role(role) for role in wanted):
            raise Forbidden(
                f"This requires one of the roles: {', '.join(wanted)}.",
                f"Dette krever en av rollene: {', '.join(wanted)}.",
                required_roles=list(wanted),
            )
        return principal

    return dependency
