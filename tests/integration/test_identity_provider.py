"""The embedded OpenID Connect provider, for real: oidc-provider under Node, logged in to through
its development forms with PKCE, its tokens checked against its published keys."""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from samspill.identity_provider import (
    ADMIN_GROUP,
    ADMIN_SCOPE,
    DEFAULT_AUDIENCE,
    DEFAULT_INTEGRATION_SECRET,
    DOCS_CLIENT,
    INTEGRATION_CLIENT,
    PORTAL_CLIENT,
    IdentityProvider,
    OidcRefused,
    authorize,
    client_credentials_token,
    discover,
    generate_signing_key,
    log_in,
    pkce_pair,
    redeem,
)
from tests.identity import (
    FIRST_KID,
    PLANTED_PID,
    TEST_REDIRECT_URI,
    published_keys,
    signing_with,
    verified_claims,
)

# What an access token of the embedded provider holds: no roles, organisations, sites or
# centres; the admin group is the only permission a token carries.
TOKEN_CLAIMS = {"iss", "sub", "aud", "exp", "iat", "jti", "scope", "client_id"}


def _log_in(provider: IdentityProvider, login: str, client_id: str = PORTAL_CLIENT) -> str:
    tokens = log_in(
        provider.issuer, login=login, redirect_uri=TEST_REDIRECT_URI, client_id=client_id
    )
    return tokens.access_token


def _claims(provider: IdentityProvider, token: str) -> dict[str, object]:
    return verified_claims(provider.issuer, token, DEFAULT_AUDIENCE)


def _authorization_refusal(provider: IdentityProvider, **params: str) -> dict[str, str]:
    """The error the authorization endpoint sends back to the redirect URI."""
    query = {
        "client_id": PORTAL_CLIENT,
        "response_type": "code",
        "redirect_uri": TEST_REDIRECT_URI,
        "scope": "openid",
        "state": secrets.token_urlsafe(8),
    } | params
    answer = httpx.get(discover(provider.issuer)["authorization_endpoint"], params=query)
    assert answer.is_redirect, answer.text
    location = answer.headers["location"]
    assert location.startswith(f"{TEST_REDIRECT_URI}?"), location
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def test_discovery_advertises_s256_pkce_and_client_credentials(
    identity_provider: IdentityProvider,
) -> None:
    document = discover(identity_provider.issuer)
    assert document["issuer"] == identity_provider.issuer
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert {"authorization_code", "client_credentials"} <= set(document["grant_types_supported"])
    assert document["response_types_supported"] == ["code"]
    assert ADMIN_SCOPE in document["scopes_supported"]


def test_a_resident_gets_an_rs256_jwt_for_the_apis_without_permissions(
    identity_provider: IdentityProvider,
) -> None:
    tokens = log_in(identity_provider.issuer, login="demo-family", redirect_uri=TEST_REDIRECT_URI)

    header = jwt.get_unverified_header(tokens.access_token)
    assert (header["alg"], header["typ"]) == ("RS256", "at+jwt")
    claims = _claims(identity_provider, tokens.access_token)
    assert claims["iss"] == identity_provider.issuer
    assert claims["aud"] == DEFAULT_AUDIENCE
    assert claims["sub"] == "demo-family"
    assert claims["client_id"] == PORTAL_CLIENT
    assert claims["scope"] == "openid profile email"
    assert set(claims) == TOKEN_CLAIMS | {"pid"}  # pid: planted by the fixture
    # ID-porten gives residents no name; the ID token mirrors that.
    assert tokens.id_token is not None
    identity = verified_claims(identity_provider.issuer, tokens.id_token, PORTAL_CLIENT)
    assert identity["sub"] == "demo-family"
    assert "name" not in identity


def test_a_named_person_has_a_name_in_the_id_token_and_no_group(
    identity_provider: IdentityProvider,
) -> None:
    tokens = log_in(
        identity_provider.issuer, login="demo-club-leader", redirect_uri=TEST_REDIRECT_URI
    )
    assert tokens.id_token is not None
    identity = verified_claims(identity_provider.issuer, tokens.id_token, PORTAL_CLIENT)
    assert (identity["name"], identity["email"]) == ("Kari Nordmann", "kari.nordmann@example.org")
    assert "groups" not in _claims(identity_provider, tokens.access_token)


def test_any_login_name_is_a_person_with_just_a_sub(identity_provider: IdentityProvider) -> None:
    claims = _claims(identity_provider, _log_in(identity_provider, "someone-new"))
    assert claims["sub"] == "someone-new"
    assert set(claims) == TOKEN_CLAIMS | {"pid"}


def test_the_admin_s_access_token_carries_the_admin_group(
    identity_provider: IdentityProvider,
) -> None:
    claims = _claims(identity_provider, _log_in(identity_provider, "demo-admin"))
    assert claims["groups"] == [ADMIN_GROUP]
    assert set(claims) == TOKEN_CLAIMS | {"pid", "groups"}


def test_the_docs_client_logs_in_the_same_way(identity_provider: IdentityProvider) -> None:
    claims = _claims(
        identity_provider, _log_in(identity_provider, "demo-centre-worker", DOCS_CLIENT)
    )
    assert (claims["client_id"], claims["sub"]) == (DOCS_CLIENT, "demo-centre-worker")


