"""`make dev`: infrastructure, the three services and demo data on one machine.

Nothing needs configuring: `samspill.infra` finds or starts PostgreSQL, the broker and Redis,
each service gets its own database, and the services run as child processes with their logs
under `.samspill/logs/`. Mail goes to an SMTP sink in this process that keeps every message as
a file under `.samspill/mail/`, SMS as files under `.samspill/sms/`. People log in at the
embedded OpenID Connect provider (`samspill.identity_provider`) as one of its demo people; its
signing keys are kept in `.samspill/identity-provider/`, so tokens outlive a restart of
`make dev`. Ctrl-C stops the services, then the provider and whatever infrastructure was started.

The databases must match the broker: a read model, an inbox or an outbox built from events the
broker no longer holds cannot be rebuilt or replayed. A broker that started empty (the embedded
Tansu keeps its topics in memory) therefore gets empty databases too.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from samspill.identity_provider import (
    ADMIN_SCOPE,
    DEFAULT_INTEGRATION_SECRET,
    DEMO_PEOPLE,
    DOCS_CLIENT,
    INTEGRATION_CLIENT,
    IdentityProvider,
    generate_signing_key,
    oidc_issuers_env,
    start_identity_provider,
    write_keys,
)
from samspill.infra import (
    Infrastructure,
    InfrastructureError,
    data_root,
    drop_database,
    ensure_database,
)
from samspill.infra import start_infrastructure as start_infra
from samspill.mailsink import MailSink, ReceivedMail
from samspill.processes import ServiceNotReady, ServiceProcess, service_env, stop_all
from samspill.settings import ServiceSettings
from samspill.tokens import mint_dev_token


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
# The portal on the port before the services' (8000); it logs people in at the provider.
PORTAL = DevService("portal", _BASE_PORT - 1)
PORTAL_CALLBACK = f"{PORTAL.url}/auth/callback"
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 15.0


class DevSettings(BaseSettings):
    """`make dev`'s own options; `SMTP_HOST` set sends mail there instead of the sink."""

    model_config = SettingsConfigDict(env_prefix="SAMSPILL_DEV_", extra="ignore")

    db_prefix: str = "samspill_"
    smtp_port: int = Field(default=0, ge=0, le=65535, description="0: any free port.")
    external_smtp_host: str | None = Field(default=None, validation_alias="SMTP_HOST")
    idp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="The identity provider's port; by default the one after the services' (8004).",
    )

    @property
    def identity_provider_port(self) -> int:
        return self.idp_port or _BASE_PORT + len(SERVICES)


