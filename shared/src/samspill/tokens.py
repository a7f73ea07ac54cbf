"""Access tokens from OpenID Connect issuers, verified into an `Identity`.

A token names who is calling and nothing about what they may do: what a person may do is
Samspill's own data (memberships, staff grants; see `samspill.auth`). The one permission an
issuer may carry is the municipality's admin group (Entra ID `groups`), configured per issuer.

Each API accepts tokens from a configured list of issuers (`OIDC_ISSUERS`). An issuer's keys
come from its discovery document's `jwks_uri`, are cached, and are fetched again when a token
names a key id the cache does not know (key rotation), at most once per `min_refresh_s`, so a
stream of made-up key ids cannot make the service hammer the issuer. Only asymmetric algorithms
are accepted from an issuer; `alg: none` and HS256 never are. The local development key (HS256,
`JWT_SECRET`) is a separate issuer that exists only outside production.

A person is identified by (issuer, `sub`); `person_id` derives one stable id from the pair, so
every service names the same person alike without sharing a table and no raw subject (nor any
other claim, such as ID-porten's national identity number `pid`) is stored.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, Field, field_validator

from samspill.errors import Unauthorized

CLOCK_SKEW = timedelta(seconds=30)
DEV_ALGORITHM = "HS256"
ISSUER_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"})
ADMIN_SCOPE = "samspill.admin"
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
# Verified tokens remembered (by their hash) until they expire; the oldest go first beyond this.
VERIFIED_CACHE_SIZE = 10_000
_PERSON_NAMESPACE = uuid.UUID("6f1c7a52-3f0e-4c59-9d55-2f6b1f0c8a11")


@functools.lru_cache(maxsize=65_536)  # asked several times per request
def person_id(issuer: str, subject: str) -> str:
    """The stable Samspill id of the person `subject` at `issuer` (a name-based UUID)."""
    return str(uuid.uuid5(_PERSON_NAMESPACE, f"{issuer}\n{subject}"))


class IssuerConfig(BaseModel):
    """One OpenID Connect issuer whose access tokens an API accepts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str = Field(description="The issuer URL, exactly as tokens carry it in `iss`.")
    audience: str = Field(description="The `aud` Samspill's tokens carry at this issuer.")
    name: str = Field(default="", description="A label for logs and docs (idporten, entra).")
    discovery_url: str | None = Field(
        default=None, description="Default: the issuer + /.well-known/openid-configuration."
    )
    algorithms: tuple[str, ...] = ("RS256", "ES256", "PS256")
    admin_groups: tuple[str, ...] = Field(
        default=(), description="Group ids whose members are municipal admins (Entra ID)."
    )
    groups_claim: str = "groups"

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        refused = [alg for alg in value if alg not in ISSUER_ALGORITHMS]
        if refused or not value:
            raise ValueError(f"an issuer may only use asymmetric algorithms, not {refused}")
        return value

    @property
    def discovery(self) -> str:
        return self.discovery_url or (self.issuer.rstrip("/") + "/.well-known/openid-configuration")


@dataclass(frozen=True)
class Identity:
    """Who a verified token names: a person, or an integration's own client (no person)."""

    issuer: str
    subject: str
    client_id: str | None
    scopes: frozenset[str]
    is_admin: bool
    is_service_account: bool = False

    @property
    def person_id(self) -> str:
        """A person's id; for a service account an id of its client that no person can have."""
        if self.is_service_account:
            return f"client:{self.client_id or self.subject}"
        return person_id(self.issuer, self.subject)


def invalid_token(detail: str, detail_nb: str) -> Unauthorized:
    return Unauthorized(detail, detail_nb, bearer_error="invalid_token")


