"""The operator's `samspill` command: dev tokens, the dev stack, dead letters; each service's
own command line is built by `samspill.service_cli`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from samspill.kafka import KafkaConfig
from samspill.settings import ServiceSettings
from samspill.tokens import mint_dev_token

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

app = typer.Typer(help="Samspill operator and developer commands", no_args_is_help=True)
dlq = typer.Typer(
    help="Dead-letter topics (events a consumer could not apply): inspect and redrive",
    no_args_is_help=True,
)
app.add_typer(dlq, name="dlq")
outbox = typer.Typer(help="A service's transactional outbox", no_args_is_help=True)
app.add_typer(outbox, name="outbox")
outbox_dead_letters = typer.Typer(
    help=(
        "Outbox dead letters (records the relay could not produce, e.g. too large): inspect, "
        "redrive or discard. The database is --database-url, else DATABASE_URL (set in the "
        "service's pods)."
    ),
    no_args_is_help=True,
)
outbox.add_typer(outbox_dead_letters, name="dead-letters")
contracts = typer.Typer(help="Event contracts: JSON Schema and AsyncAPI", no_args_is_help=True)
app.add_typer(contracts, name="contracts")
CONTRACTS_DIR = Path("contracts/events")
T = TypeVar("T")


@contracts.command("export")
def contracts_export(out: Path = typer.Option(CONTRACTS_DIR, help="Folder to write")) -> None:
    """Write every event type's JSON Schema and the AsyncAPI document."""
    from samspill.events.schemas import export

    typer.echo(f"wrote {len(export(out))} file(s) to {out}")


@contracts.command("check")
def contracts_check(
    published: Path = typer.Option(CONTRACTS_DIR, help="Published schemas"),
) -> None:
    """Fail when a contract changed incompatibly since it was published."""
    from samspill.events.schemas import current_schemas, incompatibilities, load_published

    current = current_schemas()
    problems = [
        f"{name}{problem}" if name in current else f"{name}: event type removed"
        for name, schema in load_published(published).items()
        for problem in (incompatibilities(schema, current[name]) if name in current else [""])
    ]
    for problem in problems:
        typer.echo(problem, err=True)
    raise typer.Exit(1 if problems else 0)


@app.command()
def token(
    sub: str = typer.Option(..., help="Subject: who the token names (a person or a client)"),
    admin: bool = typer.Option(False, "--admin", help="Member of the municipal admin group"),
    scope: list[str] = typer.Option(
        [], "--scope", help="A service account's scope (e.g. samspill.admin); repeat"
    ),
    hours: int = typer.Option(12, help="Validity in hours"),
) -> None:
    """Print a bearer token signed with the development key (JWT_SECRET).

    Tokens carry identity only: what the person may do comes from their memberships and grants.
    With --scope the token is a service account's (client credentials).
    """
    settings = ServiceSettings()
    if settings.dev_token_issuer is None:
        typer.echo("the development key is not accepted in production", err=True)
        raise typer.Exit(1)
    typer.echo(
        mint_dev_token(
            secret=settings.jwt_secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            sub=sub,
            admin=admin,
            client_scopes=scope or None,
            ttl=timedelta(hours=hours),
        )
    )


@app.command()
def dev() -> None:
    """Start infrastructure, the three services and demo data; Ctrl-C stops everything."""
    from samspill.devstack import run_dev_stack

    raise typer.Exit(run_dev_stack())


@dlq.command("list")
def dlq_list(
    service: str = typer.Argument(..., help="booking or notifications"),
    limit: int = typer.Option(50, help="Show at most this many"),
) -> None:
    """List dead-lettered events with their error."""
    from samspill.dlq import list_dead_letters

    for entry in asyncio.run(list_dead_letters(_kafka(), service, limit)):
        typer.echo(entry.describe())


@dlq.command("redrive")
def dlq_redrive(service: str = typer.Argument(..., help="booking or notifications")) -> None:
    """Publish dead-lettered events back to their topic (each one once)."""
    from samspill.dlq import redrive

    count = asyncio.run(redrive(_kafka(), service))
    typer.echo(f"redrove {count} event(s)")


