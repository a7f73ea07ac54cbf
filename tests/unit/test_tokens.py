"""Access-token verification against OpenID Connect issuers (`samspill.tokens`).

An issuer is served from a loopback HTTP server (discovery document and JWKS), so the real
fetch, key selection, caching and rotation paths run without leaving the machine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.errors import Unauthorized
from samspill.tokens import (
    ADMIN_SCOPE,
    DEV_ADMIN_GROUP,
    IssuerConfig,
    TokenVerifier,
    identity_from_claims,
    mint_dev_token,
    person_id,
)

AUDIENCE = "samspill"
DEV_SECRET = "local-development-secret-of-32-bytes!"
DEV_ISSUER = IssuerConfig.model_construct(
    issuer="samspill-dev",
    audience=AUDIENCE,
    name="dev-key",
    discovery_url=None,
    algorithms=(),
    admin_groups=(DEV_ADMIN_GROUP,),
    groups_claim="groups",
)


class Issuer:
    """A minimal OpenID Connect issuer: discovery and JWKS over HTTP, keys changeable."""

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.jwks_requests = 0
        this = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body: dict[str, Any] = {
                        "issuer": this.url,
                        "jwks_uri": f"{this.url}/jwks.json",
                    }
                elif self.path == "/jwks.json":
                    this.jwks_requests += 1
                    body = {"keys": this.keys}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def config(self, **overrides: Any) -> IssuerConfig:
        values: dict[str, Any] = {"issuer": self.url, "audience": AUDIENCE, "name": "test"}
        values.update(overrides)
        return IssuerConfig(**values)

    def __enter__(self) -> Issuer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def public_jwk(private_key: Any, kid: str, algorithm: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(
        jwt.get_algorithm_by_name(algorithm).to_jwk(private_key.public_key())
    )
    jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return jwk


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def issuer(rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey) -> Iterator[Issuer]:
    with Issuer([public_jwk(rsa_key, "rsa-1", "RS256"), public_jwk(ec_key, "ec-1", "ES256")]) as i:
        yield i


def claims(issuer: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "sub": "person-1",
        "iat": now,
        "exp": now + timedelta(hours=1),
        "iss": issuer,
        "aud": AUDIENCE,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def signed(key: Any, kid: str, body: dict[str, Any], algorithm: str = "RS256") -> str:
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


def verifier(*issuers: Issuer, dev: bool = False, **overrides: Any) -> TokenVerifier:
    return TokenVerifier(
        [i.config(**overrides) for i in issuers],
        dev_issuer=DEV_ISSUER if dev else None,
        dev_secret=DEV_SECRET if dev else None,
    )


# --- tokens from an issuer -----------------------------------------------------------------


async def test_rs256_and_es256_tokens_verify_and_keys_are_cached(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    check = verifier(issuer)
    rs = signed(rsa_key, "rsa-1", claims(issuer.url, sub="rs"))
    es = signed(ec_key, "ec-1", claims(issuer.url, sub="es"), "ES256")
    assert (await check.verify(rs)).subject == "rs"
    assert (await check.verify(es)).subject == "es"
    assert (await check.verify(rs)).person_id == person_id(issuer.url, "rs")
    assert issuer.jwks_requests == 1
    await check.aclose()


async def test_a_verified_token_is_remembered_until_it_expires(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    clock = [now.timestamp()]
    check = TokenVerifier([issuer.config()], wall_clock=lambda: clock[0])
    token = signed(rsa_key, "rsa-1", claims(issuer.url, exp=now + timedelta(minutes=5)))
    decoded: list[str] = []
    decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        return decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    first = await check.verify(token)
    after_first = len(decoded)
    assert await check.verify(token) == first
    assert len(decoded) == after_first  # from memory: no signature checked again
    clock[0] = (now + timedelta(minutes=5)).timestamp()  # its exp: verified afresh
    assert await check.verify(token) == first
    assert len(decoded) > after_first
    await check.aclose()


async def test_a_person_is_issuer_and_subject_and_nothing_else(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey
) -> None:
    body = claims(issuer.url, pid="01017012345", name="Kari", roles=["admin"], org_ids=["x"])
    identity = await verifier(issuer).verify(signed(rsa_key, "rsa-1", body))
    assert identity.person_id == person_id(issuer.url, "person-1")
    assert "01017012345" not in repr(identity)
    assert not identity.is_admin  # a `roles` claim grants nothing
    assert not identity.is_service_account


async def test_the_same_subject_at_two_issuers_is_two_people(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    keys = [public_jwk(rsa_key, "rsa-1", "RS256")]
    with Issuer(keys) as first, Issuer(keys) as second:
        check = verifier(first, second)
        one = await check.verify(signed(rsa_key, "rsa-1", claims(first.url)))
        two = await check.verify(signed(rsa_key, "rsa-1", claims(second.url)))
    assert one.subject == two.subject
    assert one.person_id != two.person_id


async def test_the_configured_admin_group_makes_a_municipal_admin(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey
) -> None:
    check = verifier(issuer, admin_groups=("g-admins",))
    admin = signed(rsa_key, "rsa-1", claims(issuer.url, groups=["g-other", "g-admins"]))
    other = signed(rsa_key, "rsa-1", claims(issuer.url, groups=["g-other"]))
    assert (await check.verify(admin)).is_admin
    assert not (await check.verify(other)).is_admin


async def test_a_client_credentials_token_is_a_service_account_with_scopes(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey
) -> None:
    body = claims(issuer.url, sub="integration", client_id="integration", scope=ADMIN_SCOPE)
    identity = await verifier(issuer).verify(signed(rsa_key, "rsa-1", body))
    assert identity.is_service_account
    assert identity.is_admin
    assert identity.person_id == "client:integration"
    entra_app = claims(issuer.url, sub="oid-1", azp="app-1", idtyp="app", roles=[ADMIN_SCOPE])
    assert (await verifier(issuer).verify(signed(rsa_key, "rsa-1", entra_app))).is_admin
    plain = claims(issuer.url, sub="reporting", client_id="reporting", scope="openid")
    assert not (await verifier(issuer).verify(signed(rsa_key, "rsa-1", plain))).is_admin


async def test_rotation_is_followed_without_a_restart(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey
) -> None:
    check = TokenVerifier([issuer.config()], min_key_refresh_s=0)
    await check.verify(signed(rsa_key, "rsa-1", claims(issuer.url)))
    newer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer.keys = [public_jwk(newer, "rsa-2", "RS256")]
    # The cache is fresh, but an unknown key id makes the verifier look again (at most once
    # per minimum interval): tokens signed with the new key verify at once.
    assert (await check.verify(signed(newer, "rsa-2", claims(issuer.url)))).subject
    with pytest.raises(Unauthorized, match="signing key"):
        await check.verify(signed(rsa_key, "rsa-1", claims(issuer.url)))


async def test_unknown_key_ids_do_not_make_the_verifier_hammer_the_issuer(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey
) -> None:
    check = verifier(issuer)
    for n in range(20):
        with pytest.raises(Unauthorized, match="signing key"):
            await check.verify(signed(rsa_key, f"made-up-{n}", claims(issuer.url)))
    assert issuer.jwks_requests == 1


async def test_an_issuer_outage_keeps_the_keys_already_known(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    with Issuer([public_jwk(rsa_key, "rsa-1", "RS256")]) as issuer:
        check = TokenVerifier([issuer.config()], key_max_age_s=0, min_key_refresh_s=0)
        token = signed(rsa_key, "rsa-1", claims(issuer.url))
        await check.verify(token)
    # The cache is stale at once: the next call tries to refresh, fails, and keeps the keys.
    assert (await check.verify(token)).subject == "person-1"


async def test_an_unreachable_issuer_is_unauthorized_not_a_crash(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    with Issuer([]) as gone:
        config = gone.config()
    check = TokenVerifier([config])
    with pytest.raises(Unauthorized, match="could not be fetched"):
        await check.verify(signed(rsa_key, "rsa-1", claims(config.issuer)))


@pytest.mark.parametrize(
    ("case", "detail_part"),
    [
        ("expired", "expired"),
        ("not_yet_valid", "not valid yet"),
        ("wrong_audience", "audience"),
        ("unknown_issuer", "issuer"),
        ("wrong_key", "signature"),
        ("alg_none", "algorithm"),
        ("hs256_from_issuer", "algorithm"),
        ("no_exp", "exp"),
        ("no_sub", "sub"),
        ("garbage", "malformed"),
    ],
)
async def test_bad_tokens_are_refused_with_a_clear_detail(
    issuer: Issuer, rsa_key: rsa.RSAPrivateKey, case: str, detail_part: str
) -> None:
    now = datetime.now(UTC)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = rsa_key.public_key()
    tokens = {
        "expired": lambda: signed(
            rsa_key, "rsa-1", claims(issuer.url, exp=now - timedelta(hours=1))
        ),
        "not_yet_valid": lambda: signed(
            rsa_key, "rsa-1", claims(issuer.url, nbf=now + timedelta(hours=1))
        ),
        "wrong_audience": lambda: signed(rsa_key, "rsa-1", claims(issuer.url, aud="other-app")),
        "unknown_issuer": lambda: signed(rsa_key, "rsa-1", claims("https://evil.example")),
        "wrong_key": lambda: signed(stranger, "rsa-1", claims(issuer.url)),
        "alg_none": lambda: jwt.encode(claims(issuer.url), None, algorithm="none"),
        # The classic confusion: HS256 "signed" with the issuer's public key material.
        "hs256_from_issuer": lambda: jwt.encode(
            claims(issuer.url), DEV_SECRET + str(public_pem.public_numbers().n)[:8], "HS256"
        ),
        "no_exp": lambda: signed(rsa_key, "rsa-1", claims(issuer.url, exp=None)),
        "no_sub": lambda: signed(rsa_key, "rsa-1", claims(issuer.url, sub=None)),
        "garbage": lambda: "not-a-jwt",
    }
    with pytest.raises(Unauthorized) as caught:
        await verifier(issuer, dev=True).verify(tokens[case]())
    assert detail_part in caught.value.detail
    assert caught.value.detail_nb
    assert caught.value.response_headers()["WWW-Authenticate"].startswith("Bearer")


def test_an_issuer_cannot_be_configured_with_a_symmetric_algorithm() -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        IssuerConfig(issuer="https://x", audience=AUDIENCE, algorithms=("HS256",))
    with pytest.raises(ValueError, match="asymmetric"):
        IssuerConfig(issuer="https://x", audience=AUDIENCE, algorithms=("none",))


# --- the development key ---------------------------------------------------------------


async def test_dev_tokens_verify_only_where_the_dev_key_is_configured(issuer: Issuer) -> None:
    token = mint_dev_token(
        secret=DEV_SECRET, issuer="samspill-dev", audience=AUDIENCE, sub="me", admin=True
    )
    identity = await verifier(issuer, dev=True).verify(token)
    assert identity.is_admin
    assert identity.person_id == person_id("samspill-dev", "me")
    with pytest.raises(Unauthorized, match="issuer"):
        await verifier(issuer).verify(token)


async def test_a_dev_token_for_an_issuer_name_is_refused(issuer: Issuer) -> None:
    """HS256 with the dev key but claiming a real issuer: never accepted."""
    forged = mint_dev_token(secret=DEV_SECRET, issuer=issuer.url, audience=AUDIENCE, sub="me")
    with pytest.raises(Unauthorized, match="algorithm"):
        await verifier(issuer, dev=True).verify(forged)


def test_dev_tokens_carry_identity_only() -> None:
    token = mint_dev_token(
        secret=DEV_SECRET,
        issuer="samspill-dev",
        audience=AUDIENCE,
        sub="me",
        ttl=timedelta(minutes=5),
    )
    decoded = jwt.decode(token, DEV_SECRET, ["HS256"], audience=AUDIENCE)
    assert set(decoded) == {"sub", "iat", "exp", "iss", "aud"}
    assert decoded["exp"] - decoded["iat"] == 300


@settings(max_examples=50, deadline=None)
@given(
    subject=st.text(min_size=1, max_size=60),
    groups=st.lists(st.text(min_size=1, max_size=10), max_size=4),
    scopes=st.lists(st.sampled_from(["openid", ADMIN_SCOPE, "x.read"]), max_size=3),
    service=st.booleans(),
)
def test_admin_comes_only_from_the_group_or_the_admin_scope(
    subject: str, groups: list[str], scopes: list[str], service: bool
) -> None:
    body: dict[str, Any] = {"iss": "https://i", "sub": subject, "groups": groups}
    body["scope"] = " ".join(scopes)
    if service:
        body["client_id"] = subject
    identity = identity_from_claims(body, admin_groups=["admins"])
    assert identity.is_service_account == service
    expected = ADMIN_SCOPE in scopes if service else "admins" in groups
    assert identity.is_admin == expected
    assert identity.person_id == (
        f"client:{subject}" if service else person_id("https://i", subject)
    )
