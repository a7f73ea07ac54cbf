"""Each service starts with its lifespan: migrations, health, readiness, metrics, OpenAPI."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.contract import EXPORTED_METRICS
from tests.support import eventually, running_service, settings_for

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
        assert ready.json()["checks"] == {"database": "ok"}  # broker and Redis: metrics
        openapi = (await client.get("/openapi.json")).json()
        assert openapi["info"]["title"].startswith("Samspill")
        assert (await client.get("/docs")).status_code == 200
        missing = await client.get("/no-such-thing")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "traceparent" in missing.headers
        await eventually(lambda: exports_the_operations_metrics(client, name), timeout=30)


async def exports_the_operations_metrics(client, service: str) -> bool:
    """Every metric the alerts and the dashboard query that applies to the service."""
    text = (await client.get("/metrics")).text
    names = {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    } | {family.name for family in text_string_to_metric_families(text)}
    expected = set(EXPORTED_METRICS)
    if service == "notifications":  # publishes nothing: no outbox
        expected -= {m for m in expected if m.startswith("outbox_")}
    if service == "facilities":  # consumes nothing: no lag, no dead-letter topic
        expected -= {"kafka_consumer_lag", "kafka_dead_letter_queue_records"}
    return expected <= names


def lag_samples_above(metrics_text: str, bound: str) -> float:
    """Event-loop lag samples longer than `bound` seconds, read from the /metrics text."""
    total = within = 0.0
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == "event_loop_lag_seconds_count":
                total = sample.value
            if sample.name == "event_loop_lag_seconds_bucket" and sample.labels["le"] == bound:
                within = sample.value
    return total - within


@pytest.mark.parametrize("name", SERVICES)
async def test_event_loop_lag_is_on_metrics_and_big_bodies_are_refused(
    name, infra, isolated_kafka, database_factory
):
    settings = settings_for(
        name,
        database_url=await database_factory(f"bounds_{name}"),
        kafka=isolated_kafka,
        redis_url=infra.redis.url,
        event_loop_lag_interval_s=0.02,
    )
    async with running_service(name, settings) as service:
        client = service.client
        text = (await client.get("/metrics")).text
        assert "# TYPE event_loop_lag_seconds histogram" in text
        before = lag_samples_above(text, "0.25")
        # The app runs on this test's loop, so blocking it here blocks the service.
        time.sleep(0.5)  # noqa: ASYNC251 - the blocked loop is what the metric must show

        async def lag_rose() -> bool:
            return lag_samples_above((await client.get("/metrics")).text, "0.25") > before

        await eventually(lag_rose)

        admin = service.token("admin-bounds", admin=True)
        path = {"facilities": "/sites", "booking": "/organisations"}.get(name, "/feed-tokens")
        response = await client.post(path, json={"name": "x" * 2_000_000}, headers=admin)
        assert response.status_code == 413, response.text[:300]
        assert response.headers["content-type"].startswith("application/problem+json")
