"""Reading the public activity guide: the activities a filter picks, and the iCal feed of a
district's activity (rendered by the feeds' cache, `FeedKind.GUIDE`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notifications.domain.feed import FeedEntry, FeedInfo
from notifications.domain.guide import GuideView, activity_key, guide_entry
from notifications.guide.tables import GuideActivity
from samspill.districts import District, district_name
from samspill.recurrence import local_date

GUIDE_EPOCH = datetime.fromisoformat("2020-01-01T00:00:00+00:00")


@dataclass(frozen=True, slots=True)
class GuideFilter:
    district: str | None = None
    activity: str | None = None
    age_group: str | None = None
    takes_new_members: bool | None = None


async def activities(
    session: AsyncSession, wanted: GuideFilter, now: datetime
) -> Sequence[GuideActivity]:
    """The public activities still running that the filter picks, by district, activity,
    weekday and time."""
    query = select(GuideActivity).where(
        col(GuideActivity.withdrawn_at).is_(None),
        col(GuideActivity.last_date) >= local_date(now),
    )
    if wanted.district:
        query = query.where(col(GuideActivity.district) == wanted.district)
    if wanted.activity:
        query = query.where(col(GuideActivity.activity_key) == activity_key(wanted.activity))
    if wanted.age_group:
        query = query.where(col(GuideActivity.age_group) == wanted.age_group)
    if wanted.takes_new_members is not None:
        query = query.where(col(GuideActivity.takes_new_members) == wanted.takes_new_members)
    query = query.order_by(
        col(GuideActivity.district),
        col(GuideActivity.activity_key),
        col(GuideActivity.weekday),
        col(GuideActivity.local_start_time),
        col(GuideActivity.series_id),
    )
    return (await session.execute(query)).scalars().all()


async def activity_names(session: AsyncSession, now: datetime) -> list[str]:
    """The activities the guide holds now (one spelling each), for a filter's choices."""
    query = (
        select(func.min(col(GuideActivity.activity)))
        .where(
            col(GuideActivity.withdrawn_at).is_(None),
            col(GuideActivity.last_date) >= local_date(now),
        )
        .group_by(col(GuideActivity.activity_key))
        .order_by(col(GuideActivity.activity_key))
    )
    return [name for name in (await session.execute(query)).scalars() if name]


def feed_subject(district: str, activity: str) -> str:
    return f"{district}/{activity_key(activity)}"


async def guide_feed(
    session: AsyncSession, subject: str, base_url: str, now: datetime
) -> tuple[FeedInfo, list[FeedEntry], datetime] | None:
    """A district's activity as a feed (one weekly event per public activity); None for an
    unknown district. An activity no club shows (any more) is an empty calendar."""
    district, _, key = subject.partition("/")
    if district not in {d.value for d in District} or not key:
        return None
    rows = (
        (
            await session.execute(
                select(GuideActivity).where(
                    col(GuideActivity.district) == district,
                    col(GuideActivity.activity_key) == key,
                )
            )
        )
        .scalars()
        .all()
    )
    floor = max((row.changed_at for row in rows), default=GUIDE_EPOCH)
    shown = [row for row in rows if row.withdrawn_at is None]
    name = shown[0].activity if shown else key
    title = f"{name} – {district_name(district)}"
    info = FeedInfo(
        name=f"{title} – Samspill",
        description=f"Aktiviteter / activities: {title}, Lillestrøm kommune",
        url=f"{base_url}/guide/{district}/{quote(key)}.ics",
    )
    entries = [entry for row in shown if (entry := guide_entry(guide_view(row))) is not None]
    return info, entries, floor


def guide_view(row: GuideActivity) -> GuideView:
    return GuideView(
        series_id=row.series_id,
        organisation_name=row.organisation_name,
        team_name=row.team_name,
        site_name=row.site_name,
        district=row.district,
        space_name=row.space_name,
        weekday=row.weekday,
        local_start_time=row.local_start_time,
        local_end_time=row.local_end_time,
        first_date=row.first_date,
        last_date=row.last_date,
        description=row.description,
        activity=row.activity,
        age_group=row.age_group,
        level=row.level,
        languages=tuple(row.languages),
        takes_new_members=row.takes_new_members,
        how_to_join=row.how_to_join,
        changes=row.changes,
        published_at=row.published_at,
        changed_at=row.changed_at,
    )
