"""`make dev`'s SMTP sink: a message sent over real SMTP becomes one readable .eml file."""

from __future__ import annotations

import asyncio
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage

import aiosmtplib

from samspill import devstack
from samspill.mailsink import MailSink, ReceivedMail


async def test_each_message_is_kept_as_a_file_named_after_its_message_id(tmp_path):
    received: list[ReceivedMail] = []
    sink = await asyncio.to_thread(MailSink(tmp_path / "mail", on_received=received.append).start)
    try:
        message_id = uuid.uuid4()
        email = EmailMessage()
        email["From"] = "Samspill <ikke-svar@samspill.no>"
        email["To"] = "kari@example.org"
        email["Subject"] = "Booking bekreftet: Gymsal"
        email["Message-ID"] = f"<{message_id}@samspill.no>"
        email.set_content("Hei!\n\nBookingen er bekreftet (17:00–18:00).")
        await aiosmtplib.send(email, hostname=sink.host, port=sink.port, timeout=10)
        anonymous = EmailMessage()
        anonymous["To"] = "ola@example.org"
        anonymous.set_content("Uten Message-ID")
        await aiosmtplib.send(
            anonymous, sender="x@example.org", hostname=sink.host, port=sink.port, timeout=10
        )
    finally:
        await asyncio.to_thread(sink.stop)

    first, second = sorted((tmp_path / "mail").iterdir())
    assert first.name.endswith(f"-{message_id}.eml")
    assert [r.path for r in received] == [first, second]
    assert received[0].subject == "Booking bekreftet: Gymsal"
    kept = message_from_bytes(first.read_bytes(), policy=policy.default)
    assert kept["Delivered-To"] == "kari@example.org"
    assert kept["Subject"] == "Booking bekreftet: Gymsal"
    body = kept.get_body(preferencelist=("plain",))
    assert body is not None
    assert "17:00–18:00" in body.get_content()
    assert second.suffix == ".eml"
    assert "ola@example.org" in second.read_text()


def test_make_dev_points_notifications_at_its_sink_unless_smtp_host_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSPILL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    sinks = devstack._start_sinks(devstack.DevSettings())
    try:
        assert sinks.mail is not None
        assert sinks.env() == {
            "SMS_SINK_DIR": str(tmp_path / "sms"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(sinks.mail.port),
            "SMTP_START_TLS": "false",  # the sink speaks plain SMTP
        }
        assert str(tmp_path / "mail") in sinks.describe()[0]
    finally:
        sinks.close()

    monkeypatch.setenv("SMTP_HOST", "mail.example.org")
    elsewhere = devstack._start_sinks(devstack.DevSettings())
    assert elsewhere.mail is None
    assert elsewhere.env() == {"SMS_SINK_DIR": str(tmp_path / "sms")}
    # Booking is told SMS can be chosen, as notifications is (SMS_PROVIDER's development twin).
    assert devstack._sink_env("booking", elsewhere) == {"SMS_SINK_DIR": str(tmp_path / "sms")}
    assert devstack._sink_env("facilities", elsewhere) == {}
    assert "SMTP_HOST=mail.example.org" in elsewhere.describe()[0]
