"""The notifications service: its definition, app factory and command line."""

from pathlib import Path

from fastapi import FastAPI

from notifications.api import routers
from notifications.config import NotificationsSettings
from notifications.models import Table, messaging
from samspill.commands import service_cli
from samspill.service import ServiceDefinition, create_app

definition = ServiceDefinition(
    name="notifications",
    title="Samspill notifications",
    description="iCal feeds, feed tokens, email/SMS messages and reminders.",
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=routers,
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn notifications.main:app --factory`."""
    return create_app(definition, NotificationsSettings())


cli = service_cli(definition, NotificationsSettings)
