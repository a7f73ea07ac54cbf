"""The booking service: its definition, app factory and command line."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

import typer
from fastapi import FastAPI

from booking.api import routers
from booking.config import BookingSettings
from booking.handlers import handle
from booking.lending.api import router as lending_router
from booking.lending.scheduler import lending_schedulers
from booking.models import Table, messaging
from booking.rebuild import CONSUMER as REBUILT_CONSUMER
from samspill.commands import ForceOption, refused_rebuild_exits, service_cli
from samspill.consumer import ConsumerSpec
from samspill.events import booking as booking_events
from samspill.events import facilities as facilities_events
from samspill.events.base import dlq_topic
from samspill.service import Runtime, ServiceDefinition, create_app


def consumers(runtime: Runtime) -> Sequence[ConsumerSpec]:
    return [
        ConsumerSpec(
            name=REBUILT_CONSUMER,
            contracts=[facilities_events.contract],
            handler=handle,
            dlq_topic=dlq_topic("booking"),
        )
    ]


definition = ServiceDefinition(
    name="booking",
    title="Samspill booking",
    description=(
        "Organisations, hall bookings (one-off and weekly series), approvals and equipment loans."
    ),
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[*routers, lending_router],
    publishes=[booking_events.contract],
    consumers=consumers,
    schedulers=lending_schedulers,
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn booking.main:app --factory`."""
    return create_app(definition, BookingSettings())


def extra_commands(cli: typer.Typer) -> None:
    @cli.command("rebuild-read-model")
    def rebuild_read_model(force: ForceOption = False) -> None:
        """Empty the facilities read model and replay samspill.facilities from the start.

        Refused when the topic no longer holds every event the read model was built from.
        """
        from booking.rebuild import rebuild

        with refused_rebuild_exits():
            applied = asyncio.run(rebuild(BookingSettings(), force=force))
        typer.echo(f"Applied {applied} facilities events.")


cli = service_cli(definition, BookingSettings, extra=extra_commands)
