"""Test fixtures: real PostgreSQL, a real Kafka-protocol broker, a real Redis and a real
OpenID Connect provider.

They come from `samspill.infra`, the same resolver `make dev` uses: the environment variables
first, then testcontainers when Docker answers, then the local or embedded servers. The
identity provider is the embedded one `make dev` runs too (`samspill.identity_provider`).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from samspill.identity_provider import (
    IdentityProvider,
    generate_signing_key,
    start_identity_provider,
    write_keys,
)
from samspill.infra import (
    Infrastructure,
    drop_database,
    ensure_database,
    start_infrastructure,
    start_tansu,
)
from samspill.kafka import KafkaConfig
from samspill.tracing import configure_tracing
from tests.identity import EXTRA_CLAIMS, FIRST_KID, TEST_REDIRECT_URIS

os.environ.setdefault("SAMSPILL_ENV", "test")
# The SMTP servers the tests run speak plain SMTP; services default to STARTTLS.
os.environ.setdefault("SMTP_START_TLS", "false")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    resolved = start_infrastructure()
    try:
        yield resolved
    finally:
        resolved.close()


@pytest.fixture(scope="session")
def kafka_config(infra: Infrastructure) -> KafkaConfig:
    """Short group timings: a group join takes about half the session timeout."""
    return KafkaConfig(
        bootstrap_servers=infra.kafka.url,
        request_timeout_s=5.0,
        session_timeout_ms=1000,
        heartbeat_interval_ms=200,
        partitions=3,
    )


@pytest.fixture
def isolated_kafka(infra: Infrastructure, kafka_config: KafkaConfig) -> Iterator[KafkaConfig]:
    """A broker of the test's own, so service topics (fixed names) start empty.

    On the embedded default a fresh in-memory Tansu starts in ~50 ms; where the environment
    names a broker, that one is shared and tests must tolerate other tests' events.
    """
    if infra.kafka.source != "embedded Tansu":
        yield kafka_config
        return
    broker = start_tansu()
    try:
        yield dataclasses.replace(kafka_config, bootstrap_servers=broker.url)
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    """One provider for the run; `tests.identity.signing_with` rotates its keys for a while."""
    folder = tmp_path_factory.mktemp("identity-provider")
    provider = start_identity_provider(
        keys_file=write_keys(folder / "jwks.json", [generate_signing_key(FIRST_KID)]),
        redirect_uris=TEST_REDIRECT_URIS,
        extra_claims=EXTRA_CLAIMS,
        log_path=folder / "identity-provider.log",
    )
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="session")
async def database_factory(infra: Infrastructure) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """Creates a new database on every call (all dropped at the end): a label used by two tests
    still gives each its own, and parallel runs or workers never collide."""
    created: list[str] = []
    run = uuid.uuid4().hex[:8]

    async def create(label: str) -> str:
        name = f"t_{run}_{len(created)}_{label}"[:63]
        created.append(name)
        return await ensure_database(infra.postgres.url, name)

    yield create
    for name in created:
        await drop_database(infra.postgres.url, name)


def unique_topic(prefix: str = "t") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


_SPANS = InMemorySpanExporter()


@pytest.fixture
def spans() -> InMemorySpanExporter:
    """The spans this test process finishes, kept in memory (the SDK's in-memory exporter on
    the process's tracer provider, which `configure_tracing` makes once)."""
    provider = configure_tracing("samspill-tests")
    assert provider is not None, "OTEL_SDK_DISABLED is set: no spans to look at"
    if not getattr(provider, "_samspill_test_exporter", False):
        provider.add_span_processor(SimpleSpanProcessor(_SPANS))
        provider._samspill_test_exporter = True  # type: ignore[attr-defined]
    _SPANS.clear()
    return _SPANS
