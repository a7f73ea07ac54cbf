"""The booking service: its definition, app factory and command line."""

from pathlib import Path

from fastapi import FastAPI

from booking.api import routers
from booking.config import BookingSettings
from booking.models import Table, messaging
from samspill.commands import service_cli
from samspill.events import booking as booking_events
from samspill.service import ServiceDefinition, create_app

definition = ServiceDefinition(
    name="booking",
    title="Samspill booking",
    description=(
        "Organisations, hall bookings (one-off and weekly series), approvals and equipment loans."
    ),
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=routers,
    publishes=[booking_events.contract],
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn booking.main:app --factory`."""
    return create_app(definition, BookingSettings())


cli = service_cli(definition, BookingSettings)
