"""Bearer JWT verification, principals and the FastAPI auth dependencies.

The JWKS tests serve a key set from a loopback HTTP server so the real
`PyJWKClient` path (fetch, key selection, cache) runs without leaving the machine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.auth import (
    CurrentPrincipal,
    OptionalPrincipal,
    Principal,
    Role,
    TokenVerifier,
    mint_token,
    require_roles,
)
from samspill.errors import Unauthorized
from samspill.problems import install_problem_handlers

SECRET = "local-development-secret-of-32-bytes!"
ISSUER = "http://samspill.localhost/dev-issuer"
AUDIENCE = "samspill"


def local_verifier() -> TokenVerifier:
    return TokenVerifier(secret=SECRET, jwks_url=None, issuer=ISSUER, audience=AUDIENCE)


def token(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "secret": SECRET,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "sub": "user-1",
        "roles": [Role.ORG_MEMBER],
        "org_ids": ["org-1"],
    }
    arguments.update(overrides)
    return mint_token(**arguments)


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "sub": "user-1",
        "roles": ["resident"],
        "iat": now,
        "exp": now + timedelta(hours=1),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


# --- Principal ------------------------------------------------------------------------


def test_principal_reaches_only_its_own_orgs_sites_and_centres() -> None:
    principal = Principal(
        sub="u",
        roles=frozenset({Role.ORG_MEMBER, Role.FACILITY_MANAGER}),
        org_ids=frozenset({"org-1"}),
        site_ids=frozenset({"site-1"}),
        centre_ids=frozenset(),
    )
    assert principal.has_role(Role.ORG_MEMBER)
    assert not principal.has_role(Role.CENTRE_STAFF)
    assert not principal.is_admin
    assert principal.member_of("org-1")
    assert not principal.member_of("org-2")
    assert principal.manages_site("site-1")
    assert not principal.manages_site("site-2")
    assert not principal.staffs_centre("centre-1")


def test_admin_reaches_everything() -> None:
    admin = Principal(
        sub="a",
        roles=frozenset({Role.ADMIN}),
        org_ids=frozenset(),
        site_ids=frozenset(),
        centre_ids=frozenset(),
    )
    assert admin.is_admin
    assert admin.has_role(Role.FACILITY_MANAGER)
    assert admin.member_of("any-org")
    assert admin.manages_site(17)
    assert admin.staffs_centre("any-centre")


def test_ids_compare_as_strings() -> None:
    principal = Principal(
        sub="u",
        roles=frozenset({Role.CENTRE_STAFF}),
        org_ids=frozenset(),
        site_ids=frozenset(),
        centre_ids=frozenset({"12"}),
    )
    assert principal.staffs_centre(12)


# --- TokenVerifier with the local secret -----------------------------------------------


async def test_minted_token_verifies_to_its_principal() -> None:
    minted = token(
        sub="user-9",
        roles=[Role.FACILITY_MANAGER, "centre_staff"],
        org_ids=[],
        site_ids=["site-1", 2],
        centre_ids=["centre-1"],
    )
    principal = await local_verifier().verify(minted)
    assert principal == Principal(
        sub="user-9",
        roles=frozenset({"facility_manager", "centre_staff"}),
        org_ids=frozenset(),
        site_ids=frozenset({"site-1", "2"}),
        centre_ids=frozenset({"centre-1"}),
    )


def test_minted_token_carries_the_documented_claims() -> None:
    decoded = jwt.decode(token(ttl=timedelta(minutes=5)), SECRET, ["HS256"], audience=AUDIENCE)
    assert set(decoded) == {
        "sub",
        "roles",
        "org_ids",
        "site_ids",
        "centre_ids",
        "iat",
        "exp",
        "iss",
        "aud",
    }
    assert decoded["exp"] - decoded["iat"] == 300
    assert decoded["roles"] == ["org_member"]


id_lists = st.lists(st.text(min_size=1, max_size=12), max_size=5)


@settings(max_examples=40, deadline=None)
@given(
    sub=st.text(min_size=1, max_size=40),
    roles=st.lists(st.sampled_from(list(Role)), max_size=5),
    org_ids=id_lists,
    site_ids=id_lists,
    centre_ids=id_lists,
)
async def test_mint_then_verify_round_trips(
    sub: str, roles: list[Role], org_ids: list[str], site_ids: list[str], centre_ids: list[str]
) -> None:
    minted = token(sub=sub, roles=roles, org_ids=org_ids, site_ids=site_ids, centre_ids=centre_ids)
    principal = await local_verifier().verify(minted)
    assert principal.sub == sub
    assert principal.roles == frozenset(roles)
    assert principal.org_ids == frozenset(org_ids)
    assert principal.site_ids == frozenset(site_ids)
    assert principal.centre_ids == frozenset(centre_ids)


@pytest.mark.parametrize(
    ("bad_token", "detail_part"),
    [
        (token(ttl=timedelta(minutes=-5)), "expired"),
        (token(issuer="https://evil.example"), "issuer"),
        (token(audience="another-app"), "audience"),
        (token(secret="another-secret-that-is-32-bytes-long"), "signature"),
        ("not-a-jwt", "malformed"),
        (jwt.encode(claims(exp=None), SECRET, algorithm="HS256"), "exp"),
        (jwt.encode(claims(sub=None), SECRET, algorithm="HS256"), "sub"),
        (jwt.encode(claims(roles="admin"), SECRET, algorithm="HS256"), "roles"),
        (jwt.encode(claims(), "", algorithm="none"), "algorithm"),
        (jwt.encode(claims(), SECRET * 2, algorithm="HS512"), "algorithm"),
    ],
)
async def test_invalid_tokens_are_refused_with_a_clear_detail(
    bad_token: str, detail_part: str
) -> None:
    with pytest.raises(Unauthorized) as caught:
        await local_verifier().verify(bad_token)
    assert detail_part in caught.value.detail
    assert caught.value.detail_nb
    assert caught.value.response_headers()["WWW-Authenticate"].startswith("Bearer")


async def test_expiry_allows_small_clock_skew() -> None:
    principal = await local_verifier().verify(token(ttl=timedelta(seconds=-5)))
    assert principal.sub == "user-1"


def test_verifier_needs_a_key_source() -> None:
    with pytest.raises(ValueError, match="secret"):
        TokenVerifier(secret=None, jwks_url=None, issuer=ISSUER, audience=AUDIENCE)


# --- TokenVerifier against a JWKS -------------------------------------------------------


class JwksServer:
    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.requests = 0
        server_state = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server_state.requests += 1
                body = json.dumps({"keys": server_state.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def public_jwk(private_key: Any, kid: str, algorithm: str) -> dict[str, Any]:
    jwk_algorithm = jwt.get_algorithm_by_name(algorithm)
    jwk: dict[str, Any] = json.loads(jwk_algorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return jwk


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def jwks(rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey) -> Iterator[JwksServer]:
    keys = [public_jwk(rsa_key, "rsa-1", "RS256"), public_jwk(ec_key, "ec-1", "ES256")]
    with JwksServer(keys) as server:
        yield server


def jwks_verifier(server: JwksServer, secret: str | None = None) -> TokenVerifier:
    return TokenVerifier(secret=secret, jwks_url=server.url, issuer=ISSUER, audience=AUDIENCE)


async def test_rs256_and_es256_tokens_verify_against_the_jwks_and_keys_are_cached(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    verifier = jwks_verifier(jwks)
    rs_token = jwt.encode(claims(sub="rs"), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    es_token = jwt.encode(claims(sub="es"), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert (await verifier.verify(rs_token)).sub == "rs"
    assert (await verifier.verify(es_token)).sub == "es"
    assert (await verifier.verify(rs_token)).sub == "rs"
    assert jwks.requests == 1


async def test_token_signed_by_an_unknown_key_is_refused(jwks: JwksServer) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(Unauthorized, match="signature"):
        await jwks_verifier(jwks).verify(forged)
    unknown_kid = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "nope"})
    with pytest.raises(Unauthorized, match="signing key"):
        await jwks_verifier(jwks).verify(unknown_kid)


async def test_hs256_token_is_refused_when_only_a_jwks_is_configured(jwks: JwksServer) -> None:
    with pytest.raises(Unauthorized, match="algorithm"):
        await jwks_verifier(jwks).verify(token())


async def test_secret_and_jwks_can_be_used_side_by_side(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    verifier = jwks_verifier(jwks, secret=SECRET)
    rs_token = jwt.encode(claims(sub="rs"), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert (await verifier.verify(rs_token)).sub == "rs"
    assert (await verifier.verify(token(sub="local"))).sub == "local"


async def test_unreachable_jwks_is_unauthorized_not_a_crash() -> None:
    with JwksServer([]) as server:
        url = server.url
    verifier = TokenVerifier(secret=None, jwks_url=url, issuer=ISSUER, audience=AUDIENCE)
    stranger = ec.generate_private_key(ec.SECP256R1())
    signed = jwt.encode(claims(), stranger, algorithm="ES256", headers={"kid": "ec-1"})
    with pytest.raises(Unauthorized, match="could not be fetched"):
        await verifier.verify(signed)


# --- FastAPI dependencies --------------------------------------------------------------


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = local_verifier()

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, object]:
        return {"sub": principal.sub, "roles": sorted(principal.roles)}

    @app.get("/maybe")
    async def maybe(principal: OptionalPrincipal) -> dict[str, object]:
        return {"sub": principal.sub if principal else None}

    @app.get("/sites/manage")
    async def manage(
        principal: Annotated[
            Principal, Depends(require_roles(Role.FACILITY_MANAGER, Role.CENTRE_STAFF))
        ],
    ) -> dict[str, str]:
        return {"sub": principal.sub}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def test_current_principal_reads_the_bearer_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers=bearer(token(roles=["resident", "org_member"])))
    assert response.status_code == 200
    assert response.json() == {"sub": "user-1", "roles": ["org_member", "resident"]}


async def test_missing_token_is_401_with_bare_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://samspill.no/problems/unauthorized"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer"],
)
async def test_bad_authorization_is_401_invalid_token(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get("/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_expired_token_is_401_with_detail(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers=bearer(token(ttl=timedelta(hours=-1))))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_optional_principal_is_none_without_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/maybe")).json() == {"sub": None}
    assert (await client.get("/maybe", headers=bearer(token()))).json() == {"sub": "user-1"}


async def test_optional_principal_still_refuses_a_bad_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/maybe", headers=bearer(token(secret="x" * 40)))
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (["facility_manager"], 200),
        (["centre_staff"], 200),
        (["admin"], 200),
        (["resident", "org_member"], 403),
        ([], 403),
    ],
)
async def test_require_roles_lets_through_any_of_the_roles(
    client: httpx.AsyncClient, roles: list[str], status: int
) -> None:
    response = await client.get("/sites/manage", headers=bearer(token(roles=roles)))
    assert response.status_code == status
    if status == 403:
        body = response.json()
        assert body["type"] == "https://samspill.no/problems/forbidden"
        assert body["required_roles"] == ["facility_manager", "centre_staff"]


async def test_require_roles_without_token_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/sites/manage")).status_code == 401


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()
