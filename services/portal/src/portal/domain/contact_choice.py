"""How a person wants to be told: the channel and language that count, and whether the
profile can reach them on that channel.

The person chooses twice: in their profile (booking) and as a preference (notifications).
Notifications follows the later of the two, so the page shows and keeps that one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CHANNELS = ("email", "sms")
LANGUAGES = ("nb", "en")


@dataclass(frozen=True)
class Choice:
    channel: str
    language: str
    at: datetime


DEFAULT = ("email", "nb")


def current_choice(profile: Choice | None, preference: Choice | None) -> tuple[str, str]:
    """(channel, language) as notifications applies them: a preference only when it is newer
    than the profile; without either, email in bokmål."""
    if preference is not None and (profile is None or preference.at > profile.at):
        return preference.channel, preference.language
    if profile is not None:
        return profile.channel, profile.language
    return DEFAULT


class Unreachable(StrEnum):
    """Why the profile cannot be used on a channel."""

    EMAIL_NEEDED = "email-needed"
    PHONE_NEEDED = "phone-needed"


def unreachable_on(channel: str, email: str | None, phone: str | None) -> Unreachable | None:
    """Messages on `channel` need its address in the profile."""
    if channel == "sms" and not phone:
        return Unreachable.PHONE_NEEDED
    if channel == "email" and not email:
        return Unreachable.EMAIL_NEEDED
    return None
