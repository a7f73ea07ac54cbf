"""The privacy pages' pure rules: one file from every service's answer (with the session's
facts and never its tokens), what each service holds as tables, the access logs merged newest
first, the access log's filter and a written request's person id and reason."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.privacy import (
    DATE_INVALID,
    NOT_CONFIRMED,
    PERIOD_BACKWARDS,
    PERSON_ID_INVALID,
    REASON_MISSING,
    REASON_TOO_LONG,
    SERVICES,
    AccessLogFilter,
    WrittenRequest,
    administered_clubs,
    cell,
    export_filename,
    export_json,
    holdings,
    humanised,
    merged_access_log,
    merged_export,
    parse_day,
    session_facts,
)

PERSON = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://issuer.example/kari"))
NOW = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


def answers() -> dict[str, dict[str, object]]:
    return {
        "notifications": {
            "service": "notifications",
            "person_id": PERSON,
            "sections": {"messages": [{"subject": "Hei", "address": "kari@example.no"}]},
        },
        "booking": {
            "service": "booking",
            "person_id": PERSON,
            "sections": {
                "profile": {"display_name": "Kari Nordmann", "email": "kari@example.no"},
                "loans": [],
            },
        },
        "facilities": {"service": "facilities", "person_id": PERSON, "sections": {}},
    }


def test_the_file_holds_every_service_in_a_fixed_order_and_the_session_without_tokens() -> None:
    stored = {"name": "Kari", "access_token": "secret-token", "expires_at": 1.0}
    stored["logged_in_at"] = NOW.timestamp()
    session = session_facts(stored, "nb", 28800)
    merged = merged_export(PERSON, answers(), NOW, session=session)
    assert list(merged["services"]) == list(SERVICES)
    assert merged["person_id"] == PERSON
    assert merged["portal_session"] == {
        "display_name": "Kari",
        "language": "nb",
        "logged_in_at": NOW.isoformat(),
        "kept_after_the_last_request_s": 28800,
    }
    # A lone object is one row: every section is a list.
    booking = merged["services"]["booking"]["sections"]
    assert booking["profile"] == [{"display_name": "Kari Nordmann", "email": "kari@example.no"}]
    text = export_json(merged)
    assert "secret-token" not in text
    assert "Kari Nordmann" in text
    assert "kari@example.no" in text
    assert json.loads(text) == merged


def test_a_staff_export_names_its_reason_and_has_no_session() -> None:
    merged = merged_export(PERSON, answers(), NOW, reason="Brev 3. mai, ref 24/123")
    assert merged["reason"] == "Brev 3. mai, ref 24/123"
    assert "portal_session" not in merged


def test_a_session_without_a_login_time_says_so() -> None:
    facts = session_facts(None, "en", 60)
    assert facts.display_name is None
    assert facts.logged_in_at is None
    assert facts.as_json()["logged_in_at"] is None


def test_the_readable_page_lists_each_section_as_a_table() -> None:
    found = holdings(answers())
    assert [h.service for h in found] == list(SERVICES)
    booking = found[0]
    profile, loans = booking.sections
    assert profile.title == "Profile"
    assert profile.columns == ["display_name", "email"]
    assert profile.rows == [["Kari Nordmann", "kari@example.no"]]
    assert loans.count == 0
    assert not booking.empty
    assert found[1].empty  # facilities holds nothing about Kari


def test_cells_and_headings_are_plain_text() -> None:
    assert humanised("loan_contacts") == "Loan contacts"
    assert cell(None) == ""
    assert cell(True) == "✓"
    assert cell({"a": "ø"}) == '{"a": "ø"}'
    assert cell(3) == "3"


def test_the_file_name_says_whose_and_when_in_oslo() -> None:
    late = datetime(2030, 6, 1, 23, 30, tzinfo=UTC)  # already 2 June in Oslo
    assert export_filename(None, late) == "samspill-mine-data-2030-06-02.json"
    assert export_filename(PERSON, late) == f"samspill-innsyn-{PERSON[:8]}-2030-06-02.json"


def row(at: datetime, what: str) -> dict[str, object]:
    return {
        "at": at.isoformat(),
        "viewer_person_id": "v",
        "viewer_roles": ["centre_staff"],
        "subject_person_id": PERSON,
        "subject_kind": "loan",
        "subject_id": "l1",
        "what": what,
        "why": "equipment desk",
    }


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_the_access_log_is_newest_first_across_services(minutes: list[int]) -> None:
    rows = [row(NOW - timedelta(minutes=m), f"m{m}") for m in minutes]
    split = {"booking": rows[::2], "notifications": rows[1::2], "facilities": []}
    merged = merged_access_log(split)
    assert len(merged) == len(rows)
    assert [e.at for e in merged] == sorted((e.at for e in merged), reverse=True)


def test_an_access_entry_keeps_who_what_why_and_which_service() -> None:
    (entry,) = merged_access_log({"booking": [row(NOW, "A loan's borrower")]})
    assert entry.service == "booking"
    assert entry.viewer_roles == ["centre_staff"]
    assert (entry.what, entry.why, entry.subject_kind) == (
        "A loan's borrower",
        "equipment desk",
        "loan",
    )
    # A row with no readable time is left out rather than shown at a wrong place.
    assert merged_access_log({"booking": [{"at": "soon"}]}) == []


def test_the_filter_sends_a_person_and_whole_days_in_oslo() -> None:
    form = AccessLogFilter(PERSON.upper(), "2030-03-01", "31.3.2030")
    params = form.params()
    assert params == {
        "person_id": PERSON,
        "from": "2030-03-01T00:00:00+01:00",
        "to": "2030-04-01T00:00:00+02:00",  # the last day included; summer time began
    }
    assert AccessLogFilter().params() == {}


def test_the_filter_says_what_is_wrong() -> None:
    form = AccessLogFilter("kari", "2030-13-01", "")
    assert form.params() is None
    assert form.errors == {"person": PERSON_ID_INVALID, "first": DATE_INVALID}
    backwards = AccessLogFilter("", "2030-03-02", "2030-03-01")
    assert backwards.params() is None
    assert backwards.errors == {"last": PERIOD_BACKWARDS}


def test_days_as_a_date_field_or_typed() -> None:
    assert parse_day("2030-03-01") == date(2030, 3, 1)
    assert parse_day(" 1.3.2030 ") == date(2030, 3, 1)
    for wrong in ("", "31.2.2030", "1/3/2030", "x.y.z"):
        assert parse_day(wrong) is None


def test_a_written_request_needs_a_person_and_a_reason() -> None:
    ok = WrittenRequest(f" {PERSON} ", "  Brev  3. mai\n ref 24/123 ")
    assert ok.checked() == (PERSON, "Brev 3. mai ref 24/123")
    empty = WrittenRequest("", "   ")
    assert empty.checked() is None
    assert empty.errors == {"person_id": PERSON_ID_INVALID, "reason": REASON_MISSING}
    assert WrittenRequest(PERSON, "x" * 501).checked() is None


def test_an_erasure_request_also_needs_the_confirmation() -> None:
    unconfirmed = WrittenRequest(PERSON, "Brev 3. mai")
    assert unconfirmed.checked(needs_confirmation=True) is None
    assert unconfirmed.errors == {"confirmed": NOT_CONFIRMED}
    confirmed = WrittenRequest(PERSON, "Brev 3. mai", confirmed=True)
    assert confirmed.checked(needs_confirmation=True) == (PERSON, "Brev 3. mai")
    assert WrittenRequest(PERSON, "x" * 501).errors == {}
    too_long = WrittenRequest(PERSON, "x" * 501)
    too_long.checked()
    assert too_long.errors == {"reason": REASON_TOO_LONG}


def test_the_clubs_a_person_administers_by_name() -> None:
    me = {
        "memberships": [
            {"organisation_id": "2", "organisation_name": "Skjetten IL", "role": "administrator"},
            {"organisation_id": "1", "organisation_name": "Ask Kor", "role": "booker"},
            {"organisation_id": "3", "organisation_name": "Asker SK", "role": "administrator"},
        ]
    }
    assert administered_clubs(me) == [
        {"id": "3", "name": "Asker SK"},
        {"id": "2", "name": "Skjetten IL"},
    ]
