"""Settings come from the environment; production trusts configured issuers only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from samspill.settings import DEV_JWT_SECRET, Environment, ServiceSettings


def test_environment_variables_configure_the_service(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://booking:pw@db:5432/booking")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("PORT", "9000")
    settings = ServiceSettings()
    assert settings.database_url.endswith("/booking")
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.port == 9000


ISSUERS = '[{"issuer": "https://idporten.no", "audience": "samspill-api", "name": "idporten"}]'


def test_production_needs_issuers_and_never_takes_the_development_key(monkeypatch):
    with pytest.raises(ValidationError, match="OIDC_ISSUERS"):
        ServiceSettings(samspill_env=Environment.production)
    with pytest.raises(ValidationError, match="OIDC_ISSUERS"):
        ServiceSettings(samspill_env=Environment.production, jwt_secret="x" * 40)
    monkeypatch.setenv("OIDC_ISSUERS", ISSUERS)
    production = ServiceSettings(samspill_env=Environment.production)
    assert production.oidc_issuers[0].issuer == "https://idporten.no"
    assert production.oidc_issuers[0].algorithms == ("RS256", "ES256", "PS256")
    assert production.dev_token_issuer is None


def test_development_and_test_accept_the_development_key():
    settings = ServiceSettings(samspill_env=Environment.test)
    assert settings.jwt_secret == DEV_JWT_SECRET
    assert settings.dev_token_issuer is not None
    assert settings.dev_token_issuer.issuer == settings.jwt_issuer


def test_an_issuer_with_a_symmetric_algorithm_is_refused(monkeypatch):
    monkeypatch.setenv(
        "OIDC_ISSUERS", '[{"issuer": "https://x", "audience": "a", "algorithms": ["HS256"]}]'
    )
    with pytest.raises(ValidationError, match="asymmetric"):
        ServiceSettings()


def test_trusted_proxies_are_none_unless_listed(monkeypatch):
    assert ServiceSettings().trusted_proxies == []
    monkeypatch.setenv("TRUSTED_PROXIES", "10.244.0.0/16, 127.0.0.1,::1")
    listed = [str(network) for network in ServiceSettings().trusted_proxies]
    assert listed == ["10.244.0.0/16", "127.0.0.1/32", "::1/128"]
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    assert ServiceSettings().trusted_proxies == []


@pytest.mark.parametrize("value", ["10.0.0.1/8", "ingress", "10.0.0.0/33"])
def test_a_trusted_proxy_that_is_no_network_is_refused(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ValidationError, match="trusted_proxies"):
        ServiceSettings()
