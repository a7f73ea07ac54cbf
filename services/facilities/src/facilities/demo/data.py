"""The Lillestrøm demo catalogue: schools, kindergartens, a culture house and an equipment
centre, with their spaces, term windows, school holidays and price rules.

Plain data (request bodies of the API); `loader` sends it. Addresses and coordinates are
approximate and meant for demonstration only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

GYM_FEATURES = ["ribbevegg", "basketkurver", "garderober", "dusj"]
GYM_ACTIVITIES = ["håndball", "innebandy", "basketball", "turn", "dans"]


@dataclass(frozen=True)
class DemoSpace:
    name: str
    kind: str
    capacity: int
    area_m2: float | None = None
    features: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # names of the parts of a divisible hall
    approval_required: bool = False
    released: bool = True

    def body(self, site_id: str, parent_id: str | None = None) -> dict[str, Any]:
        return {
            "site_id": site_id,
            "name": self.name,
            "kind": self.kind,
            "capacity": self.capacity,
            "area_m2": self.area_m2,
            "features": list(self.features),
            "activities": list(self.activities),
            "parent_id": parent_id,
            "rules": {"approval_required": self.approval_required},
        }


@dataclass(frozen=True)
class DemoSite:
    name: str
    kind: str
    district: str
    address: str
    latitude: float
    longitude: float
    spaces: tuple[DemoSpace, ...] = ()
    step_free: bool = True
    hearing_loop: bool = False
    transit_stop: str | None = None
    transit_distance_m: int | None = None
    email: str | None = None
    closes_on_public_holidays: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "address": self.address,
            "district": self.district,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "contact": {"name": f"{self.name}, kontoret", "email": self.email, "phone": None},
            "accessibility": {
                "step_free_entrance": self.step_free,
                "accessible_toilet": self.step_free,
                "parking": True,
                "hearing_loop": self.hearing_loop,
                "transit_stop": self.transit_stop,
                "transit_distance_m": self.transit_distance_m,
            },
            "closes_on_public_holidays": self.closes_on_public_holidays,
            **self.extra,
        }


def _gym(name: str, capacity: int, area: float, parts: tuple[str, ...] = ()) -> DemoSpace:
    return DemoSpace(name, "gym", capacity, area, tuple(GYM_FEATURES), tuple(GYM_ACTIVITIES), parts)


def _school(
    name: str,
    district: str,
    address: str,
    lat: float,
    lon: float,
    stop: str,
    distance: int,
    *spaces: DemoSpace,
) -> DemoSite:
    email = (
        name.lower().replace(" ", ".").replace("ø", "o").replace("å", "a")
        + "@lillestrom.kommune.no"
    )
    return DemoSite(
        name,
        "school",
        district,
        address,
        lat,
        lon,
        spaces,
        transit_stop=stop,
        transit_distance_m=distance,
        email=email,
    )


CLASSROOM = DemoSpace(
    "Klasserom 1A", "classroom", 28, 60, ("projektor", "tavle"), ("møter", "kurs")
)
MUSIC_ROOM = DemoSpace(
    "Musikkrom",
    "music_room",
    25,
    70,
    ("piano", "trommesett", "forsterkere"),
    ("korps", "kor", "band"),
)
KITCHEN = DemoSpace("Skolekjøkken", "kitchen", 16, 80, ("komfyrer", "oppvaskmaskin"), ("matkurs",))
THIRDS = ("tredjedel A", "tredjedel B", "tredjedel C")
HALVES = ("halvdel nord", "halvdel sør")

SITES: tuple[DemoSite, ...] = (
    _school(
        "Kjeller skole",
        "kjeller",
        "Kjellerveien 8, 2007 Kjeller",
        59.972,
        11.036,
        "Kjeller skole",
        80,
        _gym("Gymsal", 60, 320),
        CLASSROOM,
    ),
    _school(
        "Skedsmokorset skole",
        "skedsmokorset",
        "Skedsmovegen 400, 2020 Skedsmokorset",
        60.004,
        11.031,
        "Skedsmokorset sentrum",
        250,
        _gym("Flerbrukshall", 200, 1100, THIRDS),
        MUSIC_ROOM,
    ),
    _school(
        "Strømmen skole",
        "strommen",
        "Stasjonsveien 30, 2010 Strømmen",
        59.947,
        11.003,
        "Strømmen stasjon",
        400,
        _gym("Gymsal", 60, 300),
        KITCHEN,
    ),
    _school(
        "Sagdalen skole",
        "strommen",
        "Sagdalsvegen 30, 2010 Strømmen",
        59.951,
        11.012,
        "Sagdalen",
        150,
        _gym("Idrettshall", 150, 900, HALVES),
        CLASSROOM,
    ),
    _school(
        "Volla skole",
        "lillestrom",
        "Vollaveien 20, 2000 Lillestrøm",
        59.962,
        11.063,
        "Volla",
        120,
        _gym("Gymsal", 60, 310),
        MUSIC_ROOM,
    ),
    _school(
        "Vigernes skole",
        "lillestrom",
        "Vigernesveien 10, 2004 Lillestrøm",
        59.967,
        11.085,
        "Vigernes",
        200,
        _gym("Gymsal", 50, 280),
    ),
    _school(
        "Fetsund ungdomsskole",
        "fetsund",
        "Ytre Vilhelmsvei 2, 1900 Fetsund",
        59.928,
        11.163,
        "Fetsund stasjon",
        600,
        _gym("Fetsundhallen", 300, 1250, THIRDS),
        KITCHEN,
    ),
    _school(
        "Sørumsand skole",
        "sorumsand",
        "Skolevegen 5, 1920 Sørumsand",
        59.985,
        11.243,
        "Sørumsand stasjon",
        500,
        _gym("Gymsal", 60, 320),
        MUSIC_ROOM,
    ),
    _school(
        "Frogner skole",
        "frogner",
        "Frognervegen 2, 2016 Frogner",
        60.021,
        11.098,
        "Frogner stasjon",
        450,
        _gym("Gymsal", 50, 280),
    ),
    _school(
        "Blaker skole",
        "blaker",
        "Blakerveien 60, 1925 Blaker",
        59.991,
        11.300,
        "Blaker kirke",
        300,
        _gym("Gymsal", 40, 250),
    ),
    _school(
        "Lindeberg skole",
        "lindeberg",
        "Lindebergvegen 5, 2016 Frogner",
        60.035,
        11.117,
        "Lindeberg",
        100,
        _gym("Gymsal", 50, 270),
        CLASSROOM,
    ),
    DemoSite(
        "Leirsund barnehage",
        "kindergarten",
        "leirsund",
        "Leirsundvegen 40, 2011 Strømmen",
        59.996,
        11.078,
        (
            DemoSpace(
                "Fellesrom", "meeting_room", 30, 90, ("kjøkkenkrok",), ("babysang", "foreldremøter")
            ),
        ),
        transit_stop="Leirsund stasjon",
        transit_distance_m=350,
    ),
    DemoSite(
        "Sørum barnehage",
        "kindergarten",
        "sorum",
        "Sørumsvegen 70, 1921 Sørumsand",
        60.010,
        11.220,
        (DemoSpace("Sovesal og lekerom", "other", 25, 80, (), ("babysang",)),),
        transit_stop="Sørum kirke",
        transit_distance_m=200,
    ),
    DemoSite(
        "Lillestrøm kultursenter",
        "culture_house",
        "lillestrom",
        "Kirkegata 1, 2000 Lillestrøm",
        59.956,
        11.049,
        (
            DemoSpace(
                "Storsalen",
                "auditorium",
                500,
                600,
                ("scene", "lys", "lydanlegg", "flygel"),
                ("konsert", "teater", "revy"),
                approval_required=True,
            ),
            DemoSpace(
                "Lillesalen",
                "auditorium",
                120,
                180,
                ("scene", "projektor"),
                ("foredrag", "konsert"),
            ),
            DemoSpace("Øvingsrom 2", "music_room", 15, 40, ("piano", "speil"), ("kor", "band")),
        ),
        hearing_loop=True,
        transit_stop="Lillestrøm stasjon",
        transit_distance_m=300,
        email="kultursenteret@lillestrom.kommune.no",
        closes_on_public_holidays=False,
    ),
    DemoSite(
        "BUA Lillestrøm",
        "equipment_centre",
        "lillestrom",
        "Storgata 22, 2000 Lillestrøm",
        59.957,
        11.051,
        (),
        transit_stop="Lillestrøm stasjon",
        transit_distance_m=500,
        email="bua@lillestrom.kommune.no",
        extra={"lending_reservation_days": 21},
    ),
)

# The embedded identity provider's demo people `seed-demo` makes staff, by their subject:
# (subject, kind of grant, the site's name). A `site` grant manages the site, `centre` staffs it.
STAFF: tuple[tuple[str, str, str], ...] = (
    ("demo-facility-manager", "site", "Kjeller skole"),
    ("demo-centre-worker", "centre", "BUA Lillestrøm"),
)

# Equipment: (name, category, variants, age range, max loan days, units per variant)
CATALOGUE: tuple[tuple[str, str, tuple[str, ...], tuple[int | None, int | None], int, int], ...] = (
    (
        "Langrennsski",
        "ski",
        ("90 cm", "110 cm", "130 cm", "150 cm", "170 cm", "190 cm"),
        (3, None),
        14,
        3,
    ),
    (
        "Skisko",
        "ski",
        ("str. 28", "str. 31", "str. 34", "str. 37", "str. 40", "str. 43"),
        (3, None),
        14,
        3,
    ),
    (
        "Skøyter",
        "skøyter",
        ("str. 28", "str. 32", "str. 36", "str. 40", "str. 44"),
        (4, None),
        14,
        3,
    ),
    ("Sykkelhjelm", "hjelm", ("S", "M", "L"), (3, None), 14, 4),
    ("Telt", "tur", ("2 personer", "4 personer"), (None, None), 7, 2),
    ("Sovepose", "tur", ("barn", "voksen"), (None, None), 7, 4),
    (
        "Redningsvest",
        "vann",
        ("15–30 kg", "30–50 kg", "50–70 kg", "over 70 kg"),
        (None, None),
        7,
        4,
    ),
    ("Sykkel", "sykkel", ('16"', '20"', '24"'), (4, 14), 7, 2),
)

# Price rules: (space kind or None, category, hourly, evening, weekend) in øre.
PRICE_RULES: tuple[tuple[str | None, str, int, int | None, int | None], ...] = (
    (None, "children_youth", 0, None, None),
    (None, "non_profit", 10_000, None, 15_000),
    (None, "private", 30_000, None, 40_000),
    (None, "commercial", 60_000, 70_000, 80_000),
    ("gym", "non_profit", 15_000, None, 20_000),
    ("auditorium", "non_profit", 50_000, None, 60_000),
    ("auditorium", "commercial", 150_000, None, 200_000),
)


@dataclass(frozen=True)
class Term:
    first: date
    last: date


def terms(today: date) -> tuple[Term, Term]:
    """The current (or coming) school term and the one after, from `today` on."""
    candidates = [
        term
        for year in (today.year, today.year + 1)
        for term in (
            Term(date(year, 1, 4), date(year, 6, 18)),
            Term(date(year, 8, 17), date(year, 12, 18)),
        )
    ]
    coming = [t for t in candidates if t.last >= today]
    current, following = coming[0], coming[1]
    return Term(max(current.first, today), current.last), following


def school_holidays(today: date) -> list[tuple[str, str, date, date]]:
    """The next winter holiday (week 8) and autumn holiday (week 40): (nb, en, first, last)."""
    found = []
    for week, nb, en in ((8, "Vinterferie", "Winter holiday"), (40, "Høstferie", "Autumn holiday")):
        year = today.year
        first = date.fromisocalendar(year, week, 1)
        if first + timedelta(days=6) < today:
            first = date.fromisocalendar(year + 1, week, 1)
        found.append((nb, en, first, first + timedelta(days=6)))
    return found
