"""Pure rules of the notifications service: iCal feeds and message texts (no I/O)."""

from notifications.domain.feed import (
    EntryStatus,
    FeedEntry,
    FeedInfo,
    OccurrenceOverride,
    WeeklyRecurrence,
    feed_etag,
    render_feed,
)
from notifications.domain.messages import (
    Channel,
    FreeSlot,
    Language,
    MessageKind,
    RenderedMessage,
    render_message,
)

__all__ = [
    "Channel",
    "EntryStatus",
    "FeedEntry",
    "FeedInfo",
    "FreeSlot",
    "Language",
    "MessageKind",
    "OccurrenceOverride",
    "RenderedMessage",
    "WeeklyRecurrence",
    "feed_etag",
    "render_feed",
    "render_message",
]
