"""Price rules, quotes and the public price list, shared by facilities (which sets the rules)
and booking (which stores the price and its explanation on each booking).

The free principle ("gratisprinsippet") is the default: activities for children and young
people under 20 run by voluntary organisations are free in municipal premises, unless the
municipality has set an explicit price rule for that category.
Amounts are whole øre (1 kr = 100 øre).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from fractions import Fraction
from functools import cache

from samspill.booking_rules import OrganisationCategory
from samspill.errors import Forbidden, RuleViolation
from samspill.intervals import Interval
from samspill.recurrence import local_date, norwegian_public_holidays, resolve_local

FREE_PRINCIPLE_NB = (
    "Gratisprinsippet: aktiviteter for barn og unge under 20 år i regi av frivillige "
    "organisasjoner er gratis i kommunale lokaler."
)
FREE_PRINCIPLE_EN = (
    "The free principle: activities for children and young people under 20 run by voluntary "
    "organisations are free of charge in municipal premises."
)
DEFAULT_EVENING_FROM = time(17, 0)
_HOUR = timedelta(hours=1)


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


# Who may claim which price category. Every kind in the register is a voluntary organisation:
# it may claim the non-profit price, the free principle for activity for under-20s, and the
# commercial price for a commercial arrangement, but it is no private person. A resident books
# as a private person, so the non-profit and children-and-youth prices are not theirs to claim.
_VOLUNTARY_CLAIMS = frozenset(
    {BookerCategory.CHILDREN_YOUTH, BookerCategory.NON_PROFIT, BookerCategory.COMMERCIAL}
)
_RESIDENT_CLAIMS = frozenset({BookerCategory.PRIVATE})
_CLAIMS_BY_KIND: Mapping[OrganisationCategory, frozenset[BookerCategory]] = {
    OrganisationCategory.SPORTS: _VOLUNTARY_CLAIMS,
    OrganisationCategory.CULTURE: _VOLUNTARY_CLAIMS,
    OrganisationCategory.CHILDREN_YOUTH: _VOLUNTARY_CLAIMS,
    OrganisationCategory.MULTICULTURAL: _VOLUNTARY_CLAIMS,
    OrganisationCategory.SENIORS: _VOLUNTARY_CLAIMS,
    OrganisationCategory.NEIGHBOURHOOD: _VOLUNTARY_CLAIMS,
    OrganisationCategory.EMERGENCY_PREPAREDNESS: _VOLUNTARY_CLAIMS,
    OrganisationCategory.OTHER: _VOLUNTARY_CLAIMS,
}


class CategoryNotAllowed(Forbidden):
    """The booker claimed a price category that does not follow from who they are (403)."""

    status = 403
    code = "price-category-not-allowed"

    def __init__(
        self, category: BookerCategory, allowed: frozenset[BookerCategory], resident: bool
    ) -> None:
        who_en, who_nb = (
            ("a resident booking as a private person", "en innbygger som booker som privatperson")
            if resident
            else ("an organisation", "en organisasjon")
        )
        names = sorted(allowed, key=list(BookerCategory).index)
        super().__init__(
            f"The price category '{category.label_en}' cannot be claimed by {who_en}; "
            f"allowed: {', '.join(c.value for c in names)}.",
            f"Priskategorien «{category.label_nb}» kan ikke brukes av {who_nb}; "
            f"tillatt: {', '.join(c.value for c in names)}.",
            allowed_categories=[c.value for c in names],
        )
        self.category = category
        self.allowed = names


def claimable_categories(organisation: OrganisationCategory | None) -> frozenset[BookerCategory]:
    """The price categories a booker may claim: an organisation of the given kind, or with
    None a resident booking in their own name."""
    if organisation is None:
        return _RESIDENT_CLAIMS
    return _CLAIMS_BY_KIND[organisation]


def claimed_category(
    category: BookerCategory, organisation: OrganisationCategory | None
) -> BookerCategory:
    """The claimed category if the booker may claim it, else CategoryNotAllowed."""
    allowed = claimable_categories(organisation)
    if category not in allowed:
        raise CategoryNotAllowed(category, allowed, resident=organisation is None)
    return category


class RuleScope(IntEnum):
    """How specific a price rule is; a lower value wins."""

    SPACE = 0
    SPACE_KIND = 1
    DEFAULT = 2


class RatePeriod(StrEnum):
    STANDARD = "standard"
    EVENING = "evening"
    WEEKEND = "weekend"


_PERIOD_LABELS = {
    RatePeriod.STANDARD: ("Ordinær sats", "Standard rate"),
    RatePeriod.EVENING: ("Kveldssats", "Evening rate"),
    RatePeriod.WEEKEND: ("Helg og helligdag", "Weekend and public holiday"),
}


@dataclass(frozen=True)
class PriceRule:
    space_id: str | None
    space_kind: SpaceKind | None
    category: BookerCategory
    hourly_rate_ore: int
    evening_rate_ore: int | None = None
    weekend_rate_ore: int | None = None
    evening_from: time = DEFAULT_EVENING_FROM

    @property
    def scope(self) -> RuleScope:
        if self.space_id is not None:
            return RuleScope.SPACE
        if self.space_kind is not None:
            return RuleScope.SPACE_KIND
        return RuleScope.DEFAULT

    @property
    def scope_key(self) -> tuple[str | None, SpaceKind | None, BookerCategory]:
        return (self.space_id, self.space_kind, self.category)

    @property
    def is_free(self) -> bool:
        rates = (self.hourly_rate_ore, self.evening_rate_ore, self.weekend_rate_ore)
        return all(not rate for rate in rates)

    def validate(self) -> None:
        if self.space_id is not None and self.space_kind is not None:
            raise RuleViolation(
                "A price rule applies to one space, to one kind of space, or (with neither) "
                "to all spaces; not to both a space and a kind.",
                "En prisregel gjelder ett lokale, én lokaletype eller (uten noen av dem) alle "
                "lokaler; ikke både et lokale og en lokaletype.",
            )
        rates = (self.hourly_rate_ore, self.evening_rate_ore, self.weekend_rate_ore)
        if any(rate is not None and rate < 0 for rate in rates):
            raise RuleViolation("Prices cannot be negative.", "Priser kan ikke være negative.")
        wall = self.evening_from
        if wall == time(0, 0) or wall.tzinfo is not None or wall.second or wall.microsecond:
            raise RuleViolation(
                "The evening rate must start at a whole minute after 00:00, local time.",
                "Kveldssatsen må starte på et helt minutt etter 00:00, lokal tid.",
            )

    def rate_for(self, period: RatePeriod) -> int:
        if period is RatePeriod.WEEKEND and self.weekend_rate_ore is not None:
            return self.weekend_rate_ore
        if period is RatePeriod.EVENING and self.evening_rate_ore is not None:
            return self.evening_rate_ore
        return self.hourly_rate_ore

    def period_of(self, weekend: bool, evening: bool) -> RatePeriod:
        if weekend and self.weekend_rate_ore is not None:
            return RatePeriod.WEEKEND
        if evening and self.evening_rate_ore is not None:
            return RatePeriod.EVENING
        return RatePeriod.STANDARD


@dataclass(frozen=True)
class QuoteLine:
    period: RatePeriod
    duration: timedelta
    hourly_rate_ore: int
    amount_ore: int

    @property
    def label_nb(self) -> str:
        return _PERIOD_LABELS[self.period][0]

    @property
    def label_en(self) -> str:
        return _PERIOD_LABELS[self.period][1]


@dataclass(frozen=True)
class Quote:
    total_ore: int
    lines: tuple[QuoteLine, ...]
    explanation_nb: str
    explanation_en: str
    rule_applied: PriceRule | None
    free_principle: bool = False

    @property
    def total_text(self) -> str:
        return format_kr(self.total_ore)


@dataclass(frozen=True)
class PriceListRow:
    scope: RuleScope
    scope_nb: str
    scope_en: str
    space_id: str | None
    space_kind: SpaceKind | None
    category: BookerCategory
    hourly_rate: str
    evening_rate: str | None
    weekend_rate: str | None
    evening_from: str
    note_nb: str | None = None
    note_en: str | None = None


def format_kr(ore: int) -> str:
    """Norwegian style: 150000 øre -> "1 500,00 kr"."""
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    grouped = f"{kroner:,}".replace(",", " ")
    return f"{sign}{grouped},{rest:02d} kr"


def ensure_unique_scope(rule: PriceRule, existing: Mapping[str, PriceRule]) -> None:
    """Refuse a second rule for the same space/kind/default and category (keyed by id)."""
    for rule_id, other in existing.items():
        if other.scope_key == rule.scope_key:
            raise RuleViolation(
                f"Price rule {rule_id} already covers this scope and category.",
                f"Prisregel {rule_id} gjelder allerede samme lokale og kategori.",
            )


def select_rule(
    space_id: str,
    space_kind: SpaceKind,
    category: BookerCategory,
    rules: Iterable[PriceRule],
) -> PriceRule | None:
    """The most specific rule for the category: space, then kind of space, then default."""
    matching = [
        rule
        for rule in rules
        if rule.category is category
        and (rule.space_id is None or rule.space_id == space_id)
        and (rule.space_kind is None or rule.space_kind is space_kind)
    ]
    return min(matching, key=lambda rule: rule.scope, default=None)


def effective_category(
    category: BookerCategory, organisation_is_voluntary: bool, participants_under_20: bool
) -> BookerCategory:
    """Voluntary activity for under-20s is always the children and youth category."""
    if organisation_is_voluntary and participants_under_20:
        return BookerCategory.CHILDREN_YOUTH
    if category is BookerCategory.CHILDREN_YOUTH:
        raise RuleViolation(
            "The children and youth category is for activities for participants under 20 "
            "run by a voluntary organisation.",
            "Kategorien barn og unge gjelder aktiviteter for deltakere under 20 år i regi av "
            "en frivillig organisasjon.",
        )
    return category


def quote(
    space_id: str,
    space_kind: SpaceKind,
    interval: Interval,
    category: BookerCategory,
    rules: Iterable[PriceRule],
    organisation_is_voluntary: bool,
    participants_under_20: bool,
) -> Quote:
    category = effective_category(category, organisation_is_voluntary, participants_under_20)
    rule = select_rule(space_id, space_kind, category, rules)
    if category is BookerCategory.CHILDREN_YOUTH and (rule is None or rule.is_free):
        return Quote(0, (), FREE_PRINCIPLE_NB, FREE_PRINCIPLE_EN, rule, free_principle=True)
    if rule is None:
        return _unpriced_quote(category)
    lines = _priced_lines(rule, interval)
    total = sum(line.amount_ore for line in lines)
    nb, en = _explain(rule, total)
    return Quote(total, lines, nb, en, rule)


def booker_quote(
    space_id: str,
    space_kind: SpaceKind,
    interval: Interval,
    category: BookerCategory,
    rules: Iterable[PriceRule],
    organisation: OrganisationCategory | None,
) -> Quote:
    """The price a booker pays for the category they claim: an organisation of the given
    kind, or with None a resident. A category that does not follow from who they are is
    refused (CategoryNotAllowed)."""
    claimed = claimed_category(category, organisation)
    return quote(
        space_id,
        space_kind,
        interval,
        claimed,
        rules,
        organisation_is_voluntary=BookerCategory.CHILDREN_YOUTH
        in claimable_categories(organisation),
        participants_under_20=claimed is BookerCategory.CHILDREN_YOUTH,
    )


def _unpriced_quote(category: BookerCategory) -> Quote:
    return Quote(
        0,
        (),
        f"Ingen prisregel gjelder for {category.label_nb.lower()} i dette lokalet; "
        "utlånet er gratis.",
        f"No price rule applies to {category.label_en.lower()} in this space; "
        "it is lent free of charge.",
        None,
    )


def _explain(rule: PriceRule, total_ore: int) -> tuple[str, str]:
    scope_nb, scope_en = _scope_words(rule)
    return (
        f"Pris etter {scope_nb} for {rule.category.label_nb.lower()}: {format_kr(total_ore)}.",
        f"Priced by the {scope_en} for {rule.category.label_en.lower()}: {format_kr(total_ore)}.",
    )


def _scope_words(rule: PriceRule) -> tuple[str, str]:
    if rule.space_id is not None:
        return "prisregelen for dette lokalet", "price rule for this space"
    if rule.space_kind is not None:
        return (
            f"prisregelen for lokaletypen {rule.space_kind.label_nb}",
            f"price rule for {rule.space_kind.label_en}s",
        )
    return "standard prisregel", "default price rule"


def _priced_lines(rule: PriceRule, interval: Interval) -> tuple[QuoteLine, ...]:
    durations = split_by_period(rule, interval)
    exact = {
        period: Fraction(duration // timedelta(microseconds=1), _HOUR // timedelta(microseconds=1))
        * rule.rate_for(period)
        for period, duration in durations.items()
    }
    amounts = _round_preserving_total(exact)
    return tuple(
        QuoteLine(period, durations[period], rule.rate_for(period), amounts[period])
        for period in RatePeriod
        if period in durations
    )


def _round_preserving_total(exact: Mapping[RatePeriod, Fraction]) -> dict[RatePeriod, int]:
    """Whole øre per line that add up to the exact total rounded half up."""
    total = math.floor(sum(exact.values(), Fraction(0)) + Fraction(1, 2))
    amounts = {period: math.floor(value) for period, value in exact.items()}
    by_remainder = sorted(exact, key=lambda period: exact[period] - amounts[period], reverse=True)
    for period in by_remainder[: total - sum(amounts.values())]:
        amounts[period] += 1
    return amounts


def split_by_period(rule: PriceRule, interval: Interval) -> dict[RatePeriod, timedelta]:
    """How much of `interval` falls in each of the rule's rate periods, in Oslo local time.

    Weekends and Norwegian public holidays take the weekend rate, weekday time from
    `evening_from` to midnight the evening rate; a missing rate falls back to the standard one.
    """
    totals: dict[RatePeriod, timedelta] = {}
    cursor, end = interval.to_utc().start, interval.to_utc().end
    while cursor < end:
        day = local_date(cursor)
        evening = resolve_local(day, rule.evening_from)
        boundary = min(b for b in (evening, _next_midnight(day), end) if b > cursor)
        period = rule.period_of(_is_weekend_or_holiday(day), cursor >= evening)
        totals[period] = totals.get(period, timedelta()) + (boundary - cursor)
        cursor = boundary
    return totals


def _next_midnight(day: date) -> datetime:
    return resolve_local(day + timedelta(days=1), time(0, 0))


def _is_weekend_or_holiday(day: date) -> bool:
    return day.weekday() >= 5 or day in _holidays(day.year)


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(norwegian_public_holidays([year]))


def price_list(rules: Iterable[PriceRule], space_names: Mapping[str, str]) -> list[PriceListRow]:
    """Rows for the public price list: per space, kind of space and default, per category.

    Unless the municipality has a default rule for children and youth, a row states that the
    free principle applies.
    """
    rules = list(rules)
    rows = [_price_list_row(rule, space_names) for rule in rules]
    if not any(
        rule.scope is RuleScope.DEFAULT and rule.category is BookerCategory.CHILDREN_YOUTH
        for rule in rules
    ):
        rows.append(_free_principle_row())
    return sorted(rows, key=_row_order)


def _row_order(row: PriceListRow) -> tuple[int, str, int]:
    return (row.scope, row.scope_nb.casefold(), list(BookerCategory).index(row.category))


def _price_list_row(rule: PriceRule, space_names: Mapping[str, str]) -> PriceListRow:
    scope_nb, scope_en = _scope_label(rule, space_names)
    free = rule.category is BookerCategory.CHILDREN_YOUTH and rule.is_free
    return PriceListRow(
        scope=rule.scope,
        scope_nb=scope_nb,
        scope_en=scope_en,
        space_id=rule.space_id,
        space_kind=rule.space_kind,
        category=rule.category,
        hourly_rate=format_kr(rule.hourly_rate_ore),
        evening_rate=_optional_kr(rule.evening_rate_ore),
        weekend_rate=_optional_kr(rule.weekend_rate_ore),
        evening_from=f"{rule.evening_from:%H:%M}",
        note_nb=FREE_PRINCIPLE_NB if free else None,
        note_en=FREE_PRINCIPLE_EN if free else None,
    )


def _free_principle_row() -> PriceListRow:
    return PriceListRow(
        scope=RuleScope.DEFAULT,
        scope_nb="Alle lokaler",
        scope_en="All spaces",
        space_id=None,
        space_kind=None,
        category=BookerCategory.CHILDREN_YOUTH,
        hourly_rate=format_kr(0),
        evening_rate=None,
        weekend_rate=None,
        evening_from=f"{DEFAULT_EVENING_FROM:%H:%M}",
        note_nb=FREE_PRINCIPLE_NB,
        note_en=FREE_PRINCIPLE_EN,
    )


def _scope_label(rule: PriceRule, space_names: Mapping[str, str]) -> tuple[str, str]:
    if rule.space_id is not None:
        name = space_names.get(rule.space_id, rule.space_id)
        return name, name
    if rule.space_kind is not None:
        return (
            f"Lokaletype: {rule.space_kind.label_nb}",
            f"Kind of space: {rule.space_kind.label_en}",
        )
    return "Alle lokaler", "All spaces"


def _optional_kr(ore: int | None) -> str | None:
    return None if ore is None else format_kr(ore)
