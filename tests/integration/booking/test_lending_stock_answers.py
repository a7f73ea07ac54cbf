"""A reservation refused for stock names the equipment the way the resident chose it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.dates import ordinary_day
from tests.support import running_service, settings_for

from .lending_support import Centre, loan_request, scalar, stock_centre

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"


@pytest.fixture
async def booking(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "booking",
        database_url=await database_factory("lending_names"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service("booking", settings) as svc:
        yield svc


async def test_the_stock_conflict_names_the_item_type_by_its_name(booking, isolated_kafka):
    centre = Centre("BUA Kjeller", reservation_days=120)
    await stock_centre(booking, isolated_kafka, centre, {"Langrennski 130 cm": (1, 7)})
    ski = centre.type_id("Langrennski 130 cm")
    pickup = ordinary_day(3, weekday=1)
    back = pickup + timedelta(days=2)

    refused = await booking.client.post(
        "/loans",
        json=loan_request([(ski, 2)], pickup, back),
        headers=booking.token("family-1"),
    )

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    for detail in (problem["detail"], problem["detail_nb"]):
        assert "Langrennski 130 cm" in detail, detail
        assert ski not in detail, detail
    assert problem["detail"] == (
        "Only 1 of 2 requested units of Langrennski 130 cm are free for this period."
    )
    assert problem["item_type_id"] == ski
    assert await scalar(booking, "SELECT count(*) FROM loan") == 0


async def test_a_reservation_answers_in_utc_like_its_reads(booking, isolated_kafka):
    centre = Centre("BUA Lillestrøm", reservation_days=120)
    await stock_centre(booking, isolated_kafka, centre, {"Telt": (1, 7)})
    pickup = ordinary_day(3, weekday=4)
    family = booking.token("family-2")
    created = await booking.client.post(
        "/loans",
        json=loan_request([(centre.type_id("Telt"), 1)], pickup, pickup + timedelta(days=2)),
        headers=family,
    )
    assert created.status_code == 201, created.text
    answer = created.json()
    read = (await booking.client.get(f"/loans/{answer['loan_id']}", headers=family)).json()
    for name in ("created_at", "updated_at"):
        assert answer[name] == read[name]
        assert datetime.fromisoformat(answer[name]).utcoffset() == timedelta(0)
