"""The development SMS sink keeps each SMS as a file, production refuses it, and without a
provider or a sink there is no SMS gateway at all (nothing is pretended sent)."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from notifications.config import NotificationsSettings
from notifications.domain.messages import Channel
from notifications.domain.recipients import Recipient
from notifications.messages.jobs import DevelopmentSmsFileSink, SveveSmsGateway, sms_gateway
from samspill.settings import Environment


async def test_each_sms_becomes_a_readable_file(tmp_path):
    settings = NotificationsSettings(samspill_env=Environment.development, sms_sink_dir=tmp_path)
    gateway = sms_gateway(settings)
    assert isinstance(gateway, DevelopmentSmsFileSink)
    assert settings.sms_available
    message_id = uuid.uuid4()
    await gateway.send(message_id, "+4791234567", "Samspill: Bookingen er bekreftet.")
    (kept,) = tmp_path.iterdir()
    assert kept.name.endswith(f"-{message_id}.txt")
    assert kept.read_text(encoding="utf-8") == (
        "To: +4791234567\n\nSamspill: Bookingen er bekreftet.\n"
    )


def test_without_a_provider_or_sink_there_is_no_sms_gateway():
    settings = NotificationsSettings()
    assert sms_gateway(settings) is None
    assert not settings.sms_available


def test_sveve_is_chosen_by_configuration_and_needs_credentials():
    settings = NotificationsSettings(
        sms_provider="sveve", sveve_user="kommune", sveve_password="hemmelig"
    )
    assert isinstance(sms_gateway(settings), SveveSmsGateway)
    assert settings.sms_available
    assert "hemmelig" not in repr(settings)
    with pytest.raises(ValidationError, match="SVEVE_USER and SVEVE_PASSWORD"):
        NotificationsSettings(sms_provider="sveve")


def test_production_refuses_the_sms_sink(tmp_path, monkeypatch):
    monkeypatch.setenv("OIDC_ISSUERS", '[{"issuer": "https://idporten.no", "audience": "a"}]')
    monkeypatch.setenv("PRIVACY_MARKER_KEY", "the-municipality-s-own-marker-key")
    with pytest.raises(ValidationError, match="SMS_SINK_DIR"):
        NotificationsSettings(samspill_env=Environment.production, sms_sink_dir=tmp_path)


@pytest.mark.parametrize(
    ("channel", "email", "phone", "sms", "expected"),
    [
        (Channel.SMS, "a@example.no", "+4791234567", True, (Channel.SMS, "+4791234567")),
        (Channel.SMS, "a@example.no", "+4791234567", False, (Channel.EMAIL, "a@example.no")),
        (Channel.EMAIL, None, "+4791234567", True, (Channel.SMS, "+4791234567")),
        (Channel.EMAIL, None, "+4791234567", False, (Channel.EMAIL, None)),
        (Channel.SMS, None, "+4791234567", False, (Channel.EMAIL, None)),
    ],
)
def test_without_sms_a_message_goes_by_email_or_has_no_address(
    channel, email, phone, sms, expected
):
    assert Recipient("resident:p", email, phone, channel).address(sms=sms) == expected
