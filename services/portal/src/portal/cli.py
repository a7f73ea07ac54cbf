"""The portal's command line: `api` serves the pages (the portal runs no workers)."""

from __future__ import annotations

import typer
import uvicorn

from portal.config import PortalSettings
from portal.main import NAME, create_app
from samspill.observability import configure_logging
from samspill.service_cli import server_config

cli = typer.Typer(help="Samspill portal", no_args_is_help=True)


@cli.command()
def api(
    host: str = typer.Option("0.0.0.0", help="Interface to listen on"),
    port: int | None = typer.Option(None, help="Port (default: PORT)"),
) -> None:
    """Serve the portal's pages."""
    settings = PortalSettings()
    configure_logging(NAME, settings.log_level, settings.log_json)
    app = create_app(settings, freeze_startup_heap=True)
    uvicorn.Server(server_config(app, host=host, port=port or settings.port)).run()


@cli.command()
def version() -> None:
    """Print the portal's version."""
    typer.echo("samspill-portal 0.1.0")


@cli.command("update-catalogues")
def update_catalogues() -> None:
    """Bring every bokmål catalogue in line with the messages the code and templates use:
    new messages get an empty translation to fill in, unused ones are dropped."""
    from portal.pages import catalogue_names, update_catalogue

    for name in catalogue_names():
        added, dropped = update_catalogue(name)
        typer.echo(f"{name}: {added} new, {dropped} dropped")
