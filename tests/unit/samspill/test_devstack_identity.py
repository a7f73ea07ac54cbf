"""`make dev`'s identity provider settings: its keys are made once and kept, the services are
told to trust it, and Swagger UI and the portal may log in through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samspill.devstack import (
    PORTAL_CALLBACK,
    SERVICES,
    DevSettings,
    dev_redirect_uris,
    dev_signing_keys,
)
from samspill.identity_provider import ADMIN_GROUP, oidc_issuers_env


def test_the_signing_keys_are_made_once_and_kept(tmp_path: Path) -> None:
    path = dev_signing_keys(tmp_path / "identity-provider" / "jwks.json")
    first = json.loads(path.read_text())
    (key,) = first["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" in key  # the private key: the provider signs with it

    assert json.loads(dev_signing_keys(path).read_text()) == first
    assert path.stat().st_mode & 0o077 == 0


def test_swagger_ui_on_each_api_and_the_portal_may_log_in() -> None:
    uris = dev_redirect_uris()
    assert uris == [f"{s.url}/docs/oauth2-redirect" for s in SERVICES] + [PORTAL_CALLBACK]


def test_the_services_trust_the_provider_with_its_admin_group() -> None:
    trusted = json.loads(oidc_issuers_env("http://127.0.0.1:8004"))
    assert trusted == [
        {
            "issuer": "http://127.0.0.1:8004",
            "audience": "samspill",
            "admin_groups": [ADMIN_GROUP],
            "name": "embedded",
        }
    ]


def test_the_provider_port_follows_the_services_unless_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SAMSPILL_DEV_IDP_PORT", raising=False)
    assert DevSettings().identity_provider_port == SERVICES[-1].port + 1
    monkeypatch.setenv("SAMSPILL_DEV_IDP_PORT", "9104")
    assert DevSettings().identity_provider_port == 9104