@dataclass(frozen=True)
class MessageSinks:
    """Where messages end up: the mail sink (None when `SMTP_HOST` names a server) and SMS."""

    mail: MailSink | None
    sms_dir: Path
    smtp_elsewhere: str | None = None

    def describe(self) -> list[str]:
        if self.mail is not None:
            mail = f"{self.mail.directory}/ (én .eml-fil per melding / one .eml file per message)"
        else:
            mail = f"SMTP_HOST={self.smtp_elsewhere} (fra miljøet / from the environment)"
        sms = f"{self.sms_dir}/ (sendes ikke, bare lagret / not sent, only kept as files)"
        return [f"E-post / mail:  {mail}", f"SMS:            {sms}"]

    def sms_env(self) -> dict[str, str]:
        """What says SMS is available (kept as files): booking reads it as notifications does."""
        return {"SMS_SINK_DIR": str(self.sms_dir)}

    def env(self) -> dict[str, str]:
        env = self.sms_env()
        if self.mail is not None:
            # The local sink speaks plain SMTP; STARTTLS is for a real relay.
            env |= {
                "SMTP_HOST": self.mail.host,
                "SMTP_PORT": str(self.mail.port),
                "SMTP_START_TLS": "false",
            }
        return env

    def close(self) -> None:
        if self.mail is not None:
            self.mail.stop()


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
    settings = DevSettings()
    children: list[ServiceProcess] = []
    sinks: MessageSinks | None = None
    identity: IdentityProvider | None = None
    try:
        database_urls = asyncio.run(_databases(infra, settings.db_prefix))
        sinks = _start_sinks(settings)
        logs = data_root() / "logs"
        logs.mkdir(exist_ok=True)
        try:
            identity = _start_identity_provider(settings, logs)
        except InfrastructureError as exc:
            say(f"feil / error: {exc}")
            return 1
        say(f"innlogging / identity provider: {identity.issuer} (log: {identity.log_path})")
        trust = {"OIDC_ISSUERS": oidc_issuers_env(identity.issuer)}
        for service in SERVICES:
            extra = trust | _sink_env(service.name, sinks)
            children.append(_spawn(service, infra, database_urls[service.name], logs, extra))
            say(f"{service.name}: startet / started (log: {children[-1].log_path})")
        children.append(_spawn_portal(infra, logs, trust))
        say(f"portal: startet / started (log: {children[-1].log_path})")
        if not asyncio.run(_wait_ready(children)):
            return 1
        say(f"alle tjenester klare / all services ready in {time.monotonic() - started:.1f} s")
        _seed_demo_data(logs, identity.issuer)
        _print_welcome(sinks, identity)
        _wait_for_interrupt(children)
        return 0
    finally:
        say("stopper / stopping …")
        stop_all(children, grace=STOP_GRACE_S)
        if identity is not None:
            identity.stop()
        if sinks is not None:
            sinks.close()
        infra.close()


def _sink_env(service: str, sinks: MessageSinks) -> dict[str, str]:
    """Notifications sends into the sinks; booking only needs to know SMS can be chosen."""
    if service == "notifications":
        return sinks.env() | {"PORTAL_URL": PORTAL.url}
    if service == "booking":
        return sinks.sms_env()
    return {}


async def _databases(infra: Infrastructure, prefix: str) -> dict[str, str]:
    names = [prefix + s.name for s in SERVICES]
    if infra.kafka.started_empty:
        say(
            f"Kafka ({infra.kafka.source}) startet tom, så databasene {', '.join(names)} lages "
            "på nytt / the broker started empty, so the databases are created afresh too: "
            "data built from events the broker no longer holds could not be rebuilt from it"
        )
        for name in names:
            await drop_database(infra.postgres.url, name)
    urls = [await ensure_database(infra.postgres.url, name) for name in names]
    return {s.name: url for s, url in zip(SERVICES, urls, strict=True)}


def _start_sinks(settings: DevSettings) -> MessageSinks:
    sms_dir = data_root() / "sms"
    if settings.external_smtp_host is not None:
        return MessageSinks(mail=None, sms_dir=sms_dir, smtp_elsewhere=settings.external_smtp_host)
    sink = MailSink(data_root() / "mail", port=settings.smtp_port or None, on_received=_mail_line)
    return MessageSinks(mail=sink.start(), sms_dir=sms_dir)


def _mail_line(mail: ReceivedMail) -> None:
    say(f"e-post / mail to {', '.join(mail.recipients)}: {mail.subject!r} → {mail.path}")


def _start_identity_provider(settings: DevSettings, logs: Path) -> IdentityProvider:
    return start_identity_provider(
        settings.identity_provider_port,
        keys_file=dev_signing_keys(data_root() / "identity-provider" / "jwks.json"),
        redirect_uris=dev_redirect_uris(),
        log_path=logs / "identity-provider.log",
    )


def dev_signing_keys(path: Path) -> Path:
    """The dev stack's keys file, made once: a token signed in one run verifies in the next."""
    if not path.exists():
        write_keys(path, [generate_signing_key(f"dev-{secrets.token_hex(4)}")])
    return path


def dev_redirect_uris() -> list[str]:
    """Swagger UI's redirect on each API's /docs, and the portal's login callback."""
    return [f"{service.url}/docs/oauth2-redirect" for service in SERVICES] + [PORTAL_CALLBACK]


