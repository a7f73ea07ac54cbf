"""The public activity guide's pure rules: how an activity is matched by its name, and its one
recurring iCal entry (organisation-level facts only: club, place, weekly time, how to join)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from notifications.domain.feed import EntryStatus, FeedEntry, WeeklyRecurrence
from samspill.districts import district_name
from samspill.recurrence import calendar_client_starts, resolve_local, weekly_starts

AGE_GROUPS: dict[str, str] = {
    "children": "Barn / children",
    "youth": "Ungdom / youth",
    "adults": "Voksne / adults",
    "seniors": "Seniorer / seniors",
    "mixed": "Alle aldre / all ages",
}
LEVELS: dict[str, str] = {
    "beginner": "Nybegynner / beginner",
    "intermediate": "Viderekommen / intermediate",
    "advanced": "Øvet / advanced",
    "all": "Alle nivåer / all levels",
}


def activity_key(activity: str) -> str:
    """How an activity is matched in a filter and a feed's address: letter case and extra
    spaces aside ("Fotball" and " fotball " are one activity)."""
    return " ".join(activity.split()).casefold()


@dataclass(frozen=True, slots=True)
class GuideView:
    series_id: UUID
    organisation_name: str
    team_name: str | None
    site_name: str
    district: str
    space_name: str
    weekday: int
    local_start_time: time
    local_end_time: time
    first_date: date
    last_date: date
    description: str
    activity: str
    age_group: str
    level: str
    languages: tuple[str, ...]
    takes_new_members: bool
    how_to_join: str
    changes: int
    published_at: datetime
    changed_at: datetime


def first_day(view: GuideView) -> date:
    """The first date on the activity's weekday on or after its first date."""
    return view.first_date + timedelta(days=(view.weekday - view.first_date.weekday()) % 7)


def guide_entry(view: GuideView) -> FeedEntry | None:
    """The activity as one weekly VEVENT from its first to its last date; None when no date of
    its weekday lies between them, or its start falls in a spring gap (clients disagree)."""
    first_date = first_day(view)
    if first_date > view.last_date:
        return None
    last_date = view.last_date - timedelta(days=(view.last_date.weekday() - view.weekday) % 7)
    first = resolve_local(first_date, view.local_start_time)
    until = resolve_local(last_date, view.local_start_time)
    if weekly_starts(first, until) != calendar_client_starts(first, until):
        return None
    end_day = first_date + timedelta(days=1 if view.local_end_time <= view.local_start_time else 0)
    club = view.organisation_name
    if view.team_name:
        club = f"{club} – {view.team_name}"
    return FeedEntry(
        uid=f"activity-{view.series_id}@samspill",
        summary=f"{view.activity} – {club}",
        location=f"{view.site_name}, {view.space_name}",
        description=description(view),
        start=first,
        end=resolve_local(end_day, view.local_end_time),
        status=EntryStatus.CONFIRMED,
        sequence=view.changes,
        created=view.published_at,
        last_modified=view.changed_at,
        recurrence=WeeklyRecurrence(until=until),
    )


def description(view: GuideView) -> str:
    lines = [
        view.description,
        f"Alder / age: {AGE_GROUPS.get(view.age_group, view.age_group)}",
        f"Nivå / level: {LEVELS.get(view.level, view.level)}",
        f"Språk / languages: {', '.join(view.languages)}",
        "Tar imot nye medlemmer / welcomes new members"
        if view.takes_new_members
        else "Tar ikke imot nye medlemmer nå / not taking new members now",
        f"Slik blir du med / how to join: {view.how_to_join}",
        f"Bydel / district: {district_name(view.district)}",
    ]
    return "\n".join(lines)