def _string_list(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise invalid_token(
        f"The token claim '{name}' must be a list of strings.",
        f"Feltet '{name}' i tokenet må være en liste med tekster.",
    )


def identity_from_claims(
    claims: Mapping[str, Any], *, admin_groups: Iterable[str], groups_claim: str = "groups"
) -> Identity:
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not isinstance(subject, str) or not subject or not isinstance(issuer, str):
        raise invalid_token("The token has no subject.", "Tokenet mangler subjekt.")
    client = claims.get("client_id") or claims.get("azp") or claims.get("appid")
    client_id = client if isinstance(client, str) else None
    scopes = frozenset(_string_list(claims, "scope") + _string_list(claims, "scp"))
    # RFC 9068: a client's own token (client credentials) has the client id as subject.
    service_account = subject == client_id or claims.get("idtyp") == "app"
    if service_account:
        # Entra ID gives an application's permissions as app roles, not scopes.
        scopes |= frozenset(_string_list(claims, "roles"))
        is_admin = ADMIN_SCOPE in scopes
    else:
        is_admin = bool(set(_string_list(claims, groups_claim)) & set(admin_groups))
    return Identity(issuer, subject, client_id, scopes, is_admin, service_account)


def _decode_error(exc: jwt.PyJWTError) -> Unauthorized:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return invalid_token("The token has expired.", "Innloggingen har utløpt.")
    if isinstance(exc, jwt.ImmatureSignatureError):
        return invalid_token("The token is not valid yet.", "Tokenet er ikke gyldig ennå.")
    if isinstance(exc, jwt.InvalidIssuerError):
        return invalid_token("The token has the wrong issuer.", "Tokenet har feil utsteder.")
    if isinstance(exc, jwt.InvalidAudienceError):
        return invalid_token(
            "The token is meant for another audience.", "Tokenet er ment for en annen mottaker."
        )
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return invalid_token(
            f"The token lacks the required claim '{exc.claim}'.",
            f"Tokenet mangler feltet '{exc.claim}'.",
        )
    if isinstance(exc, jwt.InvalidSignatureError):
        return invalid_token(
            "The token signature is not valid.", "Signaturen på tokenet er ugyldig."
        )
    return invalid_token("The token is not valid.", "Tokenet er ugyldig.")


class IssuerKeys:
    """The signing keys of one issuer, from its discovery document's `jwks_uri`, cached."""

    def __init__(
        self,
        config: IssuerConfig,
        http: Callable[[], httpx.AsyncClient],
        *,
        max_age_s: float = 300,
        min_refresh_s: float = 10,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._http = http
        self._max_age_s = max_age_s
        self._min_refresh_s = min_refresh_s
        self._monotonic = monotonic
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        if self._stale():
            await self._refresh(force=False)
        found = self._find(kid)
        if found is None and self._may_refetch():
            await self._refresh(force=True)  # perhaps the issuer rotated its keys
            found = self._find(kid)
        if found is None:
            raise invalid_token(
                "No known signing key matches the token.",
                "Ingen kjent signaturnøkkel passer til tokenet.",
            )
        return found

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._monotonic() - self._fetched_at > self._max_age_s

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or (
            self._monotonic() - self._fetched_at >= self._min_refresh_s
        )

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            if not force and not self._stale():
                return  # another request refreshed while this one waited
            if force and not self._may_refetch():
                return
            try:
                self._keys = await self._fetch()
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                if not self._keys:
                    raise invalid_token(
                        "The signing keys of the token issuer could not be fetched.",
                        "Klarte ikke å hente signaturnøklene til utstederen.",
                    ) from exc
                # Keep the keys we have: an issuer outage must not log everyone out.
            self._fetched_at = self._monotonic()

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        client = self._http()
        discovery = (await client.get(self._config.discovery)).raise_for_status().json()
        if discovery.get("issuer") != self._config.issuer:
            raise ValueError("the discovery document names another issuer")
        key_set = (await client.get(discovery["jwks_uri"])).raise_for_status().json()
        keys: dict[str, jwt.PyJWK] = {}
        for data in key_set.get("keys", []):
            if data.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(data)
            except jwt.PyJWTError:
                continue  # a key type this service does not use
            keys[str(data.get("kid", ""))] = key
        return keys


@dataclass(frozen=True)
class _Verified:
    """A verified token as remembered: until `expires_at` (its `exp`, Unix time), and only
    while its issuer still holds `key` under `kid` (None: the development key)."""

    identity: Identity
    expires_at: float
    issuer: str
    kid: str | None
    key: jwt.PyJWK | None


class TokenVerifier:
    """Verifies bearer tokens from the configured issuers, and the dev key outside production."""

    def __init__(
        self,
        issuers: Iterable[IssuerConfig],
        *,
        dev_issuer: IssuerConfig | None = None,
        dev_secret: str | None = None,
        http: httpx.AsyncClient | None = None,
        key_max_age_s: float = 300,
        min_key_refresh_s: float = 10,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuers = {config.issuer: config for config in issuers}
        self._dev = (dev_issuer, dev_secret) if dev_issuer and dev_secret else None
        self._http_client = http
        self._keys = {
            config.issuer: IssuerKeys(
                config, self._http, max_age_s=key_max_age_s, min_refresh_s=min_key_refresh_s
            )
            for config in self._issuers.values()
        }
        self._verified: dict[bytes, _Verified] = {}
        self._wall_clock = wall_clock

    def _http(self) -> httpx.AsyncClient:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(timeout=5, follow_redirects=False)
        return self._http_client

    async def aclose(self) -> None:
        if self._http_client is not None:
            await self._http_client.aclose()
            self._http_client = None

    async def verify(self, token: str) -> Identity:
        """The token's identity. A token verified before is answered from memory until its
        `exp`, as long as the key it was verified with is still its issuer's (the same key
        object: a rotation or a refresh of the keys makes it verify again)."""
        digest = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(digest)
        if known is not None and await self._still_valid(known):
            return known.identity
        identity, verified = await self._verify(token)
        if verified is not None:
            self._remember(digest, verified)
        return identity

    async def _still_valid(self, known: _Verified) -> bool:
        if self._wall_clock() >= known.expires_at:
            return False
        return known.key is None or await self._keys[known.issuer].key(known.kid) is known.key

    def _remember(self, digest: bytes, verified: _Verified) -> None:
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            now = self._wall_clock()
            self._verified = {
                known: entry for known, entry in self._verified.items() if entry.expires_at > now
            }
            while len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
        self._verified[digest] = verified

    async def _verify(self, token: str) -> tuple[Identity, _Verified | None]:
        header, unverified = self._peek(token)
        issuer = unverified.get("iss")
        algorithm = header.get("alg")
        if self._dev is not None and issuer == self._dev[0].issuer:
            config, key = self._dev[0], self._dev[1]
            allowed = [DEV_ALGORITHM]
        elif isinstance(issuer, str) and issuer in self._issuers:
            config = self._issuers[issuer]
            allowed = list(config.algorithms)
            key = None
        else:
            raise invalid_token(
                "The token's issuer is not trusted here.", "Tokenet er fra en ukjent utsteder."
            )
        if algorithm not in allowed:
            raise invalid_token(
                f"The token algorithm {algorithm!r} is not accepted here.",
                "Tokenet er signert med en algoritme som ikke godtas her.",
            )
        issuer_key: jwt.PyJWK | None = None
        if key is None:
            issuer_key = await self._keys[config.issuer].key(header.get("kid"))
            key = issuer_key.key
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=allowed,
                audience=config.audience,
                issuer=config.issuer,
                leeway=CLOCK_SKEW,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise _decode_error(exc) from exc
        identity = identity_from_claims(
            claims, admin_groups=config.admin_groups, groups_claim=config.groups_claim
        )
        expires_at = claims.get("exp")
        if not isinstance(expires_at, int | float) or isinstance(expires_at, bool):
            return identity, None
        kid = header.get("kid")
        return identity, _Verified(
            identity,
            float(expires_at),
            config.issuer,
            kid if isinstance(kid, str) else None,
            issuer_key,
        )

    @staticmethod
    def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Header and claims before verification: only to pick the issuer and its keys."""
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise invalid_token("The token is malformed.", "Tokenet har feil format.") from exc
        return header, claims


DEV_ADMIN_GROUP = "samspill-admins"


def mint_dev_token(
    *,
    secret: str,
    issuer: str,
    audience: str,
    sub: str,
    admin: bool = False,
    client_scopes: Iterable[str] | None = None,
    ttl: timedelta = timedelta(hours=12),
    now: datetime | None = None,
) -> str:
    """A token signed with the local development key: identity only (plus the admin group).

    `client_scopes` makes it a service account's token (subject = client id) with those scopes.
    """
    issued_at = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": sub,
        "iat": issued_at,
        "exp": issued_at + ttl,
        "iss": issuer,
        "aud": audience,
    }
    if admin:
        claims["groups"] = [DEV_ADMIN_GROUP]
    if client_scopes is not None:
        claims["client_id"] = sub
        claims["scope"] = " ".join(sorted(client_scopes))
    return jwt.encode(claims, secret, algorithm=DEV_ALGORITHM)
