"""`samspill-facilities seed-demo`: the demo data over HTTP, with a locally minted admin token."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import typer

from facilities.config import FacilitiesSettings
from facilities.demo.loader import SeedError, seed_demo
from samspill.clock import utc_now
from samspill.recurrence import local_date
from samspill.tokens import mint_dev_token


def admin_headers(settings: FacilitiesSettings) -> dict[str, str]:
    token = mint_dev_token(
        secret=settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        sub="seed-demo",
        admin=True,
        ttl=timedelta(hours=1),
    )
    return {"Authorization": f"Bearer {token}"}


async def _run(url: str, issuer: str | None) -> str:
    settings = FacilitiesSettings()
    headers = admin_headers(settings)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        summary = await seed_demo(
            client,
            headers,
            local_date(utc_now()),
            issuer=issuer or settings.demo_people_issuer,
        )
    return summary.line()


def add_seed_command(cli: typer.Typer) -> None:
    @cli.command("seed-demo")
    def seed_demo_command(
        url: str = typer.Option("http://127.0.0.1:8001", help="The running facilities API"),
        issuer: str | None = typer.Option(
            None,
            help=(
                "The issuer of the demo people made staff (default: DEMO_ISSUER, else the "
                "first of OIDC_ISSUERS, else the development key's issuer)"
            ),
        ),
    ) -> None:
        """Load Lillestrøm demo data (schools, halls, windows, prices, equipment, the demo
        people's staff grants) over HTTP."""
        try:
            line = asyncio.run(_run(url, issuer))
        except (SeedError, httpx.HTTPError) as exc:
            typer.echo(f"Demodata ble ikke lastet / demo data not loaded: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(line)
