"""Incoming events: which feeds an event changes, and the consumer's after-commit hook that
moves those feeds' cache generations on (the feeds are rendered from the read model)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from notifications.feeds.queries import FeedCache, FeedKey, FeedKind
from samspill.events import booking as bk
from samspill.events import facilities as fa
from samspill.events.base import Envelope


def affected_feeds(envelope: Envelope) -> list[FeedKey]:
    data = envelope.data
    keys: list[FeedKey] = []
    if isinstance(data, fa.SiteRegistered | fa.SiteUpdated):
        keys.append(FeedKey(FeedKind.SITE, str(data.site.site_id)))
    elif isinstance(data, fa.SpaceRegistered | fa.SpaceUpdated | fa.SpaceRetired):
        keys.append(FeedKey(FeedKind.SPACE, str(data.space.space_id)))
    elif isinstance(data, bk.OrganisationRegistered | bk.OrganisationUpdated):
        keys.append(FeedKey(FeedKind.ORGANISATION, str(data.organisation.organisation_id)))
    elif isinstance(
        data, bk.BookingRequested | bk.BookingConfirmed | bk.BookingRejected | bk.BookingCancelled
    ):
        keys.extend(
            _booking_feeds(
                data.booking.space_id, data.booking.site_id, data.booking.organisation_id
            )
        )
    elif isinstance(data, bk.SeriesCreated | bk.SeriesHandedToTeam):
        series = data.series
        keys.extend(_booking_feeds(series.space_id, series.site_id, series.organisation_id))
    elif isinstance(data, bk.ActivityPublished | bk.ActivityWithdrawn):
        keys.append(FeedKey(FeedKind.GUIDE, data.activity.district))
    elif hasattr(data, "loan") and isinstance(data.loan, bk.LoanState):
        keys.append(FeedKey(FeedKind.LOANS, data.loan.resident_id))
    elif isinstance(data, bk.PersonErased):
        # The person's own loans feed; the public feeds never named them.
        keys.append(FeedKey(FeedKind.LOANS, data.erasure.person_id))
    return keys


def _booking_feeds(space_id: object, site_id: object, organisation_id: object) -> list[FeedKey]:
    return [
        FeedKey(FeedKind.SPACE, str(space_id)),
        FeedKey(FeedKind.SITE, str(site_id)),
        FeedKey(FeedKind.ORGANISATION, str(organisation_id)),
    ]


def invalidate_feeds(cache: FeedCache) -> Callable[[Envelope], Awaitable[None]]:
    """The consumer's after-commit hook: the feeds the event touched are rendered anew."""

    async def on_applied(envelope: Envelope) -> None:
        keys = affected_feeds(envelope)
        if keys:
            await cache.invalidate(keys)

    return on_applied
