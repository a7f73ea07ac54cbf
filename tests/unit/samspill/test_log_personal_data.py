"""No log line carries an email address or a phone number: the processor masks them in every
value (nested ones too), whoever logged them, and leaves ordinary text alone — dates, times,
9-digit organisation numbers, UUIDs and trace ids."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from samspill.observability import (
    EMAIL_MASK,
    PHONE_MASK,
    configure_logging,
    redact_personal_data,
    redact_text,
    redact_value,
)

# Text around the personal data: words and punctuation, no digits or @ of its own.
words = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzæøåÆØÅ ,;:!?()"), max_size=30
).map(str.strip)
separators = st.sampled_from([" ", ": ", " (", ", ", " <", "\n", "\t", " - "])

local_parts = st.from_regex(r"[a-zæøå0-9]([a-zæøå0-9._+\-]{0,20}[a-zæøå0-9])?", fullmatch=True)
domains = st.from_regex(
    r"[a-z0-9]([a-z0-9\-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,10}){0,2}\.(no|com|org|se|kommune\.no)",
    fullmatch=True,
)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)

mobiles = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("49"),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)
NATIONAL_FORMS = [
    lambda d: d,
    lambda d: f"{d[:3]} {d[3:5]} {d[5:]}",
    lambda d: f"{d[:2]} {d[2:4]} {d[4:6]} {d[6:]}",
    lambda d: f"{d[:4]} {d[4:]}",
]
PREFIXES = ["", "+47", "+47 ", "0047 ", "+47-"]
norwegian_phones = st.builds(
    lambda digits, form, prefix: prefix + form(digits),
    mobiles,
    st.sampled_from(NATIONAL_FORMS),
    st.sampled_from(PREFIXES),
)
international_phones = st.builds(
    lambda country, groups, sep: f"+{country}{sep}" + sep.join(groups),
    st.integers(min_value=1, max_value=998).map(str),
    # E.164: at most 15 digits in all
    st.lists(st.from_regex(r"[0-9]{2,3}", fullmatch=True), min_size=3, max_size=4),
    st.sampled_from([" ", "-", "", "."]),
)


def embedded(before: str, sep: str, secret: str, after: str) -> str:
    return f"{before}{sep}{secret} {after}".strip()


@given(words, separators, emails, words)
def test_an_email_address_in_text_is_always_masked(
    before: str, sep: str, email: str, after: str
) -> None:
    masked = redact_text(embedded(before, sep, email, after))
    assert email not in masked
    assert "@" not in masked
    assert EMAIL_MASK in masked


@given(words, separators, st.one_of(norwegian_phones, international_phones), words)
def test_a_phone_number_in_text_is_always_masked(
    before: str, sep: str, phone: str, after: str
) -> None:
    masked = redact_text(embedded(before, sep, phone, after))
    assert PHONE_MASK in masked
    digits = "".join(c for c in phone if c.isdigit())
    assert not any(c.isdigit() for c in masked), (phone, masked)
    assert digits not in masked


@pytest.mark.parametrize(
    "phone",
    ["91234567", "+4791234567", "+47 912 34 567", "912 34 567", "41 23 45 67", "0047 9123 4567"],
)
def test_a_norwegian_mobile_number_is_masked(phone: str) -> None:
    assert redact_text(f"SMS til {phone} sendt") == f"SMS til {PHONE_MASK} sendt"


org_numbers = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("89"),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
)
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=timezone(timedelta(hours=1)))
)
ordinary = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)).flatmap(
        lambda day: st.sampled_from(
            [day.isoformat(), day.strftime("%d.%m.%Y"), day.strftime("%Y%m%d")]
        )
    ),
    st.times().map(lambda moment: moment.strftime("%H:%M")),
    st.tuples(st.times(), st.times()).map(lambda t: f"{t[0]:%H:%M}-{t[1]:%H:%M}"),
    instants.map(datetime.isoformat),
    org_numbers,
    org_numbers.map(lambda n: f"{n[:3]} {n[3:6]} {n[6:]}"),
    st.uuids().map(str),
    st.binary(min_size=16, max_size=16).map(bytes.hex),  # a trace id
    st.integers(min_value=0, max_value=9_999_999).map(str),
    st.decimals(min_value=0, max_value=10**6, places=8).map(str),
)


@given(words, st.lists(ordinary, min_size=1, max_size=4), words)
def test_ordinary_text_is_left_alone(before: str, values: list[str], after: str) -> None:
    # Values apart (", "): two numbers side by side can be written like one phone number
    # ("2000 1000" as "9123 4567"), and the mask errs on the side of the person.
    text = f"{before} {', '.join(values)} {after}"
    assert redact_text(text) == text


def test_organisation_numbers_dates_and_ids_are_left_alone() -> None:
    text = (
        "org 987654321 / 987 654 321, 2031-03-12T18:00:00+01:00, 12.03.2031 kl. 18:00-20:00, "
        f"20310312, {uuid.UUID(int=0x92345678_1234_4234_8234_923456789012)}"
    )
    assert redact_text(text) == text


def test_every_value_is_masked_nested_ones_too() -> None:
    event = {
        "event": "message.sent to kari@example.no",
        "recipient": {"email": "kari@example.no", "phones": ["+47 912 34 567", "41234567"]},
        "attempts": 2,
        "at": time(18, 0),
        "pair": ("ola@example.no", None),
        "error": ValueError("no mailbox ola@example.no"),
    }
    masked = redact_personal_data(None, "info", event)
    assert masked == {
        "event": f"message.sent to {EMAIL_MASK}",
        "recipient": {"email": EMAIL_MASK, "phones": [PHONE_MASK, PHONE_MASK]},
        "attempts": 2,
        "at": time(18, 0),
        "pair": [EMAIL_MASK, None],
        "error": f"no mailbox {EMAIL_MASK}",
    }
    assert redact_value(uuid.UUID(int=1)) == uuid.UUID(int=1)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_no_line_of_the_process_carries_them(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("notifications", level="INFO")
    structlog.get_logger("test").info(
        "message.queued", to="kari@example.no", phone="+4791234567", org="987654321"
    )
    logging.getLogger("aiokafka").warning("retrying for %s at %s", "ola@example.no", "91234567")
    try:
        raise RuntimeError("SMTP refused kari@example.no")
    except RuntimeError:
        structlog.get_logger("test").exception("message.failed")
    out = capsys.readouterr().out
    assert "kari@example.no" not in out
    assert "ola@example.no" not in out
    assert "91234567" not in out
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert lines[0]["to"] == EMAIL_MASK
    assert lines[0]["phone"] == PHONE_MASK
    assert lines[0]["org"] == "987654321"
    assert lines[1]["event"] == f"retrying for {EMAIL_MASK} at {PHONE_MASK}"
    assert EMAIL_MASK in lines[2]["exception"]
