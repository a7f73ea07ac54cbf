"""What My page reads from the APIs about the logged-in person, and only about them.

A staff member's or an admin's token sees more than their own (a centre's loans, every message),
so every list is narrowed to the person's own entries here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.apis import Apis
from portal.dependencies import Person
from portal.domain.contact_choice import Choice, current_choice

PAGE_SIZE = 500
MAX_PAGES = 20  # a person's own history; a staff token's wider view is read this far at most


@dataclass
class Overview:
    """What the page itself shows: the person, how they are told, their calendar links."""

    me: dict[str, Any]
    preferences: list[dict[str, Any]]
    feed_tokens: list[dict[str, Any]]
    channel: str = "email"
    language: str = "nb"

    @property
    def person_id(self) -> str:
        return str(self.me.get("person_id", ""))

    @property
    def profile(self) -> dict[str, Any] | None:
        found = self.me.get("profile")
        return found if isinstance(found, dict) else None

    @property
    def memberships(self) -> list[dict[str, Any]]:
        return list(self.me.get("memberships") or [])

    @property
    def live_feed_tokens(self) -> list[dict[str, Any]]:
        return [t for t in self.feed_tokens if t.get("revoked_at") is None]


@dataclass
class StoredData(Overview):
    """Everything the services hold about the person, as their APIs tell it."""

    loans: list[dict[str, Any]] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, exported_at: datetime) -> dict[str, Any]:
        return {
            "exported_at": exported_at.isoformat(),
            "person_id": self.person_id,
            "profile": self.profile,
            "memberships": self.memberships,
            "managed_site_ids": self.me.get("managed_site_ids", []),
            "staffed_centre_ids": self.me.get("staffed_centre_ids", []),
            "message_preferences": self.preferences,
            "calendar_links": self.feed_tokens,
            "loans": self.loans,
            "bookings_made": self.bookings,
            "messages_to_you": self.messages,
        }


def own_key(person_id: str) -> str:
    return f"resident:{person_id}"


def _choice(found: dict[str, Any] | None, at: str) -> Choice | None:
    if not found or not found.get(at):
        return None
    return Choice(
        str(found.get("channel", "email")),
        str(found.get("language", "nb")),
        datetime.fromisoformat(str(found[at])),
    )


def _with_choice(overview: Overview) -> Overview:
    own = overview.preferences[0] if overview.preferences else None
    overview.channel, overview.language = current_choice(
        _choice(overview.profile, "updated_at"), _choice(own, "updated_at")
    )
    return overview


async def overview(apis: Apis, person: Person) -> Overview:
    token = person.access_token
    me, preferences, tokens = await asyncio.gather(
        apis.get("booking", "/me", token=token),
        apis.get("notifications", "/preferences", token=token),
        apis.get("notifications", "/feed-tokens", token=token),
    )
    own = [p for p in preferences if p.get("recipient") == own_key(str(me.get("person_id")))]
    return _with_choice(Overview(me, own, tokens))


async def _all_pages(apis: Apis, service: Any, path: str, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(MAX_PAGES):
        params = {"limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
        batch = await apis.get(service, path, token=token, params=params)
        found.extend(batch)
        if len(batch) < PAGE_SIZE:
            break
    return found


async def stored_data(apis: Apis, person: Person) -> StoredData:
    token = person.access_token
    seen, loans, bookings, messages = await asyncio.gather(
        overview(apis, person),
        _all_pages(apis, "booking", "/loans", token),
        apis.get("booking", "/bookings", token=token, params={"mine": "true", "limit": 1000}),
        _all_pages(apis, "notifications", "/messages", token),
    )
    me = seen.person_id
    return StoredData(
        me=seen.me,
        preferences=seen.preferences,
        feed_tokens=seen.feed_tokens,
        channel=seen.channel,
        language=seen.language,
        loans=[loan for loan in loans if loan.get("resident_id") == me],
        bookings=bookings,
        messages=[m for m in messages if m.get("recipient") == own_key(me)],
    )
