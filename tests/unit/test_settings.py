"""Settings come from the environment and refuse the development secret in production."""

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


def test_production_refuses_the_development_secret():
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        ServiceSettings(samspill_env=Environment.production)
    with pytest.raises(ValidationError, match="32 characters"):
        ServiceSettings(samspill_env=Environment.production, jwt_secret="short")


def test_production_accepts_a_real_secret_or_a_jwks_url():
    strong = ServiceSettings(samspill_env=Environment.production, jwt_secret="x" * 40)
    assert not strong.is_development
    jwks = ServiceSettings(
        samspill_env=Environment.production, jwt_jwks_url="https://login.example/jwks"
    )
    assert jwks.jwt_secret == DEV_JWT_SECRET  # unused: tokens are checked against the JWKS


def test_development_and_test_may_use_the_default():
    assert ServiceSettings(samspill_env=Environment.test).jwt_secret == DEV_JWT_SECRET


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