def test_a_wrong_pkce_verifier_is_refused(identity_provider: IdentityProvider) -> None:
    wrong, _ = pkce_pair()
    with pytest.raises(OidcRefused) as refused:
        log_in(
            identity_provider.issuer,
            login="demo-family",
            redirect_uri=TEST_REDIRECT_URI,
            code_verifier_override=wrong,
        )
    assert refused.value.error == "invalid_grant"
    assert refused.value.status == 400


def test_a_code_is_redeemed_once_with_its_own_verifier(identity_provider: IdentityProvider) -> None:
    authorization = authorize(
        identity_provider.issuer, login="demo-club-member", redirect_uri=TEST_REDIRECT_URI
    )
    assert redeem(identity_provider.issuer, authorization).access_token
    with pytest.raises(OidcRefused) as refused:
        redeem(identity_provider.issuer, authorization)
    assert refused.value.error == "invalid_grant"


def test_an_authorization_request_without_a_code_challenge_is_refused(
    identity_provider: IdentityProvider,
) -> None:
    refusal = _authorization_refusal(identity_provider)
    assert refusal["error"] == "invalid_request"
    assert "PKCE" in refusal["error_description"]


def test_only_the_s256_challenge_method_is_accepted(identity_provider: IdentityProvider) -> None:
    verifier, _ = pkce_pair()
    refusal = _authorization_refusal(
        identity_provider, code_challenge=verifier, code_challenge_method="plain"
    )
    assert refusal["error"] == "invalid_request"


def test_the_portal_may_not_ask_for_the_admin_scope(identity_provider: IdentityProvider) -> None:
    _, challenge = pkce_pair()
    refusal = _authorization_refusal(
        identity_provider,
        scope=f"openid {ADMIN_SCOPE}",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert refusal["error"] == "invalid_scope"


def test_client_credentials_give_a_jwt_with_the_admin_scope(
    identity_provider: IdentityProvider,
) -> None:
    token = client_credentials_token(
        identity_provider.issuer, INTEGRATION_CLIENT, DEFAULT_INTEGRATION_SECRET, ADMIN_SCOPE
    )
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = _claims(identity_provider, token)
    assert claims["scope"] == ADMIN_SCOPE
    assert claims["sub"] == claims["client_id"] == INTEGRATION_CLIENT
    assert set(claims) == TOKEN_CLAIMS  # no person, so no planted claims and no groups


@pytest.mark.parametrize("scope", ["samspill.superuser", f"{ADMIN_SCOPE} samspill.superuser"])
def test_an_unknown_scope_is_refused(identity_provider: IdentityProvider, scope: str) -> None:
    with pytest.raises(OidcRefused) as refused:
        client_credentials_token(
            identity_provider.issuer, INTEGRATION_CLIENT, DEFAULT_INTEGRATION_SECRET, scope
        )
    assert refused.value.error == "invalid_scope"


def test_a_wrong_client_secret_is_refused(identity_provider: IdentityProvider) -> None:
    with pytest.raises(OidcRefused) as refused:
        client_credentials_token(identity_provider.issuer, INTEGRATION_CLIENT, "wrong", ADMIN_SCOPE)
    assert (refused.value.error, refused.value.status) == ("invalid_client", 401)


def test_extra_claims_reach_the_access_and_the_id_token(
    identity_provider: IdentityProvider,
) -> None:
    tokens = log_in(
        identity_provider.issuer, login="demo-facility-manager", redirect_uri=TEST_REDIRECT_URI
    )
    assert _claims(identity_provider, tokens.access_token)["pid"] == PLANTED_PID
    assert tokens.id_token is not None
    identity = verified_claims(identity_provider.issuer, tokens.id_token, PORTAL_CLIENT)
    assert identity["pid"] == PLANTED_PID


def test_after_a_rotation_the_new_key_signs_and_both_are_published(
    identity_provider: IdentityProvider,
) -> None:
    before = _log_in(identity_provider, "demo-family")
    assert jwt.get_unverified_header(before)["kid"] == FIRST_KID
    (key_a,) = _private_keys(identity_provider)  # the fixture's key
    new = generate_signing_key("test-key-b")

    with signing_with(identity_provider, [new, key_a]):
        after = _log_in(identity_provider, "demo-family")
        assert jwt.get_unverified_header(after)["kid"] == "test-key-b"
        published = published_keys(identity_provider.issuer)
        assert [key["kid"] for key in published] == ["test-key-b", FIRST_KID]
        assert not any("d" in key for key in published)  # public halves only
        assert _claims(identity_provider, after)["sub"] == "demo-family"
        assert _claims(identity_provider, before)["sub"] == "demo-family"  # still verifies

    assert jwt.get_unverified_header(_log_in(identity_provider, "demo-family"))["kid"] == FIRST_KID


def _private_keys(provider: IdentityProvider) -> list[dict[str, object]]:
    keys: list[dict[str, object]] = json.loads(provider.keys_file.read_text())["keys"]
    return keys
