"""Feed tokens: the secret part of a private feed's URL.

A token is 32 random bytes (256 bits) in URL-safe base64 (43 characters); only its SHA-256 is
stored, so a database leak reveals no working feed URL.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from enum import StrEnum

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


class FeedTokenKind(StrEnum):
    ORGANISATION = "organisation"
    LOANS = "loans"


FEED_PATHS = {FeedTokenKind.ORGANISATION: "organisations", FeedTokenKind.LOANS: "loans"}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_shaped(token: str) -> bool:
    """Whether `token` can be one this service issued (anything else is looked up in vain)."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def feed_url(base_url: str, kind: FeedTokenKind, token: str) -> str:
    return f"{base_url}/feeds/{FEED_PATHS[kind]}/{token}.ics"
