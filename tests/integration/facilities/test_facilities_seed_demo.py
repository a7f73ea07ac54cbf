"""`seed-demo` loads the Lillestrøm demo data through the API, and a second run adds nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from facilities.demo import seed_demo
from facilities.demo.data import SITES
from facilities.main import cli
from tests.dates import today
from tests.integration.facilities.conftest import Facilities

pytestmark = [pytest.mark.slow, pytest.mark.calendar]


async def test_seed_demo_loads_lillestrom_once(facilities: Facilities) -> None:
    client, admin = facilities.svc.client, facilities.admin
    first = await seed_demo(client, admin, today())
    assert first.sites == len(SITES) >= 12
    assert first.spaces > 25
    assert first.windows > 4 * 20
    assert first.closures >= 20
    assert first.price_rules >= 5
    assert first.item_types > 20
    assert first.units > 60
    assert "Demodata" in first.line()
    assert "demo data" in first.line()
    counts = await facilities.outbox.counts()

    second = await seed_demo(client, admin, today())
    assert second.total == 0
    assert await facilities.outbox.counts() == counts

    fetsund = (await client.get("/sites", params={"district": "fetsund"})).json()["items"]
    assert [s["name"] for s in fetsund] == ["Fetsund ungdomsskole"]
    halls = (
        await client.get("/spaces", params={"site_id": fetsund[0]["site_id"], "kind": "gym"})
    ).json()
    assert len(halls["items"][0]["conflicts_with"]) == 3
    kindergartens = (await client.get("/sites", params={"kind": "kindergarten"})).json()
    assert kindergartens["total"] >= 2


def test_the_command_is_offered() -> None:
    result = CliRunner().invoke(cli, ["seed-demo", "--help"])
    assert result.exit_code == 0
    assert "--url" in result.output
