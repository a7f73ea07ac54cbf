"""Who is calling and what they may do: a verified identity plus the grants stored as data.

A bearer token gives an `Identity` (`samspill.tokens`). What that person may do lives in the
service's own tables: organisation memberships (owned by booking), facility-manager and
equipment-centre grants (owned by facilities), and the read models the other services build
from their events. Each service names a `GrantLoader` in its definition; the `CurrentPrincipal`
dependency verifies the token and loads the caller's grants in the same request, so a revoked
grant stops working as soon as its event is applied, whatever the token's lifetime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from samspill.db import request_session
from samspill.errors import Forbidden, Unauthorized
from samspill.tokens import Identity, TokenVerifier, invalid_token


class Role(StrEnum):
    """What a caller can be, each derived from data: any person is a resident."""

    RESIDENT = "resident"
    ORG_MEMBER = "org_member"
    FACILITY_MANAGER = "facility_manager"
    CENTRE_STAFF = "centre_staff"
    EMERGENCY_STAFF = "emergency_staff"
    ADMIN = "admin"


class OrganisationRole(StrEnum):
    """A member's role in an organisation: administrators manage members, bookers book,
    viewers see the organisation's bookings and calendar."""

    ADMINISTRATOR = "administrator"
    BOOKER = "booker"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Grants:
    """What one person has been granted, as the service's own tables hold it."""

    organisations: Mapping[str, OrganisationRole] = field(default_factory=dict)
    site_ids: frozenset[str] = frozenset()
    centre_ids: frozenset[str] = frozenset()
    emergency: bool = False
    """The municipality's emergency staff: may requisition sites and see preparedness."""


NO_GRANTS = Grants()

GrantLoader = Callable[[AsyncSession, str], Awaitable[Grants]]
"""Loads a person's grants (by person id) from a service's own tables."""


@dataclass(frozen=True)
class Principal:
    """The caller: an identity and its grants. A municipal admin reaches everything."""

    identity: Identity
    grants: Grants = NO_GRANTS

    @property
    def person_id(self) -> str:
        return self.identity.person_id

    @property
    def is_admin(self) -> bool:
        return self.identity.is_admin

    @property
    def is_person(self) -> bool:
        return not self.identity.is_service_account

    @property
    def roles(self) -> frozenset[Role]:
        roles = {Role.RESIDENT} if self.is_person else set()
        if self.grants.organisations:
            roles.add(Role.ORG_MEMBER)
        if self.grants.site_ids:
            roles.add(Role.FACILITY_MANAGER)
        if self.grants.centre_ids:
            roles.add(Role.CENTRE_STAFF)
        if self.grants.emergency:
            roles.add(Role.EMERGENCY_STAFF)
        if self.is_admin:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    @property
    def organisation_ids(self) -> frozenset[str]:
        return frozenset(self.grants.organisations)

    @property
    def site_ids(self) -> frozenset[str]:
        return self.grants.site_ids

    @property
    def centre_ids(self) -> frozenset[str]:
        return self.grants.centre_ids

    @property
    def is_emergency_staff(self) -> bool:
        """Granted the municipality's emergency role. An admin is not, by being one, but
        reaches what the emergency staff may do (requisitions) anyway."""
        return self.grants.emergency

    def has_role(self, role: str) -> bool:
        return self.is_admin or role in self.roles

    def organisation_role(self, organisation_id: object) -> OrganisationRole | None:
        return self.grants.organisations.get(str(organisation_id))

    def member_of(self, organisation_id: object) -> bool:
        return self.is_admin or self.organisation_role(organisation_id) is not None

    def books_for(self, organisation_id: object) -> bool:
        """May book in the organisation's name (administrators and bookers)."""
        role = self.organisation_role(organisation_id)
        return self.is_admin or role in (OrganisationRole.ADMINISTRATOR, OrganisationRole.BOOKER)

    def administers(self, organisation_id: object) -> bool:
        role = self.organisation_role(organisation_id)
        return self.is_admin or role is OrganisationRole.ADMINISTRATOR

    def manages_site(self, site_id: object) -> bool:
        return self.is_admin or str(site_id) in self.grants.site_ids

    def staffs_centre(self, centre_id: object) -> bool:
        return self.is_admin or str(centre_id) in self.grants.centre_ids


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description=(
        "An access token from a trusted OpenID Connect issuer (ID-porten, the municipality's "
        "Entra ID), or in development one printed by `samspill token`."
    ),
)
# Only documents the scheme in OpenAPI (and Swagger UI's Authorize); `bearer_token` reads the
# header itself so that a malformed one is refused rather than ignored.
DocumentedBearer = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is no header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise invalid_token(
            "The Authorization header must be 'Bearer <token>'.",
            "Authorization-headeren må ha formen 'Bearer <token>'.",
        )
    return token.strip()


