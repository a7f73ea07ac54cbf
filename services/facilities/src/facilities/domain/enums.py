"""Closed vocabularies of the facilities domain, with Norwegian and English labels."""

from __future__ import annotations

from enum import StrEnum

from samspill.booking_rules import WhoMayBook
from samspill.districts import District
from samspill.pricing import BookerCategory, SpaceKind

__all__ = [
    "BookerCategory",
    "ClosureReason",
    "District",
    "SiteKind",
    "SpaceKind",
    "StaffGrantKind",
    "UnitCondition",
    "WhoMayBook",
]


class SiteKind(StrEnum):
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    SPORTS_HALL = "sports_hall"
    CULTURE_HOUSE = "culture_house"
    COMMUNITY_HOUSE = "community_house"
    EQUIPMENT_CENTRE = "equipment_centre"
    OUTDOOR = "outdoor"

    @property
    def label_nb(self) -> str:
        return _SITE_KIND_NB[self]


_SITE_KIND_NB = {
    SiteKind.SCHOOL: "skole",
    SiteKind.KINDERGARTEN: "barnehage",
    SiteKind.SPORTS_HALL: "idrettshall",
    SiteKind.CULTURE_HOUSE: "kulturhus",
    SiteKind.COMMUNITY_HOUSE: "grendehus",
    SiteKind.EQUIPMENT_CENTRE: "utstyrssentral",
    SiteKind.OUTDOOR: "uteområde",
}


class ClosureReason(StrEnum):
    HOLIDAY = "holiday"
    EXAM = "exam"
    MAINTENANCE = "maintenance"
    OWN_EVENT = "own_event"
    EMERGENCY = "emergency"

    @property
    def label_nb(self) -> str:
        return _CLOSURE_REASON_NB[self]


_CLOSURE_REASON_NB = {
    ClosureReason.HOLIDAY: "helligdag",
    ClosureReason.EXAM: "eksamen",
    ClosureReason.MAINTENANCE: "vedlikehold",
    ClosureReason.OWN_EVENT: "eget arrangement",
    ClosureReason.EMERGENCY: "akutt stenging",
}


class UnitCondition(StrEnum):
    OK = "ok"
    DAMAGED = "damaged"
    RETIRED = "retired"


class StaffGrantKind(StrEnum):
    """What a municipal admin grants a person at facilities: managing a site (approving its
    bookings, keeping its spaces and windows), staffing an equipment centre, or being the
    municipality's emergency staff (requisitions; its object is the whole municipality)."""

    SITE = "site"
    CENTRE = "centre"
    EMERGENCY = "emergency"

    @property
    def label_nb(self) -> str:
        return _STAFF_GRANT_KIND_NB[self]


_STAFF_GRANT_KIND_NB = {
    StaffGrantKind.SITE: "forvalter av stedet",
    StaffGrantKind.CENTRE: "ansatt ved utstyrssentralen",
    StaffGrantKind.EMERGENCY: "kommunens beredskapspersonell",
}
