"""Identifiers from text that may not be one (token claims, feed keys)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

__all__ = ["parse_uuid", "valid_uuids"]


def parse_uuid(text: str) -> uuid.UUID | None:
    """The UUID `text` spells, or None when it spells none."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def valid_uuids(texts: Iterable[str]) -> list[uuid.UUID]:
    """The UUIDs among `texts`; the rest (a malformed claim) name nothing and are left out."""
    return [parsed for text in texts if (parsed := parse_uuid(text)) is not None]
