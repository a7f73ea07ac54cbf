"""Pure rules of the privacy pages: a person's data from every service as one file, what it
holds in a form a person can read, the services' access logs as one list, and the forms a
person or an admin sends (a period, a person id and the written request's reason)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from portal.domain.admin import parse_person_id

SERVICES = ("booking", "facilities", "notifications")
OSLO = ZoneInfo("Europe/Oslo")
MAX_REASON_CHARS = 500  # as the services take it
MAX_PERIOD_DAYS = 366 * 2

PERSON_ID_INVALID = "Enter the person's id as My page shows it (36 characters with dashes)."
REASON_MISSING = "Write why: the written request this answers (its date and reference)."
REASON_TOO_LONG = "The reason can be at most 500 characters long."
NOT_CONFIRMED = "Tick the box to confirm."
DATE_INVALID = "Enter a date as dd.mm.yyyy."
PERIOD_BACKWARDS = "The last day must be on or after the first day."
PERIOD_TOO_LONG = "Choose a period of at most two years."


# --- a person's data as one file --------------------------------------------------------------


@dataclass(frozen=True)
class SessionFacts:
    """What the portal's session holds about the person (never its tokens)."""

    display_name: str | None
    language: str
    logged_in_at: datetime | None
    expires_after_idle_s: int

    def as_json(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "language": self.language,
            "logged_in_at": self.logged_in_at.isoformat() if self.logged_in_at else None,
            "kept_after_the_last_request_s": self.expires_after_idle_s,
        }


def session_facts(stored: Mapping[str, Any] | None, language: str, idle_ttl_s: int) -> SessionFacts:
    """The session's `person` entry as the person may see it: name, language, login time."""
    person = stored or {}
    at = person.get("logged_in_at")
    logged_in = datetime.fromtimestamp(float(at), UTC) if isinstance(at, int | float) else None
    name = person.get("name")
    return SessionFacts(str(name) if name else None, language, logged_in, idle_ttl_s)


