"""What each section got and why, in words a club can read (English and bokmål).

Other clubs are never named: a time that went elsewhere is described by the class of the
section that got it ("a youth team with higher priority"). Sections not fully granted wait
in priority order: the municipality's classes first, then the club's own ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from booking.domain.allocation_rules import Candidate, Context, Occupancy
from booking.domain.allocation_types import (
    AgeGroup,
    Outcome,
    Placement,
    PriorityClass,
    Section,
    SectionOutcome,
    WeeklyTime,
)

__all__ = ["explain", "waiting_order"]

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
KINDS: Mapping[AgeGroup, tuple[str, str]] = {
    AgeGroup.CHILDREN: ("a children's team", "et barnelag"),
    AgeGroup.YOUTH: ("a youth team", "et ungdomslag"),
    AgeGroup.ADULTS: ("an adult team", "et voksenlag"),
    AgeGroup.SENIORS: ("a seniors' group", "en seniorgruppe"),
    AgeGroup.MIXED: ("a mixed group", "en blandet gruppe"),
}

Text = tuple[str, str]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _when(time: WeeklyTime) -> Text:
    span = f"{_clock(time.start)}–{_clock(time.end)}"
    return f"{DAYS[time.weekday]} {span}", f"{DAYS_NB[time.weekday]} {span}"


def _where(context: Context, placement: Placement) -> Text:
    hall = context.halls.get(placement.space_id)
    name = hall.name if hall else placement.space_id
    en, nb = _when(placement.time)
    return f"{en} in {name}", f"{nb} i {name}"


def _joined(parts: Sequence[Text]) -> Text:
    def join(words: list[str], conjunction: str) -> str:
        if len(words) <= 1:
            return "".join(words)
        return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"

    return join([p[0] for p in parts], "and"), join([p[1] for p in parts], "og")


def _capital(text: Text) -> Text:
    return text[0][:1].upper() + text[0][1:], text[1][:1].upper() + text[1][1:]


def _who(context: Context, holder: Section, section: Section) -> Text:
    """The section that got a time, described without naming its club."""
    if holder.club_id == section.club_id:
        if holder.club_rank < section.club_rank:
            return (
                "another of your club's sections, ranked higher by the club",
                "en annen av klubbens grupper, som klubben rangerte høyere",
            )
        return "another of your club's sections", "en annen av klubbens grupper"
    kind, kind_nb = KINDS[holder.age_group]
    if holder.priority is PriorityClass.LOCAL:
        kind, kind_nb = f"{kind} of a local club", f"{kind_nb} fra en lokal klubb"
    elif holder.priority is PriorityClass.OTHER:
        kind += " of a club from outside the municipality"
        kind_nb += " fra en klubb utenfor kommunen"
    mine, theirs = context.priority_key(section)[0], context.priority_key(holder)[0]
    if theirs < mine:
        return f"{kind} with higher priority", f"{kind_nb} med høyere prioritet"
    if theirs == mine:
        return f"{kind} with the same priority", f"{kind_nb} med samme prioritet"
    return (
        f"{kind} with lower priority, so that more sections and clubs get a time",
        f"{kind_nb} med lavere prioritet, slik at flere grupper og klubber får tid",
    )


def _lost_wish(
    context: Context,
    occupancy: Occupancy,
    section: Section,
    options: Sequence[Candidate],
    better_than: int,
) -> Text | None:
    """The best time the section wanted that went to another section, in words."""
    taken_days = {p.time.weekday for p in occupancy.by_section.get(section.section_id, [])}
    for option in options:
        if option.score <= better_than:
            break
        if option.time.weekday in taken_days:
            continue
        blockers = occupancy.blockers(option.placement())
        if blockers:
            holder = context.sections.get(blockers[0].section_id)
            where = _where(context, option.placement())
            if holder is None:
                return (
                    f"{where[0]} was already allocated",
                    f"{where[1]} var allerede tildelt",
                )
            who = _who(context, holder, section)
            return f"{where[0]} went to {who[0]}", f"{where[1]} gikk til {who[1]}"
    return None


def _why_nothing(
    context: Context, occupancy: Occupancy, section: Section, options: Sequence[Candidate]
) -> Text:
    halls = [context.halls[h] for h in section.halls if h in context.halls]
    if not halls:
        return "None of its halls is in the round.", "Ingen av hallene den ønsket er med i runden."
    if all(h.capacity < section.group_size for h in halls):
        return (
            f"The group ({section.group_size}) is larger than any of its halls holds.",
            f"Gruppen ({section.group_size}) er større enn noen av hallene den søkte om har "
            "plass til.",
        )
    if not options:
        return (
            f"None of its halls has {section.min_minutes} free minutes in a row inside its "
            "preferred or acceptable times.",
            f"Ingen av hallene den søkte om har {section.min_minutes} ledige minutter i "
            "strekk innenfor de ønskede eller akseptable tidene.",
        )
    lost = _lost_wish(context, occupancy, section, options, -1)
    holders = {
        b.section_id
        for option in options
        for b in occupancy.blockers(option.placement())
        if b.section_id in context.sections
    }
    mine = context.priority_key(section)[0]
    all_higher = bool(holders) and all(
        context.priority_key(context.sections[h])[0] < mine for h in holders
    )
    if all_higher:
        head = (
            "All its halls and times were taken by sections with higher priority",
            "Alle hallene og tidene den søkte om gikk til grupper med høyere prioritet",
        )
    else:
        head = (
            "All its halls and times were taken",
            "Alle hallene og tidene den søkte om var tatt",
        )
    if lost is None:
        return f"{head[0]}.", f"{head[1]}."
    return f"{head[0]}: {lost[0]}.", f"{head[1]}: {lost[1]}."


def _given(
    context: Context, section: Section, own: Sequence[Placement], options: Sequence[Candidate]
) -> tuple[Text, bool]:
    """The times given in words, and whether each is a preferred time in the first-choice hall
    at full length."""
    by_key = {(c.space_id, c.time): c for c in options}
    ideal = True
    for placement in own:
        option = by_key.get((placement.space_id, placement.time))
        first_hall = bool(section.halls) and placement.space_id == section.halls[0]
        preferred = any(r.contains(placement.time) for r in section.preferred)
        full = placement.time.minutes >= section.max_minutes
        ideal = ideal and first_hall and preferred and full and (option is None or option.preferred)
    return _joined([_where(context, p) for p in own]), ideal


def _one(
    context: Context,
    occupancy: Occupancy,
    section: Section,
    options: Sequence[Candidate],
    position: int | None,
) -> SectionOutcome:
    own = sorted(occupancy.by_section.get(section.section_id, []), key=lambda p: p.time)
    status: Outcome = (
        "refused" if not own else "granted" if len(own) >= section.times_per_week else "partly"
    )
    waiting = (
        (
            f" It goes on the waiting list as number {position}.",
            f" Gruppen står som nummer {position} på ventelisten.",
        )
        if position is not None
        else ("", "")
    )
    if status == "refused":
        why = _why_nothing(context, occupancy, section, options)
        return SectionOutcome(
            section.section_id,
            status,
            (),
            f"Refused. {why[0]}{waiting[0]}",
            f"Avslått. {why[1]}{waiting[1]}",
        )
    given, ideal = _given(context, section, own, options)
    by_key = {(c.space_id, c.time): c.score for c in options}
    worst = min(by_key.get((p.space_id, p.time), 0) for p in own)
    lost = None if ideal else _lost_wish(context, occupancy, section, options, worst)
    if lost is not None:
        en = f"{_capital(lost)[0]}; offered {given[0]} instead."
        nb = f"{_capital(lost)[1]}; tilbudt {given[1]} i stedet."
    elif ideal:
        en = f"Granted {given[0]}: a preferred time in the first-choice hall."
        nb = f"Tildelt {given[1]}: en ønsket tid i førstevalgshallen."
    else:
        en = f"Granted {given[0]}: the best time free in its halls within its wishes."
        nb = f"Tildelt {given[1]}: den beste ledige tiden i hallene innenfor ønskene."
    if status == "partly":
        en += f" Only {len(own)} of {section.times_per_week} times a week could be given."
        nb += f" Bare {len(own)} av {section.times_per_week} ganger i uka kunne gis."
        rest = _lost_wish(context, occupancy, section, options, -1)
        if rest is not None and rest != lost:
            en += f" {_capital(rest)[0]}."
            nb += f" {_capital(rest)[1]}."
    return SectionOutcome(section.section_id, status, tuple(own), en + waiting[0], nb + waiting[1])


def waiting_order(context: Context, placements: Iterable[Placement]) -> tuple[str, ...]:
    """The sections not fully granted, first in line first."""
    count: dict[str, int] = {}
    for placement in placements:
        count[placement.section_id] = count.get(placement.section_id, 0) + 1
    waiting = [s for s in context.problem.sections if count.get(s.section_id, 0) < s.times_per_week]
    return tuple(s.section_id for s in sorted(waiting, key=context.priority_key))


def explain(
    context: Context,
    placements: Sequence[Placement],
    options: Mapping[str, Sequence[Candidate]],
) -> tuple[dict[str, SectionOutcome], tuple[str, ...]]:
    """One outcome per section and the waiting order."""
    occupancy = Occupancy(context, placements)
    order = waiting_order(context, placements)
    position = {section_id: i + 1 for i, section_id in enumerate(order)}
    outcomes = {
        s.section_id: _one(
            context, occupancy, s, options.get(s.section_id, ()), position.get(s.section_id)
        )
        for s in context.problem.sections
    }
    return outcomes, order