def _spawn(
    service: DevService,
    infra: Infrastructure,
    database_url: str,
    logs: Path,
    extra: dict[str, str],
) -> ServiceProcess:
    env = service_env(
        database_url, infra.kafka.url, infra.redis.url, environment="development", **extra
    )
    child = ServiceProcess(
        service.name, service.port, env, logs / f"{service.name}.log", own_session=True
    )
    child.start()
    return child


def _spawn_portal(infra: Infrastructure, logs: Path, trust: dict[str, str]) -> ServiceProcess:
    """The portal calls the services on their ports and offers the demo people as logins."""
    urls = {f"{service.name.upper()}_URL": service.url for service in SERVICES}
    env = service_env(
        "postgresql://unused",  # the portal keeps no database: sessions are in Redis
        infra.kafka.url,
        infra.redis.url,
        environment="development",
        PUBLIC_URL=PORTAL.url,
        DEMO_LOGINS=json.dumps(list(DEMO_PEOPLE)),
        **urls,
        **trust,
    )
    child = ServiceProcess(PORTAL.name, PORTAL.port, env, logs / "portal.log", own_session=True)
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


def _seed_demo_data(logs: Path, issuer: str) -> None:
    """Load Lillestrøm demo data through the facilities service (the identity provider's demo
    manager and centre worker are made staff of a school and a centre), then open this season's
    application round over its school halls through booking."""
    say("laster demodata / loading demo data …")
    facilities = [sys.executable, "-m", "facilities", "seed-demo", "--url", SERVICES[0].url]
    if _seed([*facilities, "--issuer", issuer], logs / "seed-demo.log", "demodata lastet"):
        booking = [sys.executable, "-m", "booking", "seed-demo", "--url", SERVICES[1].url]
        _seed(booking, logs / "seed-demo-booking.log", "søknadsrunde laget")


def _seed(command: list[str], log: Path, done: str) -> bool:
    """Run one seed command, its output in `log`; say its last line, or where the log is."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    log.write_text(result.stdout + result.stderr)
    if result.returncode == 0:
        say(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else done)
    else:
        say(f"demodata ble ikke lastet / demo data not loaded: see .samspill/logs/{log.name}")
    return result.returncode == 0


def _print_welcome(sinks: MessageSinks, identity: IdentityProvider) -> None:
    settings = ServiceSettings()
    admin = mint_dev_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub="dev-admin",
        admin=True,
        ttl=timedelta(days=7),
    )
    print(f"\n  Portalen / the portal: {PORTAL.url}")
    print("  Logg inn med ett klikk som en av demopersonene på forsiden / log in with one click")
    print("  as one of the demo people on the front page")
    print()
    for service in SERVICES:
        print(f"  {service.name:<14} {service.url}/docs")
    print()
    for line in sinks.describe():
        print(f"  {line}")
    print()
    for line in _login_help(identity.issuer):
        print(f"  {line}")
    print(f"\n  Admin-token / admin token (7 days):\n  {admin}\n")
    print("  Andre personer / other people: uv run samspill token --sub me")
    print("  Stopp med Ctrl-C / stop with Ctrl-C\n", flush=True)


def _login_help(issuer: str) -> list[str]:
    return [
        f"Innlogging / log in (OpenID Connect): {issuer}",
        f"  «Authorize» på /docs / Swagger UI's Authorize button: klient / client {DOCS_CLIENT}",
        "  Demobrukere, hvilket som helst passord / demo people, any password:",
        f"  {', '.join(DEMO_PEOPLE)}",
        "  (demo-admin er administrator / demo-admin is an administrator)",
        f"  Maskin til maskin / machine to machine: {INTEGRATION_CLIENT} / "
        f"{DEFAULT_INTEGRATION_SECRET}, scope {ADMIN_SCOPE}",
    ]


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
