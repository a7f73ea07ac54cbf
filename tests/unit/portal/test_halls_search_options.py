"""The hall search's district and activity lists: read from facilities, then reused for up to
the configured age, so a search does not page through every site and space each time."""

from __future__ import annotations

from typing import Any, cast

from portal.apis import Apis
from portal.halls import queries


class Facilities:
    """Answers /sites and /spaces as facilities does, one page, and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.sites = [{"site_id": "s1", "district": "kjeller"}]
        self.spaces = [{"site_id": "s1", "activities": ["sport"]}]

    async def get(self, service: str, path: str, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        items = self.sites if path == "/sites" else self.spaces
        return {"items": items, "total": len(items)}


async def test_the_lists_are_reused_within_their_age_and_read_again_after() -> None:
    facilities = Facilities()
    apis = cast(Apis, facilities)
    first = await queries.search_options(apis, max_age_s=60)
    assert first.activities == ["sport"]
    assert facilities.calls == 2  # sites and spaces
    facilities.spaces = [{"site_id": "s1", "activities": ["sport", "dans"]}]
    assert await queries.search_options(apis, max_age_s=60) == first
    assert facilities.calls == 2
    fresh = await queries.search_options(apis, max_age_s=0)
    assert fresh.activities == ["dans", "sport"]
    assert facilities.calls == 4
