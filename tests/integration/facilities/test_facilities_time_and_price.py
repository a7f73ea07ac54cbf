"""Release windows keep their local length across the daylight-saving weekends, and the free
principle quotes 0 kr for a youth club on a weekday evening, saying why."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from samspill.recurrence import OSLO
from tests.dates import next_clock_change, ordinary_day
from tests.integration.facilities.conftest import Facilities, site_body

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


def hours(occurrence: dict[str, str]) -> float:
    start, end = (datetime.fromisoformat(occurrence[k]) for k in ("start", "end"))
    return (end - start).total_seconds() / 3600


async def test_windows_keep_local_time_across_daylight_saving(facilities: Facilities) -> None:
    client, admin = facilities.svc.client, facilities.admin
    # The next spring switch more than a week ahead, and the autumn switch after it.
    march = next_clock_change(8, spring=True)
    october = next_clock_change(spring=False, start=march)
    site = (await client.post("/sites", json=site_body("Sørumsand skole"), headers=admin)).json()
    space = {"site_id": site["site_id"], "name": "Gymsal", "kind": "gym", "capacity": 60}
    space_id = (await client.post("/spaces", json=space, headers=admin)).json()["space_id"]
    window = {
        "weekdays": ["søndag"],
        "start_time": "00:00",
        "end_time": "06:00",
        "valid_from": (march - timedelta(days=7)).isoformat(),
        "valid_to": (october + timedelta(days=7)).isoformat(),
    }
    night = await client.post(f"/spaces/{space_id}/windows", json=window, headers=admin)
    assert night.status_code == 201, night.text
    evening = {**window, "start_time": "17:00", "end_time": "22:00"}
    evening_id = (
        await client.post(f"/spaces/{space_id}/windows", json=evening, headers=admin)
    ).json()["window_id"]

    async def occurrences(window_id: str, around: date) -> list[dict[str, str]]:
        params = {
            "from": (around - timedelta(days=7)).isoformat(),
            "to": (around + timedelta(days=7)).isoformat(),
        }
        response = await client.get(
            f"/spaces/{space_id}/windows/{window_id}/occurrences", params=params
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, str]] = response.json()
        return found

    night_id = night.json()["window_id"]
    assert [hours(o) for o in await occurrences(night_id, march)] == [6, 5, 6]
    assert [hours(o) for o in await occurrences(night_id, october)] == [6, 7, 6]
    spring = await occurrences(evening_id, march)
    assert [hours(o) for o in spring] == [5, 5, 5]
    assert [datetime.fromisoformat(o["start"]).hour for o in spring] == [16, 15, 15]
    autumn = await occurrences(evening_id, october)
    assert [datetime.fromisoformat(o["start"]).hour for o in autumn] == [15, 16, 16]


async def test_the_free_principle_for_a_youth_club_on_a_weekday_evening(
    facilities: Facilities,
) -> None:
    client, admin = facilities.svc.client, facilities.admin
    site = (await client.post("/sites", json=site_body("Volla skole"), headers=admin)).json()
    space = {"site_id": site["site_id"], "name": "Gymsal", "kind": "gym", "capacity": 60}
    space_id = (await client.post("/spaces", json=space, headers=admin)).json()["space_id"]
    for category, hourly, evening in (("non_profit", 10_000, 15_000), ("children_youth", 0, None)):
        body = {
            "space_kind": "gym",
            "category": category,
            "hourly_rate_ore": hourly,
            "evening_rate_ore": evening,
        }
        assert (await client.post("/price-rules", json=body, headers=admin)).status_code == 201
    # An ordinary Tuesday: a public holiday would take the weekend rate.
    tuesday = ordinary_day(14, weekday=1)
    params = {
        "space_id": space_id,
        "start": datetime.combine(tuesday, time(18), OSLO).isoformat(),
        "end": datetime.combine(tuesday, time(20), OSLO).isoformat(),
    }

    youth = await client.get("/price-quote", params={**params, "category": "children_youth"})
    assert youth.status_code == 200, youth.text
    quote = youth.json()
    assert (quote["total_ore"], quote["total_text"], quote["free_principle"]) == (
        0,
        "0,00 kr",
        True,
    )
    assert quote["explanation_nb"].startswith("Gratisprinsippet")
    assert "free principle" in quote["explanation_en"]
    assert "under 20" in quote["explanation_en"]

    club = (await client.get("/price-quote", params={**params, "category": "non_profit"})).json()
    assert club["total_ore"] == 2 * 15_000
    assert club["free_principle"] is False
    assert club["lines"][0]["period"] == "evening"
    assert club["rule_id"] is not None

    adults = await client.get(
        "/price-quote",
        params={**params, "category": "children_youth", "participants_under_20": "false"},
    )
    assert adults.status_code == 422

    rows = (await client.get("/price-list")).json()["rows"]
    youth_row = next(r for r in rows if r["category"] == "children_youth")
    assert youth_row["hourly_rate"] == "0,00 kr"
    assert youth_row["note_nb"].startswith("Gratisprinsippet")
