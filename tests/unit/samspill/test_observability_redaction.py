"""Capability tokens in request paths never reach the access log."""

from __future__ import annotations

import logging

import pytest

from samspill.observability import SecretPathFilter, redact_secret_paths


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/feeds/organisations/AbC-123_xyz.ics", "/feeds/organisations/….ics"),
        ("/feeds/loans/AbC-123_xyz.ics?x=1", "/feeds/loans/….ics?x=1"),
        ("/invitations/s3cr3t-c0de/accept", "/invitations/…/accept"),
        ("/invitations/s3cr3t-c0de", "/invitations/…"),
        ("/feeds/spaces/3f1c0e9a-1111-4a4a-9b9b-2c2c2c2c2c2c.ics", None),
        ("/organisations/42/invitations", None),
    ],
)
def test_capabilities_are_hidden_and_nothing_else(path: str, shown: str | None) -> None:
    assert redact_secret_paths(path) == (shown or path)


def test_the_access_log_record_is_redacted() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/feeds/loans/T0ken.ics", "1.1", 200),
        None,
    )
    assert SecretPathFilter().filter(record)
    assert "T0ken" not in record.getMessage()
    assert "/feeds/loans/….ics" in record.getMessage()
