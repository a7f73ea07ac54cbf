"""30 families reserve the last 5 units of a type at the same moment: exactly 5 get one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.support import running_service, settings_for

from .lending_support import (
    Centre,
    double_lent_units,
    in_days,
    loan_request,
    scalar,
    sessions,
    stock_centre,
)

pytestmark = [pytest.mark.slow, pytest.mark.reliability]


async def test_last_units_are_lent_once(infra, isolated_kafka, database_factory):
    settings = settings_for(
        "booking",
        database_url=await database_factory("lending_race"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service("booking", settings) as svc:
        centre = Centre("BUA Lillestrøm")
        await stock_centre(svc, isolated_kafka, centre, {"langrennsski": (7, 7)})
        skis = centre.type_id("langrennsski")
        pickup, back = in_days(2), in_days(5)
        early = svc.token("early-bird")
        first = await svc.client.post(
            "/loans", json=loan_request([(skis, 2)], pickup, back), headers=early
        )
        assert first.status_code == 201, first.text

        async def reserve(n: int) -> tuple[int, dict[str, object]]:
            # Overlapping, not identical, periods: the database compares ranges, not dates.
            answer = await svc.client.post(
                "/loans",
                json=loan_request([(skis, 1)], in_days(1 + n % 3), in_days(4 + n % 2)),
                headers=svc.token(f"family-{n}"),
            )
            return answer.status_code, answer.json()

        answers = await asyncio.gather(*(reserve(n) for n in range(30)))

        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] * 5 + [409] * 25, statuses
        for status, body in answers:
            if status == 409:
                assert body["detail_nb"], body
                assert "free" in str(body["detail"]) or "same moment" in str(body["detail"])
        lent = {
            unit["unit_id"]
            for status, body in answers
            if status == 201
            for line in body["lines"]
            for unit in line["units"]
        }
        assert len(lent) == 5
        assert await double_lent_units(svc) == 0
        held = await scalar(svc, "SELECT count(DISTINCT unit_id) FROM loan_unit WHERE active")
        assert held == 7
        assert await scalar(svc, "SELECT count(*) FROM loan") == 6

        # The guarantee is the database's own: a second active row for a lent unit over an
        # overlapping period is refused whoever writes it.
        async with sessions(svc)() as session:
            with pytest.raises(IntegrityError, match="ex_loan_unit_no_double_lending"):
                await session.execute(
                    text(
                        "INSERT INTO loan_unit (id, loan_id, unit_id, item_type_id, period, active)"
                        " SELECT gen_random_uuid(), loan_id, unit_id, item_type_id, period, true"
                        " FROM loan_unit WHERE active LIMIT 1"
                    )
                )