def _state(request: Request) -> Any:
    return request.app.state


def _verifier(request: Request) -> TokenVerifier:
    verifier = getattr(_state(request), "token_verifier", None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("app.state.token_verifier is not set; the app factory sets it")
    return verifier


_VERIFIED = "samspill_verified_token"


async def _verify_once(request: Request, token: str) -> Identity | Unauthorized:
    """The token's verification, done once per request: the rate limiter asks before the
    route's dependency does, and both get the same answer."""
    known = getattr(request.state, _VERIFIED, None)
    if isinstance(known, tuple) and known[0] == token:
        outcome: Identity | Unauthorized = known[1]
        return outcome
    try:
        outcome = await _verifier(request).verify(token)
    except Unauthorized as exc:
        outcome = exc
    setattr(request.state, _VERIFIED, (token, outcome))
    return outcome


async def optional_identity(request: Request) -> Identity | None:
    """The caller's identity when a token is sent; a bad token is refused, never ignored."""
    token = bearer_token(request)
    if token is None:
        return None
    outcome = await _verify_once(request, token)
    if isinstance(outcome, Unauthorized):
        raise outcome
    return outcome


async def load_grants(request: Request, identity: Identity) -> Grants:
    loader: GrantLoader | None = getattr(_state(request), "grant_loader", None)
    if loader is None or identity.is_service_account:
        return NO_GRANTS
    shared = request_session(request)
    if shared is not None:
        return await loader(shared, identity.person_id)
    async with _state(request).sessions() as session:
        return await loader(session, identity.person_id)


async def optional_principal(
    request: Request, _documented: DocumentedBearer = None
) -> Principal | None:
    identity = await optional_identity(request)
    if identity is None:
        return None
    return Principal(identity, await load_grants(request, identity))


async def current_principal(request: Request, _documented: DocumentedBearer = None) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise _token_needed()
    return principal


def _token_needed() -> Unauthorized:
    return Unauthorized("This requires a bearer token.", "Dette krever innlogging (bearer-token).")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through when it holds at least one of `roles`."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    wanted = tuple(str(role) for role in roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        _check_roles(principal, wanted)
        return principal

    return dependency


def _check_roles(principal: Principal, wanted: tuple[str, ...]) -> None:
    if not any(principal.has_role(role) for role in wanted):
        raise Forbidden(
            f"This requires one of the roles: {', '.join(wanted)}.",
            f"Dette krever en av rollene: {', '.join(wanted)}.",
            required_roles=list(wanted),
        )


async def current_resident(request: Request, _documented: DocumentedBearer = None) -> Identity:
    """The caller as a resident, for routes that need no grant: the resident role comes from
    the token alone (any person, or an admin), so the grants are not loaded, which spares the
    request a statement and an early database connection. 403 as `require_roles` answers."""
    identity = await optional_identity(request)
    if identity is None:
        raise _token_needed()
    _check_roles(Principal(identity, NO_GRANTS), (str(Role.RESIDENT),))
    return identity


CurrentResident = Annotated[Identity, Depends(current_resident)]
