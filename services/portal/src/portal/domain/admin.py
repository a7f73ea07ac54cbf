"""Pure rules of the municipal admin pages: amounts typed in kroner, person ids, and a site's
spaces as wholes with their parts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KRONER = re.compile(r"^(\d{1,9})(?:[.,](\d{1,2}))?$")
_PERSON_ID_VERSION = 5  # Samspill derives a person's id from issuer and subject (uuid5)


def parse_kroner(text: str) -> int | None:
    """«250», «250,50», «1 250.5» or «250 kr» as whole øre; None when it is no amount."""
    cleaned = text.replace("\xa0", "").replace(" ", "").lower().removesuffix("kr")
    found = _KRONER.match(cleaned.removesuffix(",-"))
    if found is None:
        return None
    kroner, fraction = found.groups()
    return int(kroner) * 100 + int((fraction or "0").ljust(2, "0"))


def kroner_text(ore: int | None) -> str:
    """Øre as a form writes kroner back: 25000 -> «250», 25050 -> «250,50»."""
    if ore is None:
        return ""
    kroner, rest = divmod(ore, 100)
    return f"{kroner}" if rest == 0 else f"{kroner},{rest:02d}"


def parse_person_id(text: str) -> str | None:
    """A person id as My page shows it (a name-based uuid), normalised; None otherwise."""
    try:
        value = uuid.UUID(text.strip())
    except ValueError:
        return None
    return str(value) if value.version == _PERSON_ID_VERSION else None


@dataclass(frozen=True)
class SpaceNode:
    space: Mapping[str, Any]
    depth: int = 0


def space_tree(spaces: Sequence[Mapping[str, Any]]) -> list[SpaceNode]:
    """The spaces as a flat list in reading order: each whole followed by its parts (indented
    by `depth`), by name. A part whose whole is missing is shown as a space of its own."""
    by_id = {str(s["space_id"]): s for s in spaces}
    children: dict[str | None, list[Mapping[str, Any]]] = {}
    for space in spaces:
        parent = space.get("parent_id")
        key = str(parent) if parent is not None and str(parent) in by_id else None
        children.setdefault(key, []).append(space)
    ordered: list[SpaceNode] = []
    seen: set[str] = set()

    def visit(parent: str | None, depth: int) -> None:
        for space in sorted(children.get(parent, []), key=lambda s: str(s["name"]).casefold()):
            space_id = str(space["space_id"])
            if space_id in seen:
                continue
            seen.add(space_id)
            ordered.append(SpaceNode(space, depth=depth))
            visit(space_id, depth + 1)

    visit(None, 0)
    for space in spaces:  # a cycle never reached from the top: still shown
        if str(space["space_id"]) not in seen:
            ordered.append(SpaceNode(space))
    return ordered