def sections_of(answer: Mapping[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """A service's `/me/data` sections, each a list of rows (a lone object is one row)."""
    found = (answer or {}).get("sections")
    if not isinstance(found, Mapping):
        return {}
    sections: dict[str, list[dict[str, Any]]] = {}
    for name, rows in found.items():
        if isinstance(rows, list):
            sections[str(name)] = [r if isinstance(r, dict) else {"value": r} for r in rows]
        elif isinstance(rows, dict):
            sections[str(name)] = [rows]
        elif rows is not None:
            sections[str(name)] = [{"value": rows}]
    return sections


def merged_export(
    person_id: str,
    answers: Mapping[str, Mapping[str, Any]],
    exported_at: datetime,
    *,
    session: SessionFacts | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """One file: every service's answer under its name, in a fixed order, with the portal's
    session (for the person's own export) or the request's reason (for staff's)."""
    merged: dict[str, Any] = {"exported_at": exported_at.isoformat(), "person_id": person_id}
    if reason is not None:
        merged["reason"] = reason
    if session is not None:
        merged["portal_session"] = session.as_json()
    merged["services"] = {
        name: {"sections": sections_of(answers.get(name))} for name in SERVICES if name in answers
    }
    return merged


def export_json(merged: Mapping[str, Any]) -> str:
    return json.dumps(merged, ensure_ascii=False, indent=2, default=str)


def export_filename(person_id: str | None, exported_at: datetime) -> str:
    day = exported_at.astimezone(OSLO).date().isoformat()
    if person_id is None:
        return f"samspill-mine-data-{day}.json"
    return f"samspill-innsyn-{person_id[:8]}-{day}.json"


# --- what each service holds, readable ----------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    columns: list[str]
    rows: list[list[str]]

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class ServiceHoldings:
    service: str
    sections: list[Section]

    @property
    def empty(self) -> bool:
        return all(s.count == 0 for s in self.sections)


def humanised(name: str) -> str:
    """`loan_contacts` -> «Loan contacts»: a section or field as a heading."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def cell(value: Any) -> str:
    """A value as one table cell: text as is, nothing empty, lists and objects compact."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every field the rows have, in the order they first appear."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


def holdings(answers: Mapping[str, Mapping[str, Any]]) -> list[ServiceHoldings]:
    """Each service's sections as tables of text, in the services' fixed order."""
    found = []
    for service in SERVICES:
        if service not in answers:
            continue
        sections = []
        for name, rows in sections_of(answers[service]).items():
            columns = columns_of(rows)
            table = [[cell(row.get(c)) for c in columns] for row in rows]
            sections.append(Section(name, humanised(name), columns, table))
        found.append(ServiceHoldings(service, sections))
    return found


# --- the access log ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    service: str
    viewer_person_id: str
    viewer_roles: list[str]
    subject_person_id: str | None
    subject_kind: str
    subject_id: str
    what: str
    why: str


def _when(text: Any) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _roles(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def access_entry(row: Mapping[str, Any], service: str) -> AccessEntry | None:
    at = _when(row.get("at"))
    if at is None:
        return None
    subject = row.get("subject_person_id")
    return AccessEntry(
        at=at,
        service=str(row.get("service") or service),
        viewer_person_id=str(row.get("viewer_person_id") or ""),
        viewer_roles=_roles(row.get("viewer_roles")),
        subject_person_id=str(subject) if subject else None,
        subject_kind=str(row.get("subject_kind") or ""),
        subject_id=str(row.get("subject_id") or ""),
        what=str(row.get("what") or ""),
        why=str(row.get("why") or ""),
    )


def merged_access_log(by_service: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[AccessEntry]:
    """Every service's entries in one list, newest first (ties in the services' order)."""
    entries = [
        entry
        for service, rows in by_service.items()
        for row in rows
        if (entry := access_entry(row, service)) is not None
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


# --- forms ---------------------------------------------------------------------------------------


def parse_day(text: str) -> date | None:
    """«2025-03-01» (a date field) or «1.3.2025» / «01.03.2025» (typed); None otherwise."""
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    parts = cleaned.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    """Midnight in Oslo at the start of `day`, as an instant."""
    return datetime.combine(day, time(0), OSLO)


@dataclass
class AccessLogFilter:
    """The access log's filter as typed: a person id and a period (first and last day)."""

    person: str = ""
    first: str = ""
    last: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, str] | None:
        """The `/access-log` query (`person_id`, `from`, `to` as instants, `to` exclusive),
        or None with `errors` filled in."""
        self.errors = {}
        params: dict[str, str] = {}
        if self.person.strip():
            person_id = parse_person_id(self.person)
            if person_id is None:
                self.errors["person"] = PERSON_ID_INVALID
            else:
                params["person_id"] = person_id
        first = self._day("first", self.first)
        last = self._day("last", self.last)
        if first is not None and last is not None:
            if last < first:
                self.errors["last"] = PERIOD_BACKWARDS
            elif (last - first).days > MAX_PERIOD_DAYS:
                self.errors["last"] = PERIOD_TOO_LONG
        if self.errors:
            return None
        if first is not None:
            params["from"] = day_start(first).isoformat()
        if last is not None:
            params["to"] = day_start(last + timedelta(days=1)).isoformat()
        return params

    def _day(self, name: str, text: str) -> date | None:
        if not text.strip():
            return None
        found = parse_day(text)
        if found is None:
            self.errors[name] = DATE_INVALID
        return found


@dataclass
class WrittenRequest:
    """A person id and the written request's reason, as an admin types them; for an
    erasure also the confirmation."""

    person: str = ""
    reason: str = ""
    confirmed: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def checked(self, *, needs_confirmation: bool = False) -> tuple[str, str] | None:
        """The person id and the reason, or None with `errors` filled in."""
        self.errors = {}
        person_id = parse_person_id(self.person)
        if person_id is None:
            self.errors["person_id"] = PERSON_ID_INVALID
        reason = " ".join(self.reason.split())
        if not reason:
            self.errors["reason"] = REASON_MISSING
        elif len(reason) > MAX_REASON_CHARS:
            self.errors["reason"] = REASON_TOO_LONG
        if needs_confirmation and not self.confirmed:
            self.errors["confirmed"] = NOT_CONFIRMED
        if self.errors or person_id is None:
            return None
        return person_id, reason


def administered_clubs(me: Mapping[str, Any]) -> list[dict[str, str]]:
    """The clubs the person administers (booking refuses erasing a club's last one), by name."""
    clubs = [
        {"id": str(m.get("organisation_id")), "name": str(m.get("organisation_name") or "")}
        for m in me.get("memberships") or []
        if m.get("role") == "administrator"
    ]
    return sorted(clubs, key=lambda c: c["name"].casefold())
