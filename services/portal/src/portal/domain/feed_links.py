"""A private calendar feed's two addresses: https for reading it, webcal:// for subscribing
with one click in a calendar app."""

from __future__ import annotations

from dataclasses import dataclass

FEED_PATHS = {"loans": "loans", "organisation": "organisations"}


@dataclass(frozen=True)
class FeedLinks:
    https: str
    webcal: str


def feed_links(feeds_base_url: str, kind: str, token: str) -> FeedLinks:
    """The addresses of the feed a token of `kind` opens, at the feeds' public address."""
    https = f"{feeds_base_url.rstrip('/')}/feeds/{FEED_PATHS[kind]}/{token}.ics"
    return FeedLinks(https=https, webcal=webcal_of(https))


def webcal_of(url: str) -> str:
    """The same address with the webcal scheme calendar apps open as a subscription."""
    _, separator, rest = url.partition("://")
    return f"webcal://{rest}" if separator else url
