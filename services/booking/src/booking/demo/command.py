"""`samspill-booking seed-demo`: the demo's application round over HTTP, with a locally minted
admin token."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import typer

from booking.config import BookingSettings
from booking.demo.loader import SeedError, seed_demo_round
from samspill.clock import utc_now
from samspill.recurrence import local_date
from samspill.tokens import mint_dev_token


def admin_headers(settings: BookingSettings) -> dict[str, str]:
    token = mint_dev_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub="seed-demo",
        admin=True,
        ttl=timedelta(hours=1),
    )
    return {"Authorization": f"Bearer {token}"}


async def _run(url: str, wait_s: float) -> str:
    headers = admin_headers(BookingSettings())
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        seed = await seed_demo_round(client, headers, local_date(utc_now()), wait_s=wait_s)
    return seed.line()


def add_seed_command(cli: typer.Typer) -> None:
    @cli.command("seed-demo")
    def seed_demo_command(
        url: str = typer.Option("http://127.0.0.1:8002", help="The running booking API"),
        wait: float = typer.Option(
            60.0, help="Seconds to wait at most for the catalogue to know the demo's halls"
        ),
    ) -> None:
        """Open this season's application round over the facilities demo's school halls
        (run after `samspill-facilities seed-demo`)."""
        try:
            line = asyncio.run(_run(url, wait))
        except (SeedError, httpx.HTTPError) as exc:
            typer.echo(f"Søknadsrunden ble ikke laget / round not created: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(line)
