"""`make dev`: infrastructure, the three services and demo data on one machine.

Nothing needs configuring: `samspill.infra` finds or starts PostgreSQL, the broker and Redis,
each service gets its own database, and the services run as child processes with their logs
under `.samspill/logs/`. Ctrl-C stops the services, then whatever infrastructure was started.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from samspill.auth import mint_token
from samspill.infra import Infrastructure, InfrastructureError, data_root, ensure_database
from samspill.infra import start_infrastructure as start_infra
from samspill.processes import ServiceNotReady, ServiceProcess, service_env, stop_all
from samspill.settings import ServiceSettings


@dataclass(frozen=True)
class DevService:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# Default ports 8001-8003; SAMSPILL_DEV_BASE_PORT moves all three (e.g. when 8001 is taken).
_BASE_PORT = int(os.environ.get("SAMSPILL_DEV_BASE_PORT", "8001"))
SERVICES = tuple(
    DevService(name, _BASE_PORT + offset)
    for offset, name in enumerate(("facilities", "booking", "notifications"))
)
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 15.0


def say(message: str) -> None:
    print(f"samspill ▸ {message}", flush=True)


def run_dev_stack() -> int:
    started = time.monotonic()
    say("starter infrastruktur / starting infrastructure …")
    try:
        infra = start_infra()
    except InfrastructureError as exc:
        say(f"feil / error: {exc}")
        return 1
    say(infra.describe())
    children: list[ServiceProcess] = []
    try:
        database_urls = asyncio.run(_databases(infra))
        logs = data_root() / "logs"
        logs.mkdir(exist_ok=True)
        for service in SERVICES:
            children.append(_spawn(service, infra, database_urls[service.name], logs))
            say(f"{service.name}: startet / started (log: {children[-1].log_path})")
        if not asyncio.run(_wait_ready(children)):
            return 1
        say(f"alle tjenester klare / all services ready in {time.monotonic() - started:.1f} s")
        _seed_demo_data(logs)
        _print_welcome()
        _wait_for_interrupt(children)
        return 0
    finally:
        say("stopper / stopping …")
        stop_all(children, grace=STOP_GRACE_S)
        infra.close()


async def _databases(infra: Infrastructure) -> dict[str, str]:
    prefix = os.environ.get("SAMSPILL_DEV_DB_PREFIX", "samspill_")
    return {s.name: await ensure_database(infra.postgres.url, prefix + s.name) for s in SERVICES}


def _spawn(
    service: DevService, infra: Infrastructure, database_url: str, logs: Path
) -> ServiceProcess:
    env = service_env(database_url, infra.kafka.url, infra.redis.url, environment="development")
    child = ServiceProcess(
        service.name, service.port, env, logs / f"{service.name}.log", own_session=True
    )
    child.start()
    return child


async def _wait_ready(children: list[ServiceProcess]) -> bool:
    async def ready(child: ServiceProcess) -> None:
        await child.wait_ready(READY_TIMEOUT_S, interval=0.3)
        say(f"{child.name}: klar / ready at {child.url}")

    failures: list[ServiceNotReady] = []
    try:
        async with asyncio.TaskGroup() as group:
            for child in children:
                group.create_task(ready(child))
    except* ServiceNotReady as group_failure:
        failures = [f for f in group_failure.exceptions if isinstance(f, ServiceNotReady)]
    for failure in failures:
        if failure.returncode is None:
            say(f"{failure.name} ikke klar / not ready after {READY_TIMEOUT_S:.0f} s")
        else:
            say(f"{failure.name} stoppet / exited with {failure.returncode}: see its log")
    return not failures


def _seed_demo_data(logs: Path) -> None:
    """Load Lillestrøm demo data through the facilities service, when it offers it."""
    result = subprocess.run(
        [sys.executable, "-m", "facilities", "seed-demo", "--url", SERVICES[0].url],
        capture_output=True,
        text=True,
        check=False,
    )
    (logs / "seed-demo.log").write_text(result.stdout + result.stderr)
    if result.returncode == 0:
        say(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "demodata lastet")
    else:
        say("demodata ble ikke lastet / demo data not loaded: see .samspill/logs/seed-demo.log")


def _print_welcome() -> None:
    settings = ServiceSettings()
    admin = mint_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub="dev-admin",
        roles=["admin"],
        ttl=timedelta(days=7),
    )
    print()
    for service in SERVICES:
        print(f"  {service.name:<14} {service.url}/docs")
    print(f"\n  Admin-token / admin token (7 days):\n  {admin}\n")
    print("  Andre roller / other roles: uv run samspill token --sub me --role org_member --org ID")
    print("  Stopp med Ctrl-C / stop with Ctrl-C\n", flush=True)


def _wait_for_interrupt(children: list[ServiceProcess]) -> None:
    stop = False

    def interrupted(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    while not stop:
        for child in children:
            if not child.running:
                say(f"{child.name} stoppet / exited with {child.returncode}")
                return
        time.sleep(0.5)
