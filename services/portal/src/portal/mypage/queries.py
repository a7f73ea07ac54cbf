"""What My page reads from the APIs about the logged-in person, and only about them.

A staff member's or an admin's token sees more than their own (every preference), so the
preferences are narrowed to the person's own here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.apis import Apis
from portal.dependencies import Person
from portal.domain.contact_choice import Choice, current_choice


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
