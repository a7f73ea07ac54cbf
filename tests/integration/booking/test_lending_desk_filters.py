"""The desk's loan lists: `GET /loans` narrowed by centre, pickup and return dates and a search
for the borrower's name or the loan number, within what the caller may see."""

from __future__ import annotations

import pytest

from tests.support import running_service, settings_for

from .lending_support import Centre, grant_staff, in_days, loan_request, stock_centre, today

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

PROBLEM = "application/problem+json"


@pytest.fixture
async def booking(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "booking",
        database_url=await database_factory("lending_desk_filters"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service("booking", settings) as svc:
        yield svc


def ids(answer) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {loan["loan_id"] for loan in answer.json()}


async def test_desk_filters_by_centre_dates_and_search(booking, isolated_kafka):
    strommen, fetsund = Centre("BUA Strømmen"), Centre("BUA Fetsund")
    await stock_centre(booking, isolated_kafka, strommen, {"ski": (5, 14)})
    await stock_centre(booking, isolated_kafka, fetsund, {"telt": (2, 7)})
    staff = await grant_staff(booking, isolated_kafka, "desk-1", [strommen.centre_id])
    client = booking.client
    ola, kari = booking.token("ola-1"), booking.token("kari-1")
    profile = {"display_name": "Kari Nordmann", "email": "kari@example.org"}
    assert (await client.put("/me/profile", json=profile, headers=kari)).status_code == 200

    async def reserve(who, centre, key, pickup, back, *, with_contact=True):
        body = loan_request([(centre.type_id(key), 1)], pickup, back)
        if not with_contact:
            del body["contact"]
        answer = await client.post("/loans", json=body, headers=who)
        assert answer.status_code == 201, answer.text
        return answer.json()["loan_id"]

    today_loan = await reserve(ola, strommen, "ski", today(), in_days(2))  # "Familien Hansen"
    tomorrow_loan = await reserve(kari, strommen, "ski", in_days(1), in_days(3), with_contact=False)
    later_loan = await reserve(ola, strommen, "ski", in_days(5), in_days(6))
    elsewhere = await reserve(kari, fetsund, "telt", today(), in_days(1), with_contact=False)

    async def listed(who=staff, **params):
        return ids(await client.get("/loans", params=params, headers=who))

    centre = str(strommen.centre_id)
    assert await listed(centre_id=centre) == {today_loan, tomorrow_loan, later_loan}
    assert await listed(
        centre_id=centre, pickup_from=today().isoformat(), pickup_to=in_days(1).isoformat()
    ) == {today_loan, tomorrow_loan}
    assert await listed(centre_id=centre, return_to=in_days(2).isoformat()) == {today_loan}
    assert await listed(centre_id=centre, return_from=in_days(3).isoformat()) == {
        tomorrow_loan,
        later_loan,
    }
    assert await listed(centre_id=centre, status="reserved", q="hansen") == {
        today_loan,
        later_loan,
    }
    # by the profile's name when the loan took its contact from the profile
    assert await listed(q="nordMANN") == {tomorrow_loan}  # not Fetsund's: not this desk's
    assert await listed(q=tomorrow_loan[:8]) == {tomorrow_loan}
    assert await listed(q=tomorrow_loan.upper()) == {tomorrow_loan}
    assert await listed(q="100%") == set()  # wildcards are matched as text
    # a resident filtering sees only their own loans, whatever the centre
    assert await listed(kari, q="Nordmann") == {tomorrow_loan, elsewhere}
    assert await listed(kari, centre_id=str(fetsund.centre_id)) == {elsewhere}

    for bad in (
        {"pickup_from": "in a week"},
        {"centre_id": "BUA"},
        {"q": "x"},
        {"q": "x" * 101},
        {"return_to": "2026-02-30"},
    ):
        refused = await client.get("/loans", params=bad, headers=staff)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
