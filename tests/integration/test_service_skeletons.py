"""Each service starts with its lifespan: migrations, health, readiness, metrics, OpenAPI."""

from __future__ import annotations

import importlib

import httpx
import pytest
from asgi_lifespan import LifespanManager

from samspill.infra import Infrastructure
from samspill.settings import ServiceSettings

pytestmark = pytest.mark.slow

SERVICES = ["facilities", "booking", "notifications"]


def settings_for(name: str, infra: Infrastructure, database_url: str) -> ServiceSettings:
    module = importlib.import_module(f"{name}.config")
    settings_cls = getattr(module, f"{name.capitalize()}Settings")
    return settings_cls(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka.url,
        redis_url=infra.redis.url,
        kafka_session_timeout_ms=1000,
        kafka_heartbeat_interval_ms=200,
        kafka_request_timeout_s=5,
        kafka_partitions=3,
        log_json=False,
    )


@pytest.mark.parametrize("name", SERVICES)
async def test_service_starts_ready_and_documented(name, infra, database_factory):
    from samspill.service import create_app

    definition = importlib.import_module(f"{name}.main").definition
    settings = settings_for(name, infra, await database_factory(f"skeleton_{name}"))
    app = create_app(definition, settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
            assert (
                (await client.get("/openapi.json")).json()["info"]["title"].startswith("Samspill")
            )
            assert (await client.get("/docs")).status_code == 200
            missing = await client.get("/no-such-thing")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")
            metrics = await client.get("/metrics")
            assert "http_requests_total" in metrics.text
            assert "traceparent" in missing.headers
