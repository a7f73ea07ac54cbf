"""`/guide`: the public activity guide (no login) as JSON, and an iCal feed per district and
activity with the feeds' caching (ETag, Last-Modified, 304)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response

from notifications.dependencies import SettingsDep
from notifications.domain.guide import activity_key
from notifications.feeds.queries import FeedKey, FeedKind
from notifications.feeds.routes import _FEED_RESPONSES, Server
from notifications.guide import queries
from notifications.guide.schemas import AgeGroup, GuidePublic, guide_activity_public
from samspill.clock import NowDep
from samspill.db import UnitOfWorkDep
from samspill.districts import District

router = APIRouter(prefix="/guide", tags=["guide"])


@router.get("")
async def guide(
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    now: NowDep,
    district: District | None = None,
    activity: Annotated[str | None, Query(max_length=100)] = None,
    age_group: AgeGroup | None = None,
    takes_new_members: bool | None = None,
) -> GuidePublic:
    """Public: the clubs' public activities still running, by district, activity (letter case
    aside), age group and whether they take new members. Organisation-level facts only."""
    wanted = queries.GuideFilter(
        district=district.value if district else None,
        activity=activity,
        age_group=age_group,
        takes_new_members=takes_new_members,
    )
    rows = await queries.activities(uow.session, wanted, now)
    base = settings.public_base_url
    return GuidePublic(
        activities=[
            guide_activity_public(
                row, f"{base}/guide/{row.district}/{quote(activity_key(row.activity))}.ics"
            )
            for row in rows
        ],
        activity_names=await queries.activity_names(uow.session, now),
    )


@router.get("/{district}/{activity}.ics", responses=_FEED_RESPONSES)
@router.head("/{district}/{activity}.ics", responses=_FEED_RESPONSES)
async def guide_feed(
    district: District, activity: Annotated[str, Path(max_length=100)], server: Server
) -> Response:
    """Public: one weekly event per public activity of the district (an empty calendar when no
    club shows it now)."""
    subject = queries.feed_subject(district.value, activity)
    return await server.serve(FeedKey(FeedKind.GUIDE, subject), public=True)
