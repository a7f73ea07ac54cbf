"""Closed vocabularies of the facilities domain, with Norwegian and English labels."""

from __future__ import annotations

from enum import StrEnum


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


class SpaceKind(StrEnum):
    GYM = "gym"
    CLASSROOM = "classroom"
    AUDITORIUM = "auditorium"
    MUSIC_ROOM = "music_room"
    KITCHEN = "kitchen"
    MEETING_ROOM = "meeting_room"
    HALL_PART = "hall_part"
    OUTDOOR_FIELD = "outdoor_field"
    WORKSHOP = "workshop"
    OTHER = "other"

    @property
    def label_nb(self) -> str:
        return _SPACE_KIND_NB[self]

    @property
    def label_en(self) -> str:
        return self.value.replace("_", " ")


_SPACE_KIND_NB = {
    SpaceKind.GYM: "gymsal",
    SpaceKind.CLASSROOM: "klasserom",
    SpaceKind.AUDITORIUM: "auditorium",
    SpaceKind.MUSIC_ROOM: "musikkrom",
    SpaceKind.KITCHEN: "skolekjøkken",
    SpaceKind.MEETING_ROOM: "møterom",
    SpaceKind.HALL_PART: "hallflate",
    SpaceKind.OUTDOOR_FIELD: "uteareal",
    SpaceKind.WORKSHOP: "verksted",
    SpaceKind.OTHER: "annet",
}


class District(StrEnum):
    """Areas ("tettsteder") of Lillestrøm municipality."""

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


class BookerCategory(StrEnum):
    CHILDREN_YOUTH = "children_youth"
    NON_PROFIT = "non_profit"
    COMMERCIAL = "commercial"
    PRIVATE = "private"

    @property
    def label_nb(self) -> str:
        return _CATEGORY_NB[self]

    @property
    def label_en(self) -> str:
        return _CATEGORY_EN[self]


_CATEGORY_NB = {
    BookerCategory.CHILDREN_YOUTH: "Barn og unge under 20 år (frivillige organisasjoner)",
    BookerCategory.NON_PROFIT: "Frivillige og ideelle organisasjoner",
    BookerCategory.COMMERCIAL: "Kommersielle aktører",
    BookerCategory.PRIVATE: "Privatpersoner",
}
_CATEGORY_EN = {
    BookerCategory.CHILDREN_YOUTH: "Children and youth under 20 (voluntary organisations)",
    BookerCategory.NON_PROFIT: "Voluntary and non-profit organisations",
    BookerCategory.COMMERCIAL: "Commercial organisers",
    BookerCategory.PRIVATE: "Private persons",
}


class UnitCondition(StrEnum):
    OK = "ok"
    DAMAGED = "damaged"
    RETIRED = "retired"


class WhoMayBook(StrEnum):
    ORGANISATIONS = "organisations"
    EVERYONE = "everyone"
