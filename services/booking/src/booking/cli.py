"""The booking service's command line: the kernel's standard commands and its own."""

import asyncio
from typing import Annotated

import typer

from booking.config import BookingSettings
from booking.demo.command import add_seed_command
from booking.main import definition
from booking.state_backfill.queries import BATCH_SIZE
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

    @cli.command("publish-states")
    def publish_states(
        batch_size: Annotated[
            int, typer.Option(min=1, help="Aggregates per transaction.")
        ] = BATCH_SIZE,
    ) -> None:
        """Queue the current state of every aggregate in the outbox, for samspill.booking.state.

        Run it once after the state topic was added to an installation that had data, or after
        the state topic was lost; the running service's relay sends the states. Safe to run
        again: it queues the same states, unchanged.
        """
        from booking.state_backfill.use_cases import publish_all_states

        counts = asyncio.run(publish_all_states(BookingSettings(), batch_size=batch_size))
        for kind, queued in counts.items():
            typer.echo(f"{kind}: {queued}")
        total = sum(counts.values())
        typer.echo(
            f"La {total} tilstander i utboksen for samspill.booking.state / "
            f"Queued {total} states in the outbox for samspill.booking.state."
        )

    add_seed_command(cli)


cli = service_cli(definition, BookingSettings, extra=extra_commands)
