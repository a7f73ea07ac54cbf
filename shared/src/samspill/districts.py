"""The areas ("tettsteder") of Lillestrøm municipality a site lies in, with their names.

Facilities validates a site's district against it; the portal names districts by it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["District", "district_name"]


class District(StrEnum):
    LILLESTROM = "lillestrom"
    STROMMEN = "strommen"
    SKEDSMOKORSET = "skedsmokorset"
    KJELLER = "kjeller"
    SKEDSMO = "skedsmo"
    LEIRSUND = "leirsund"
    FROGNER = "frogner"
    LINDEBERG = "lindeberg"
    SORUM = "sorum"
    SORUMSAND = "sorumsand"
    BLAKER = "blaker"
    FETSUND = "fetsund"

    @property
    def label(self) -> str:
        return _DISTRICT_NAMES[self]


_DISTRICT_NAMES = {
    District.LILLESTROM: "Lillestrøm",
    District.STROMMEN: "Strømmen",
    District.SKEDSMOKORSET: "Skedsmokorset",
    District.KJELLER: "Kjeller",
    District.SKEDSMO: "Skedsmo",
    District.LEIRSUND: "Leirsund",
    District.FROGNER: "Frogner",
    District.LINDEBERG: "Lindeberg",
    District.SORUM: "Sørum",
    District.SORUMSAND: "Sørumsand",
    District.BLAKER: "Blaker",
    District.FETSUND: "Fetsund",
}


def district_name(district: str) -> str:
    """A district's name; an unknown code (a district added later) readable as it is."""
    try:
        return District(district).label
    except ValueError:
        return district.replace("_", " ").title()