SERVICE_HELP = "facilities, booking or notifications"
DATABASE_URL_OPTION = typer.Option(
    None, "--database-url", help="The service's database (default: DATABASE_URL)"
)


@outbox_dead_letters.command("list")
def outbox_dead_letters_list(
    service: str = typer.Argument(..., help=SERVICE_HELP),
    limit: int = typer.Option(50, min=1, help="Show at most this many"),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """List the records the relay moved aside, oldest first, with their error."""
    from samspill.dlq import list_outbox_dead_letters

    url = _service_database(service, database_url)
    letters = asyncio.run(_with_sessions(url, lambda s: list_outbox_dead_letters(s, limit=limit)))
    typer.echo(f"{service}: {len(letters)} outbox dead letter(s) in {_redacted(url)}")
    for letter in letters:
        typer.echo(letter.describe())


@outbox_dead_letters.command("redrive")
def outbox_dead_letters_redrive(
    service: str = typer.Argument(..., help=SERVICE_HELP),
    ids: list[int] | None = typer.Argument(None, help="Dead-letter ids (#N in `list`)"),
    redrive_all: bool = typer.Option(False, "--all", help="Redrive every dead letter"),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Move dead letters back into the outbox for the relay to produce again.

    Each becomes a new outbox row: it is published after every event already written, so
    after later events of its key, or dead-lettered again if Kafka still refuses it."""
    from samspill.dlq import redrive_outbox_dead_letters

    if redrive_all == bool(ids):
        raise typer.BadParameter("name dead-letter ids or give --all, not both")
    url = _service_database(service, database_url)
    wanted = None if redrive_all else list(ids or [])
    moved = asyncio.run(_with_sessions(url, lambda s: redrive_outbox_dead_letters(s, wanted)))
    typer.echo(
        f"{service}: {len(moved)} dead letter(s) back in the outbox"
        + (": " + ", ".join(f"#{i}" for i in moved) if moved else "")
    )
    missing = sorted(set(wanted or []) - set(moved))
    if missing:
        typer.echo("not found: " + ", ".join(f"#{i}" for i in missing), err=True)
        raise typer.Exit(1)


@outbox_dead_letters.command("discard")
def outbox_dead_letters_discard(
    service: str = typer.Argument(..., help=SERVICE_HELP),
    ids: list[int] = typer.Argument(..., help="Dead-letter ids (#N in `list`)"),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Delete dead letters that can never be produced; their events are lost.

    Use it once a newer event carries the aggregate's state (e.g. after the oversized text was
    shortened through the API), so consumers are not left behind."""
    from samspill.dlq import discard_outbox_dead_letters

    url = _service_database(service, database_url)
    gone = asyncio.run(_with_sessions(url, lambda s: discard_outbox_dead_letters(s, ids)))
    for letter_id, what in sorted(gone.items()):
        typer.echo(f"{service}: discarded #{letter_id} {what}")
    missing = sorted(set(ids) - set(gone))
    if missing:
        typer.echo("not found: " + ", ".join(f"#{i}" for i in missing), err=True)
        raise typer.Exit(1)


def _service_database(service: str, database_url: str | None) -> str:
    url = database_url or os.environ.get("DATABASE_URL")
    if not url:
        raise typer.BadParameter(
            f"set DATABASE_URL or --database-url to the {service} database", param_hint="service"
        )
    return url


def _redacted(url: str) -> str:
    from samspill.infra import redact

    return redact(url)


async def _with_sessions(
    url: str, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    from samspill.db import create_engine, session_factory

    engine = create_engine(url, pool_size=1)
    try:
        return await work(session_factory(engine))
    finally:
        await engine.dispose()


def _kafka() -> KafkaConfig:
    settings = ServiceSettings()
    return KafkaConfig(settings.kafka_bootstrap_servers, settings.kafka_request_timeout_s)


if __name__ == "__main__":
    app()
