"""The booking service's command line: the kernel's standard commands and its own."""

import asyncio

import typer

from booking.config import BookingSettings
from booking.demo.command import add_seed_command
from booking.main import definition
from samspill.service_cli import ForceOption, refused_rebuild_exits, service_cli


def extra_commands(cli: typer.Typer) -> None:
    @cli.command("rebuild-read-model")
    def rebuild_read_model(force: ForceOption = False) -> None:
        """Empty the facilities read model and replay samspill.facilities from the start.

        Refused when the topic no longer holds every event the read model was built from.
        """
        from booking.catalogue.use_cases import rebuild

        with refused_rebuild_exits():
            applied = asyncio.run(rebuild(BookingSettings(), force=force))
        typer.echo(f"Applied {applied} facilities events.")

    add_seed_command(cli)


cli = service_cli(definition, BookingSettings, extra=extra_commands)
