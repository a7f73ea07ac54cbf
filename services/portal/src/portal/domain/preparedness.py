"""Page logic of the preparedness pages: the club's form as text lines and back, and the
emergency staff's overview joined with facilities' requisitions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def lines(text: str) -> list[str]:
    """The non-empty lines of a text area, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_volunteers(text: str) -> tuple[dict[str, int], list[str]]:
    """`skill: count` per line → the counts, and the lines that are not of that shape."""
    counts: dict[str, int] = {}
    bad: list[str] = []
    for line in lines(text):
        skill, sep, count = line.rpartition(":")
        if not sep or not skill.strip() or not count.strip().isdigit():
            bad.append(line)
            continue
        counts[skill.strip()] = counts.get(skill.strip(), 0) + int(count.strip())
    return counts, bad


def volunteers_text(volunteers: Mapping[str, int]) -> str:
    return "\n".join(f"{skill}: {count}" for skill, count in volunteers.items())


@dataclass(frozen=True)
class RequisitionedSite:
    """A requisition as the overview shows it, with the site's facts when booking knows them."""

    requisition: Mapping[str, Any]
    site: Mapping[str, Any] | None


def active(requisitions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The requisitions not lifted, by start."""
    return sorted(
        (r for r in requisitions if not r.get("lifted")), key=lambda r: str(r.get("start"))
    )


def requisitioned_sites(
    requisitions: Iterable[Mapping[str, Any]], districts: Sequence[Mapping[str, Any]]
) -> list[RequisitionedSite]:
    """Each active requisition beside its site's facts from booking's overview (None when the
    overview does not list the site, e.g. another district was asked for)."""
    sites = {str(s["site_id"]): s for d in districts for s in d.get("sites", [])}
    return [RequisitionedSite(r, sites.get(str(r.get("site_id")))) for r in active(requisitions)]


def requisitioned_ids(requisitions: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    return frozenset(str(r.get("site_id")) for r in active(requisitions))


def oslo_instant(text: str) -> str | None:
    """A `datetime-local` value read as Oslo time, with its offset; None if it is not one."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("Europe/Oslo"))
    return value.isoformat()
