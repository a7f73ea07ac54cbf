"""A private feed's addresses: https at the feeds' public address, and the same with webcal://."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.feed_links import feed_links, webcal_of

TOKENS = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=43, max_size=43
)


def test_loans_and_organisation_feeds() -> None:
    loans = feed_links("https://kalender.example.no/", "loans", "t" * 43)
    assert loans.https == f"https://kalender.example.no/feeds/loans/{'t' * 43}.ics"
    assert loans.webcal == f"webcal://kalender.example.no/feeds/loans/{'t' * 43}.ics"
    club = feed_links("http://127.0.0.1:8003", "organisation", "x" * 43)
    assert club.https.endswith(f"/feeds/organisations/{'x' * 43}.ics")
    assert club.webcal.startswith("webcal://127.0.0.1:8003/")


def test_a_halls_public_feed() -> None:
    hall = feed_links("https://samspill.example", "space", "abc")
    assert hall.https == "https://samspill.example/feeds/spaces/abc.ics"
    assert hall.webcal == "webcal://samspill.example/feeds/spaces/abc.ics"


@given(TOKENS, st.sampled_from(["http", "https"]))
def test_webcal_differs_only_in_the_scheme(token: str, scheme: str) -> None:
    links = feed_links(f"{scheme}://feeds.example.no", "loans", token)
    assert links.webcal == "webcal" + links.https.removeprefix(scheme)
    assert webcal_of("no-scheme") == "no-scheme"
