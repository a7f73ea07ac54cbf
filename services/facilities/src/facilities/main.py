"""The facilities service: its definition, app factory and command line."""

from pathlib import Path

from fastapi import FastAPI

from facilities.api import routers
from facilities.closures import HolidayClosureScheduler
from facilities.config import FacilitiesSettings
from facilities.demo.command import add_seed_command
from facilities.models import Table, messaging
from samspill.commands import service_cli
from samspill.events import facilities as facilities_events
from samspill.service import ServiceDefinition, create_app

definition = ServiceDefinition(
    name="facilities",
    title="Samspill facilities",
    description=(
        "Sites, spaces, release windows, closures, price rules and equipment stock — "
        "the source of truth for what can be booked and when."
    ),
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=routers,
    publishes=[facilities_events.contract],
    schedulers=lambda runtime: [
        HolidayClosureScheduler(runtime.sessions, source=runtime.definition.event_source)
    ],
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn facilities.main:app --factory`."""
    return create_app(definition, FacilitiesSettings())


cli = service_cli(definition, FacilitiesSettings, extra=add_seed_command)
