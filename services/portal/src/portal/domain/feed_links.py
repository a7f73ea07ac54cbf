"""A calendar feed's two addresses: https for reading it, webcal:// for subscribing with one
click in a calendar app. A hall's feed is public (its path names the hall); a club's and a
person's loans feed are private (their path holds a secret token)."""

from __future__ import annotations

from dataclasses import dataclass

FEED_PATHS = {"loans": "loans", "organisation": "organisations", "space": "spaces"}


@dataclass(frozen=True)
class FeedLinks:
    https: str
    webcal: str


def feed_links(feeds_base_url: str, kind: str, key: str) -> FeedLinks:
    """The addresses of the feed of `kind` that `key` (a token, or a hall's id) opens, at the
    feeds' public address."""
    https = f"{feeds_base_url.rstrip('/')}/feeds/{FEED_PATHS[kind]}/{key}.ics"
    return FeedLinks(https=https, webcal=webcal_of(https))


def webcal_of(url: str) -> str:
    """The same http(s) address with the webcal scheme calendar apps open as a subscription
    (the scheme replaced, nothing else); anything else is left as it is."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url.removeprefix(scheme)
    return url
