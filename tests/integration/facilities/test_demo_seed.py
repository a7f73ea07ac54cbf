"""`seed-demo` loads the Lillestrøm demo data through the API, and a second run adds nothing;
a seed that meets the rate limit waits as it is told and completes."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from redis.asyncio import Redis
from typer.testing import CliRunner

from facilities.cli import cli
from facilities.config import FacilitiesSettings
from facilities.demo import seed_demo
from facilities.demo.data import SITES
from tests.dates import today
from tests.integration.facilities.conftest import Facilities
from tests.support import running_service, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.calendar]

# A Redis database of this test's own, so resetting the limiter's counters touches nobody else.
SEED_REDIS_DB = 13


async def test_seed_demo_loads_lillestrom_once(facilities: Facilities) -> None:
    client, admin, issuer = (
        facilities.svc.client,
        facilities.admin,
        facilities.svc.settings.jwt_issuer,
    )
    first = await seed_demo(client, admin, today(), issuer=issuer)
    assert first.sites == len(SITES) >= 12
    assert first.spaces > 25
    assert first.windows > 4 * 20
    assert first.closures >= 20
    assert first.price_rules >= 5
    assert first.item_types > 20
    assert first.units > 60
    assert first.staff_grants == 2
    assert "Demodata" in first.line()
    assert "demo data" in first.line()
    counts = await facilities.outbox.counts()

    second = await seed_demo(client, admin, today(), issuer=issuer)
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
    await _demo_people_are_staff(facilities)


async def _demo_people_are_staff(facilities: Facilities) -> None:
    """The identity provider's demo manager and centre worker hold their grants as data: their
    identity-only tokens reach their own site, and nothing else."""
    client, svc = facilities.svc.client, facilities.svc
    sites = {
        s["name"]: s["site_id"] for s in (await client.get("/sites?limit=200")).json()["items"]
    }
    school, centre = sites["Kjeller skole"], sites["BUA Lillestrøm"]
    manager, worker = svc.token("demo-facility-manager"), svc.token("demo-centre-worker")
    managers = (await client.get(f"/sites/{school}/managers", headers=manager)).json()["items"]
    assert [m["person_id"] for m in managers] == [svc.person_id("demo-facility-manager")]
    staff = (await client.get(f"/centres/{centre}/staff", headers=worker)).json()["items"]
    assert [m["person_id"] for m in staff] == [svc.person_id("demo-centre-worker")]
    body = {"name": "Kjelkemeis", "category": "ski"}
    created = await client.post(f"/centres/{centre}/item-types", json=body, headers=worker)
    assert created.status_code == 201, created.text
    refused = await client.post(f"/centres/{centre}/item-types", json=body, headers=manager)
    assert refused.status_code == 403
    other = sites["Skedsmokorset skole"]
    assert (await client.get(f"/sites/{other}/managers", headers=manager)).status_code == 403


async def test_a_rate_limited_seed_waits_as_told_and_completes(
    infra, isolated_kafka, database_factory
) -> None:
    """A quick second `make dev` re-seeds fresh databases and meets the rate limiter's window."""
    redis_url = _private_redis_database(infra.redis.url, SEED_REDIS_DB)
    settings = settings_for(
        "facilities",
        database_url=await database_factory("facilities_seed_limited"),
        kafka=isolated_kafka,
        redis_url=redis_url,
        rate_limit_per_minute=100,
    )
    redis = Redis.from_url(redis_url)
    waits: list[float] = []

    async def window_ends(seconds: float) -> None:
        """Instead of waiting out the minute: the limiter's counters of this database expire."""
        waits.append(seconds)
        keys = [key async for key in redis.scan_iter("facilities:rate:*")]
        if keys:
            await redis.delete(*keys)

    try:
        await redis.flushdb()
        async with running_service("facilities", settings) as svc:
            admin = svc.token("seed-demo", admin=True)
            summary = await seed_demo(
                svc.client, admin, today(), issuer=svc.settings.jwt_issuer, sleep=window_ends
            )
    finally:
        await redis.flushdb()
        await redis.aclose()
    assert summary.sites == len(SITES)
    assert waits, "the limit was reached"
    assert all(0 < wait <= 60 for wait in waits)


def _private_redis_database(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def test_the_command_is_offered() -> None:
    result = CliRunner().invoke(cli, ["seed-demo", "--help"])
    assert result.exit_code == 0
    assert "--url" in result.output
    assert "--issuer" in result.output


def test_the_demo_people_are_of_the_configured_issuer() -> None:
    """DEMO_ISSUER, else the first configured issuer (the embedded provider), else the key's."""
    embedded = {"issuer": "http://127.0.0.1:8004", "audience": "samspill"}
    other = {"issuer": "https://login.example.no", "audience": "samspill"}
    plain = FacilitiesSettings(jwt_issuer="dev", oidc_issuers=[], demo_issuer=None)
    assert plain.demo_people_issuer == "dev"
    configured = FacilitiesSettings(
        jwt_issuer="dev", oidc_issuers=[embedded, other], demo_issuer=None
    )
    assert configured.demo_people_issuer == embedded["issuer"]
    chosen = FacilitiesSettings(oidc_issuers=[embedded], demo_issuer="https://idporten.no")
    assert chosen.demo_people_issuer == "https://idporten.no"
