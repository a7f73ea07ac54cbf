"""Giving time back, as the pages show it: which bookings a club may give back, where a
series' rest starts, an offer whose hold has lapsed, and the waiting-list form read as typed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
ACTIVE = frozenset({"requested", "confirmed"})
HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
MAX_ACTIVITY = 100
MAX_GROUP = 10_000

OfferState = Literal["open", "lapsed", "accepted", "expired"]


def may_give_back(booking: Mapping[str, Any], now: datetime) -> bool:
    """A club's active booking that has not started; booking decides who may (403/404/409)."""
    return (
        booking.get("status") in ACTIVE
        and bool(booking.get("organisation_id"))
        and datetime.fromisoformat(str(booking["start"])) > now
    )


def rest_from(occurrences: Iterable[Mapping[str, Any]], now: datetime) -> date | None:
    """The first date of the series still to give back: its earliest active date not yet
    started, in Oslo."""
    ahead = [
        datetime.fromisoformat(str(b["start"]))
        for b in occurrences
        if b.get("status") in ACTIVE and datetime.fromisoformat(str(b["start"])) > now
    ]
    return min(ahead).astimezone(OSLO).date() if ahead else None


def offer_state(offer: Mapping[str, Any], now: datetime) -> OfferState:
    """An open offer whose hold has ended is lapsed: it can no longer be accepted."""
    status = str(offer.get("status"))
    if status == "open":
        held_until = datetime.fromisoformat(str(offer["held_until"]))
        return "open" if held_until > now else "lapsed"
    return "accepted" if status == "accepted" else "expired"


def _clock(text: str) -> str | None:
    found = HHMM.match(text.strip())
    return None if found is None else f"{int(found[1]):02d}:{found[2]}"


@dataclass(frozen=True)
class WaitingForm:
    """The join form as typed; `problems` names each field that cannot be sent as it is."""

    space_id: str = ""
    weekday: str = ""
    start: str = ""
    end: str = ""
    activity: str = ""
    age_group: str = ""
    group_size: str = ""

    @classmethod
    def parse(cls, posted: Mapping[str, Any]) -> WaitingForm:
        def field(name: str, limit: int = 200) -> str:
            return str(posted.get(name) or "").strip()[:limit]

        return cls(
            space_id=field("space_id"),
            weekday=field("weekday"),
            start=field("start", 10),
            end=field("end", 10),
            activity=field("activity"),
            age_group=field("age_group"),
            group_size=field("group_size", 20),
        )

    def problems(self, spaces: Iterable[str], age_groups: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.space_id not in set(spaces):
            found["space_id"] = "hall"
        if self.weekday not in {str(day) for day in range(7)}:
            found["weekday"] = "weekday"
        start, end = _clock(self.start), _clock(self.end)
        if start is None:
            found["start"] = "start"
        if end is None:
            found["end"] = "end"
        elif start is not None and end <= start:
            found["end"] = "order"
        if not self.activity or len(self.activity) > MAX_ACTIVITY:
            found["activity"] = "activity"
        if self.age_group not in set(age_groups):
            found["age_group"] = "age_group"
        if not self.group_size.isdigit() or not 1 <= int(self.group_size) <= MAX_GROUP:
            found["group_size"] = "group_size"
        return found

    def body(self, organisation_id: str) -> dict[str, Any]:
        """The API's body; only for a form without problems."""
        return {
            "organisation_id": organisation_id,
            "space_id": self.space_id,
            "weekday": int(self.weekday),
            "start": _clock(self.start),
            "end": _clock(self.end),
            "activity": self.activity,
            "age_group": self.age_group,
            "group_size": int(self.group_size),
        }
