"""The development SMS sink keeps each SMS as a file, and production refuses it."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from notifications.config import NotificationsSettings
from notifications.messages.jobs import FileSmsSink, LoggingSmsGateway, sms_gateway
from samspill.settings import Environment


async def test_each_sms_becomes_a_readable_file(tmp_path):
    settings = NotificationsSettings(samspill_env=Environment.development, sms_sink_dir=tmp_path)
    gateway = sms_gateway(settings)
    assert isinstance(gateway, FileSmsSink)
    message_id = uuid.uuid4()
    await gateway.send(message_id, "+4791234567", "Samspill: Bookingen er bekreftet.")
    (kept,) = tmp_path.iterdir()
    assert kept.name.endswith(f"-{message_id}.txt")
    assert kept.read_text(encoding="utf-8") == (
        "To: +4791234567\n\nSamspill: Bookingen er bekreftet.\n"
    )


def test_without_a_sink_sms_are_only_logged():
    assert isinstance(sms_gateway(NotificationsSettings()), LoggingSmsGateway)


def test_production_refuses_the_sms_sink(tmp_path, monkeypatch):
    monkeypatch.setenv("OIDC_ISSUERS", '[{"issuer": "https://idporten.no", "audience": "a"}]')
    with pytest.raises(ValidationError, match="SMS_SINK_DIR"):
        NotificationsSettings(samspill_env=Environment.production, sms_sink_dir=tmp_path)
