"""Spaces and their parts: a divisible hall and its thirds conflict, sibling thirds do not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from samspill.errors import RuleViolation

MAX_FEATURE_LENGTH = 80


@dataclass(frozen=True)
class SpacePlacement:
    """Where a space sits: its site and, for a part of a divisible space, its parent."""

    site_id: str
    parent_id: str | None = None


def validate_part(
    space_id: str,
    parent_id: str | None,
    spaces: Mapping[str, SpacePlacement],
    site_id: str | None = None,
) -> None:
    """Check that `space_id` may be a part of `parent_id` (None: a space of its own).

    `spaces` holds the current placement of the site's spaces; `site_id` is the site of
    `space_id` and is needed only when the space is new (not in `spaces`).
    """
    if parent_id is None:
        return
    own_site = _site_of(space_id, spaces, site_id)
    parent = spaces.get(parent_id)
    if parent is None:
        raise RuleViolation(
            f"The parent space {parent_id} does not exist.",
            f"Overordnet lokale {parent_id} finnes ikke.",
        )
    if parent.site_id != own_site:
        raise RuleViolation(
            "A part must belong to the same site as the space it is part of.",
            "En del må høre til samme sted som lokalet den er en del av.",
        )
    if space_id in _ancestors(parent_id, spaces) | {parent_id}:
        raise RuleViolation(
            "A space cannot be part of itself or of one of its own parts.",
            "Et lokale kan ikke være en del av seg selv eller av en av sine egne deler.",
        )


def _site_of(space_id: str, spaces: Mapping[str, SpacePlacement], site_id: str | None) -> str:
    if site_id is not None:
        return site_id
    placement = spaces.get(space_id)
    if placement is None:
        raise ValueError(f"site_id is required for the new space {space_id}")
    return placement.site_id


def _ancestors(space_id: str, spaces: Mapping[str, SpacePlacement]) -> set[str]:
    found: set[str] = set()
    placement = spaces.get(space_id)
    while placement is not None and placement.parent_id is not None:
        if placement.parent_id in found:
            break
        found.add(placement.parent_id)
        placement = spaces.get(placement.parent_id)
    return found


def conflict_sets(parents: Mapping[str, str | None]) -> dict[str, frozenset[str]]:
    """For each space: itself, its ancestors and its descendants (siblings do not conflict).

    Booking one of these blocks all the others: the whole hall blocks each third and each
    third blocks the whole hall, but two thirds can be used at once.
    """
    ancestors = {space: _ancestor_chain(space, parents) for space in parents}
    descendants: dict[str, set[str]] = {space: set() for space in parents}
    for space, chain in ancestors.items():
        for ancestor in chain:
            descendants.setdefault(ancestor, set()).add(space)
    return {space: frozenset({space} | ancestors[space] | descendants[space]) for space in parents}


def _ancestor_chain(space: str, parents: Mapping[str, str | None]) -> set[str]:
    chain: set[str] = set()
    parent = parents.get(space)
    while parent is not None and parent not in chain and parent != space:
        chain.add(parent)
        parent = parents.get(parent)
    return chain


def normalise_features(features: Iterable[str]) -> tuple[str, ...]:
    """Free-text features ("rullestoltilgjengelig", "teleslynge"): trimmed, no duplicates."""
    seen: dict[str, str] = {}
    for feature in features:
        text = " ".join(feature.split())
        if len(text) > MAX_FEATURE_LENGTH:
            raise RuleViolation(
                f"A feature can be at most {MAX_FEATURE_LENGTH} characters.",
                f"En egenskap kan være høyst {MAX_FEATURE_LENGTH} tegn.",
            )
        if text:
            seen.setdefault(text.casefold(), text)
    return tuple(seen.values())
