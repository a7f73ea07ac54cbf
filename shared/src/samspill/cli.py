"""The `samspill` command: dev tokens, the whole dev stack, dead-letter operations."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import typer

from samspill.auth import mint_token
from samspill.kafka import KafkaConfig
from samspill.settings import ServiceSettings

app = typer.Typer(help="Samspill operator and developer commands", no_args_is_help=True)
dlq = typer.Typer(help="Dead-letter topics: inspect and redrive", no_args_is_help=True)
app.add_typer(dlq, name="dlq")
contracts = typer.Typer(help="Event contracts: JSON Schema and AsyncAPI", no_args_is_help=True)
app.add_typer(contracts, name="contracts")
CONTRACTS_DIR = Path("contracts/events")


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
    sub: str = typer.Option(..., help="Subject (user id)"),
    role: list[str] = typer.Option(..., "--role", help="Role; repeat for several"),
    org: list[str] = typer.Option([], "--org", help="Organisation id; repeat for several"),
    site: list[str] = typer.Option([], "--site", help="Site id; repeat for several"),
    centre: list[str] = typer.Option([], "--centre", help="Equipment centre id; repeat"),
    hours: int = typer.Option(12, help="Validity in hours"),
) -> None:
    """Print a bearer token valid for the dev stack (signed with JWT_SECRET)."""
    settings = ServiceSettings()
    typer.echo(
        mint_token(
            secret=settings.jwt_secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            sub=sub,
            roles=role,
            org_ids=org,
            site_ids=site,
            centre_ids=centre,
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


def _kafka() -> KafkaConfig:
    settings = ServiceSettings()
    return KafkaConfig(settings.kafka_bootstrap_servers, settings.kafka_request_timeout_s)


if __name__ == "__main__":
    app()
