"""A running service trusts the embedded OpenID Connect provider: people's tokens from the
authorization-code flow, an integration's from client credentials, and a key rotation at the
provider is followed without restarting the service."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import jwt
import pytest

from samspill.identity_provider import (
    ADMIN_SCOPE,
    DEFAULT_INTEGRATION_SECRET,
    INTEGRATION_CLIENT,
    IdentityProvider,
    client_credentials_token,
    generate_signing_key,
    log_in,
    oidc_issuers_env,
)
from samspill.kafka import KafkaConfig
from tests.identity import TEST_REDIRECT_URI, signing_with
from tests.support import RunningService, eventually, running_service, settings_for

SCHOOL = {
    "kind": "school",
    "name": "Lillestrøm videregående skole",
    "address": "Skolegata 1, 2000 Lillestrøm",
    "district": "lillestrom",
    "contact": {"name": "Skolekontoret"},
}


@pytest.fixture
async def facilities(
    infra, isolated_kafka: KafkaConfig, database_factory, identity_provider: IdentityProvider
) -> AsyncIterator[RunningService]:
    settings = settings_for(
        "facilities",
        database_url=await database_factory("identity_services"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        oidc_issuers=json.loads(oidc_issuers_env(identity_provider.issuer)),
        # Looking again for an unknown key id at most every half second (production: 10 s).
        oidc_min_key_refresh_s=0.5,
    )
    async with running_service("facilities", settings) as service:
        yield service


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def person(provider: IdentityProvider, login: str) -> dict[str, str]:
    return bearer(log_in(provider.issuer, login=login, redirect_uri=TEST_REDIRECT_URI).access_token)


async def test_the_admin_group_and_the_admin_scope_make_admins_and_nothing_else_does(
    facilities: RunningService, identity_provider: IdentityProvider
) -> None:
    admin = person(identity_provider, "demo-admin")
    assert (await facilities.client.post("/sites", json=SCHOOL, headers=admin)).status_code == 201
    family = person(identity_provider, "demo-family")
    refused = await facilities.client.post("/sites", json=SCHOOL, headers=family)
    assert refused.status_code == 403, refused.text
    integration = client_credentials_token(
        identity_provider.issuer, INTEGRATION_CLIENT, DEFAULT_INTEGRATION_SECRET, ADMIN_SCOPE
    )
    another = {**SCHOOL, "name": "Strømmen videregående skole"}
    created = await facilities.client.post("/sites", json=another, headers=bearer(integration))
    assert created.status_code == 201, created.text


async def test_a_key_rotation_is_followed_without_a_restart(
    facilities: RunningService, identity_provider: IdentityProvider
) -> None:
    before = person(identity_provider, "demo-admin")
    assert (await facilities.client.get("/staff-grants", headers=before)).status_code == 200
    old_key = json.loads(identity_provider.keys_file.read_text())["keys"][0]
    new_key = generate_signing_key("rotated-key")
    with signing_with(identity_provider, [new_key, old_key]):
        after = person(identity_provider, "demo-admin")
        token = after["Authorization"].removeprefix("Bearer ")
        assert jwt.get_unverified_header(token)["kid"] == "rotated-key"

        # The same running service comes to verify a token signed with a key it has never
        # seen: it looks at the provider's keys again (at most every refresh interval).
        async def accepted() -> bool:
            answer = await facilities.client.get("/staff-grants", headers=after)
            assert answer.status_code in (200, 401), answer.text
            return answer.status_code == 200

        await eventually(accepted, timeout=15)
        assert (await facilities.client.get("/staff-grants", headers=before)).status_code == 200


async def test_a_token_signed_by_a_stranger_in_the_issuers_name_is_refused(
    facilities: RunningService, identity_provider: IdentityProvider
) -> None:
    genuine = person(identity_provider, "demo-admin")["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(genuine, options={"verify_signature": False})
    stranger = generate_signing_key(jwt.get_unverified_header(genuine)["kid"])
    forged = jwt.encode(
        claims,
        jwt.PyJWK(stranger).key,
        algorithm="RS256",
        headers={"kid": stranger["kid"]},
    )
    answer = await facilities.client.get("/staff-grants", headers=bearer(forged))
    assert answer.status_code == 401
    assert "signature" in answer.json()["detail"]
