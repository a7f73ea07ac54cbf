"""The embedded OpenID Connect provider in the tests: one for the whole run.

The `identity_provider` fixture (tests/conftest.py) starts it with the redirect URIs below and
plants an ID-porten style national identity number (`pid`) in every person's tokens, so a test
can check that Samspill never stores it. `signing_with` restarts it with other keys for a
while, as a key rotation does; the provider forgets its logins and codes when it restarts.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
import jwt

from samspill.identity_provider import IdentityProvider, discover, write_keys

TEST_REDIRECT_URI = "http://127.0.0.1/callback"
# The portal's callback when its PUBLIC_URL is http://127.0.0.1 (tests call it in process).
PORTAL_TEST_CALLBACK = "http://127.0.0.1/auth/callback"
TEST_REDIRECT_URIS = (TEST_REDIRECT_URI, PORTAL_TEST_CALLBACK)
# Synthetic, as in Norwegian test data (the month plus 80): no real person has it.
PLANTED_PID = "01818799862"
EXTRA_CLAIMS = {"pid": PLANTED_PID}
FIRST_KID = "test-key-a"


@contextlib.contextmanager
def signing_with(
    provider: IdentityProvider, keys: Sequence[Mapping[str, Any]]
) -> Iterator[IdentityProvider]:
    """Restart the provider with `keys` (the first signs), then with its own keys again."""
    own = provider.keys_file
    rotated = write_keys(own.with_name(f"jwks-{uuid.uuid4().hex[:8]}.json"), keys)
    provider.restart(keys_file=rotated)
    try:
        yield provider
    finally:
        provider.restart(keys_file=own)
        rotated.unlink(missing_ok=True)


def published_keys(issuer: str) -> list[dict[str, Any]]:
    response = httpx.get(discover(issuer)["jwks_uri"], timeout=10)
    response.raise_for_status()
    keys: list[dict[str, Any]] = response.json()["keys"]
    return keys


def verified_claims(issuer: str, token: str, audience: str) -> dict[str, Any]:
    """The token's claims once its signature (a published key), issuer and audience check out."""
    keys = jwt.PyJWKSet.from_dict({"keys": published_keys(issuer)})
    key = keys[jwt.get_unverified_header(token)["kid"]]
    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=["RS256"], audience=audience, issuer=issuer
    )
    return claims
