"""Settings come from the environment; production trusts configured issuers only and has its
own marker key; booking and notifications read the settings they share alike."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from booking.config import BookingSettings
from notifications.config import NotificationsSettings
from portal.config import PortalSettings
from samspill.privacy import DEV_PRIVACY_MARKER_KEY
from samspill.settings import (
    DEV_JWT_SECRET,
    Environment,
    ResidentServiceSettings,
    ServiceSettings,
)


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
    monkeypatch.setenv("PRIVACY_MARKER_KEY", "the-municipality-s-own-marker-key")
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


def test_production_refuses_the_development_marker_key(monkeypatch):
    monkeypatch.setenv("OIDC_ISSUERS", ISSUERS)
    for unset in (None, "", DEV_PRIVACY_MARKER_KEY):
        if unset is None:
            monkeypatch.delenv("PRIVACY_MARKER_KEY", raising=False)
        else:
            monkeypatch.setenv("PRIVACY_MARKER_KEY", unset)
        with pytest.raises(ValidationError, match="PRIVACY_MARKER_KEY must be set in production"):
            ServiceSettings(samspill_env=Environment.production)
        # Development and tests take it (empty is the default), so `make dev` needs no secret.
        assert ServiceSettings().privacy_marker_key == DEV_PRIVACY_MARKER_KEY
    monkeypatch.setenv("PRIVACY_MARKER_KEY", "the-municipality-s-own-marker-key")
    production = ServiceSettings(samspill_env=Environment.production)
    assert production.privacy_marker_key == "the-municipality-s-own-marker-key"


def test_the_portal_makes_no_markers_so_production_does_not_ask_it_for_the_key(monkeypatch):
    monkeypatch.setenv("OIDC_ISSUERS", ISSUERS)
    monkeypatch.delenv("PRIVACY_MARKER_KEY", raising=False)
    portal = PortalSettings(samspill_env=Environment.production, session_secret="s" * 40)
    assert portal.privacy_marker_key == DEV_PRIVACY_MARKER_KEY


@pytest.mark.parametrize(
    ("env", "available"),
    [({}, False), ({"SMS_PROVIDER": ""}, False), ({"SMS_PROVIDER": "sveve"}, True)],
)
def test_sms_is_available_from_one_setting_read_alike(monkeypatch, env, available):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SVEVE_USER", "kommune")  # notifications sends: it needs credentials
    monkeypatch.setenv("SVEVE_PASSWORD", "hemmelig")
    assert BookingSettings().sms_available is available
    assert NotificationsSettings().sms_available is available


def test_the_development_sms_sink_makes_sms_available_outside_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SMS_SINK_DIR", str(tmp_path))
    assert ResidentServiceSettings().sms_available
    monkeypatch.setenv("OIDC_ISSUERS", ISSUERS)
    monkeypatch.setenv("PRIVACY_MARKER_KEY", "the-municipality-s-own-marker-key")
    with pytest.raises(ValidationError, match="SMS_SINK_DIR"):
        ResidentServiceSettings(samspill_env=Environment.production)


def test_residents_history_retention_is_one_setting_with_one_default(monkeypatch):
    assert BookingSettings().resident_history_retention_days == 365
    assert NotificationsSettings().resident_history_retention_days == 365
    monkeypatch.setenv("RESIDENT_HISTORY_RETENTION_DAYS", "200")
    assert BookingSettings().resident_history_retention_days == 200
    assert NotificationsSettings().resident_history_retention_days == 200
