"""An API served with several processes: one port, metrics of all of them, one consumer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from samspill.infra import free_port
from samspill.processes import ServiceProcess, service_env
from tests.integration.test_service_skeletons import exports_the_operations_metrics
from tests.support import eventually

pytestmark = pytest.mark.slow

WORKERS = 2
REQUESTS = 40


async def test_an_api_with_two_workers_counts_every_request_and_consumes_once(
    infra, isolated_kafka, database_factory, tmp_path: Path
):
    env = service_env(
        await database_factory("api_workers"),
        isolated_kafka,
        infra.redis.url,
        API_WORKERS=str(WORKERS),
        LOG_LEVEL="INFO",
        LOG_JSON="true",
    )
    service = ServiceProcess("booking", free_port(), env, tmp_path / "booking.log")
    service.start()
    try:
        await service.wait_ready(120)
        assert len(psutil.Process(service.pid).children(recursive=True)) >= WORKERS
        # A new connection per request, so the kernel hands them to either worker.
        for _ in range(REQUESTS):
            async with httpx.AsyncClient(base_url=service.url) as client:
                assert (await client.get("/healthz")).status_code == 200
        async with httpx.AsyncClient(base_url=service.url) as client:
            for _ in range(6):  # whichever worker answers, it counts them all
                scraped = (await client.get("/metrics")).text
                assert _requests(scraped, "/healthz") == REQUESTS
            await eventually(lambda: exports_the_operations_metrics(client, "booking"), timeout=30)
        await eventually(lambda: asyncio.to_thread(_elected, service), timeout=30)
        await asyncio.sleep(0.5)
        assert _elected(service) == 1  # consumers and schedulers in one worker only
    finally:
        await asyncio.to_thread(service.stop)


def _requests(metrics_text: str, route: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels.get("route") == route
    )


def _elected(service: ServiceProcess) -> int:
    lines = service.log_path.read_text(errors="replace").splitlines()
    return sum(
        1
        for line in lines
        if line.startswith("{")
        and '"service.workers_elected"' in line
        and json.loads(line).get("event") == "service.workers_elected"
    )
