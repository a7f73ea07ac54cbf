"""Principals: a verified identity plus grants loaded from the service's own data.

The FastAPI dependencies run in a small app whose grant loader reads a dict standing for the
service's tables; the loader is called per request, so changing the dict (a revoked grant)
changes the answer at once with the same token.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from hypothesis import given
from hypothesis import strategies as st

from samspill.auth import (
    CurrentPrincipal,
    Grants,
    OptionalPrincipal,
    OrganisationRole,
    Principal,
    Role,
    require_roles,
)
from samspill.problems import install_problem_handlers
from samspill.settings import DEV_JWT_SECRET
from samspill.tokens import DEV_ADMIN_GROUP, Identity, IssuerConfig, TokenVerifier, mint_dev_token

ISSUER = "samspill-dev"
AUDIENCE = "samspill"


def identity(subject: str = "p", *, admin: bool = False, service: bool = False) -> Identity:
    return Identity(ISSUER, subject, subject if service else None, frozenset(), admin, service)


def principal(grants: Grants = Grants(), **kwargs: Any) -> Principal:
    return Principal(identity(**kwargs), grants)


# --- Principal --------------------------------------------------------------------------


def test_roles_come_from_grants_not_from_the_token() -> None:
    nobody = principal()
    assert nobody.roles == {Role.RESIDENT}
    member = principal(Grants(organisations={"org-1": OrganisationRole.VIEWER}))
    assert member.roles == {Role.RESIDENT, Role.ORG_MEMBER}
    staff = principal(Grants(site_ids=frozenset({"s"}), centre_ids=frozenset({"c"})))
    assert staff.roles == {Role.RESIDENT, Role.FACILITY_MANAGER, Role.CENTRE_STAFF}
    assert principal(service=True).roles == frozenset()


def test_organisation_roles_decide_booking_and_administration() -> None:
    grants = Grants(
        organisations={
            "a": OrganisationRole.ADMINISTRATOR,
            "b": OrganisationRole.BOOKER,
            "v": OrganisationRole.VIEWER,
        }
    )
    caller = principal(grants)
    assert [caller.member_of(o) for o in "abvx"] == [True, True, True, False]
    assert [caller.books_for(o) for o in "abvx"] == [True, True, False, False]
    assert [caller.administers(o) for o in "abvx"] == [True, False, False, False]


def test_sites_and_centres_reach_only_their_own() -> None:
    caller = principal(Grants(site_ids=frozenset({"site-1"}), centre_ids=frozenset({"12"})))
    assert caller.manages_site("site-1")
    assert not caller.manages_site("site-2")
    assert caller.staffs_centre(12)
    assert not caller.staffs_centre("13")


@given(org=st.text(min_size=1, max_size=8), site=st.text(max_size=8))
def test_an_admin_reaches_everything(org: str, site: str) -> None:
    admin = principal(admin=True)
    assert admin.is_admin
    assert admin.has_role(Role.FACILITY_MANAGER)
    assert admin.member_of(org)
    assert admin.books_for(org)
    assert admin.administers(org)
    assert admin.manages_site(site)
    assert admin.staffs_centre(site)


# --- FastAPI dependencies ----------------------------------------------------------------


class Tables:
    """Stands for a service's grant tables: person id → grants."""

    def __init__(self) -> None:
        self.grants: dict[str, Grants] = {}
        self.loads = 0

    async def load(self, session: object, person_id: str) -> Grants:
        self.loads += 1
        return self.grants.get(person_id, Grants())


def build_app(tables: Tables) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    dev = IssuerConfig.model_construct(
        issuer=ISSUER,
        audience=AUDIENCE,
        name="dev-key",
        discovery_url=None,
        algorithms=(),
        admin_groups=(DEV_ADMIN_GROUP,),
        groups_claim="groups",
    )
    app.state.token_verifier = TokenVerifier([], dev_issuer=dev, dev_secret=DEV_JWT_SECRET)
    app.state.grant_loader = tables.load
    app.state.sessions = lambda: contextlib.nullcontext(None)

    @app.get("/me")
    async def me(caller: CurrentPrincipal) -> dict[str, object]:
        return {"person": caller.person_id, "roles": sorted(caller.roles)}

    @app.get("/maybe")
    async def maybe(caller: OptionalPrincipal) -> dict[str, object]:
        return {"person": caller.person_id if caller else None}

    @app.get("/sites/manage")
    async def manage(
        caller: Annotated[
            Principal, Depends(require_roles(Role.FACILITY_MANAGER, Role.CENTRE_STAFF))
        ],
    ) -> dict[str, str]:
        return {"person": caller.person_id}

    return app


class Caller:
    def __init__(self, client: httpx.AsyncClient, tables: Tables) -> None:
        self.client = client
        self.tables = tables

    @staticmethod
    def bearer(
        sub: str = "kari", *, admin: bool = False, secret: str = DEV_JWT_SECRET
    ) -> dict[str, str]:
        token = mint_dev_token(
            secret=secret, issuer=ISSUER, audience=AUDIENCE, sub=sub, admin=admin
        )
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def caller() -> AsyncIterator[Caller]:
    tables = Tables()
    transport = httpx.ASGITransport(build_app(tables))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Caller(http, tables)


async def test_the_principal_is_the_token_identity_with_the_stored_grants(caller: Caller) -> None:
    answer = (await caller.client.get("/me", headers=caller.bearer())).json()
    assert answer["roles"] == ["resident"]
    caller.tables.grants[answer["person"]] = Grants(site_ids=frozenset({"s"}))
    again = (await caller.client.get("/me", headers=caller.bearer())).json()
    assert again["roles"] == ["facility_manager", "resident"]


async def test_a_revoked_grant_is_refused_at_once_with_the_same_token(caller: Caller) -> None:
    headers = caller.bearer()
    person = (await caller.client.get("/me", headers=headers)).json()["person"]
    caller.tables.grants[person] = Grants(centre_ids=frozenset({"c"}))
    assert (await caller.client.get("/sites/manage", headers=headers)).status_code == 200
    del caller.tables.grants[person]
    refused = await caller.client.get("/sites/manage", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["required_roles"] == ["facility_manager", "centre_staff"]


async def test_the_admin_group_passes_role_checks(caller: Caller) -> None:
    ok = await caller.client.get("/sites/manage", headers=caller.bearer("boss", admin=True))
    assert ok.status_code == 200


async def test_missing_token_is_401_with_bare_bearer_challenge(caller: Caller) -> None:
    response = await caller.client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert caller.tables.loads == 0


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer"]
)
async def test_bad_authorization_is_401_invalid_token(caller: Caller, authorization: str) -> None:
    response = await caller.client.get("/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_optional_principal(caller: Caller) -> None:
    assert (await caller.client.get("/maybe")).json() == {"person": None}
    assert (await caller.client.get("/maybe", headers=caller.bearer())).json()["person"]
    wrong = caller.bearer(secret="x" * 40)
    assert (await caller.client.get("/maybe", headers=wrong)).status_code == 401


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()
