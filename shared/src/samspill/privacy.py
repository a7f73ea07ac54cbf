"""Pseudonyms for erased people: `erased_marker` replaces a person's id where a row is kept.

A row that must outlive a person's erasure (an organisation's booking, a loan's usage facts, the
invoice basis) keeps its other columns but loses the person's id; in its place goes a marker
that is the same for the same person everywhere and every time (so erasing twice changes
nothing, and the rows of one erased person still count as one person in statistics), yet cannot
be turned back into the id without the key. The key is the kernel setting `PRIVACY_MARKER_KEY`,
the same in every service; production sets its own (the default is printed in the source).
"""

from __future__ import annotations

import hashlib
import hmac

# The development key (printed here, so anyone could match its markers): production sets its own.
DEV_PRIVACY_MARKER_KEY = "samspill-dev-privacy-marker-change-me"
MARKER_PREFIX = "erased:"
MARKER_HEX_DIGITS = 16

_key: bytes = DEV_PRIVACY_MARKER_KEY.encode()


def use_marker_key(key: str) -> None:
    """The key markers are made with from now on (the service's `PRIVACY_MARKER_KEY`)."""
    global _key
    if not key:
        raise ValueError("the privacy marker key must not be empty")
    _key = key.encode()


def erased_marker(person_id: str) -> str:
    """`erased:` and 16 hex digits of HMAC-SHA256(key, person id): stable, short, recognisable."""
    digest = hmac.new(_key, str(person_id).encode(), hashlib.sha256).hexdigest()
    return MARKER_PREFIX + digest[:MARKER_HEX_DIGITS]


def is_erased_marker(value: str | None) -> bool:
    """Whether `value` is a marker (an id already replaced): erasing it again changes nothing."""
    if value is None or not value.startswith(MARKER_PREFIX):
        return False
    rest = value[len(MARKER_PREFIX) :]
    return len(rest) == MARKER_HEX_DIGITS and all(c in "0123456789abcdef" for c in rest)


__all__ = [
    "DEV_PRIVACY_MARKER_KEY",
    "MARKER_PREFIX",
    "erased_marker",
    "is_erased_marker",
    "use_marker_key",
]
