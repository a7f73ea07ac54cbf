"""Each service starts with its lifespan: migrations, health, readiness, metrics, OpenAPI."""

from __future__ import annotations

import pytest

from tests.support import running_service, settings_for

pytestmark = pytest.mark.slow

SERVICES = ["facilities", "booking", "notifications"]


@pytest.mark.parametrize("name", SERVICES)
async def test_service_starts_ready_and_documented(name, infra, isolated_kafka, database_factory):
    settings = settings_for(
        name,
        database_url=await database_factory(f"skeleton_{name}"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
    )
    async with running_service(name, settings) as service:
        client = service.client
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
        openapi = (await client.get("/openapi.json")).json()
        assert openapi["info"]["title"].startswith("Samspill")
        assert (await client.get("/docs")).status_code == 200
        missing = await client.get("/no-such-thing")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "traceparent" in missing.headers
        assert "http_requests_total" in (await client.get("/metrics")).text
