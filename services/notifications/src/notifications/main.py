"""The notifications service: its definition, app factory and command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from fastapi import FastAPI

from notifications.api import routers
from notifications.config import NotificationsSettings
from notifications.delivery import DeliveryWorker
from notifications.feeds import FeedCache
from notifications.handlers import event_handler
from notifications.models import Table, messaging
from notifications.rebuild import CONSUMER, rebuild_read_model
from samspill.commands import ForceOption, refused_rebuild_exits, service_cli
from samspill.consumer import ConsumerSpec
from samspill.events import booking, facilities
from samspill.events.base import dlq_topic
from samspill.service import Runtime, ServiceDefinition, Worker, create_app


def _settings(runtime: Runtime) -> NotificationsSettings:
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the notifications service runs with NotificationsSettings")
    return settings


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    settings = _settings(runtime)
    cache = FeedCache(runtime.redis, settings.feed_cache_ttl_s)
    return [
        ConsumerSpec(
            name=CONSUMER,
            contracts=[facilities.contract, booking.contract],
            handler=event_handler(settings.reminder_time),
            dlq_topic=dlq_topic("notifications"),
            on_applied=cache.on_applied,
        )
    ]


def schedulers(runtime: Runtime) -> list[Worker]:
    return [DeliveryWorker.from_settings(runtime.sessions, _settings(runtime))]


definition = ServiceDefinition(
    name="notifications",
    title="Samspill notifications",
    description="iCal feeds, feed tokens, email/SMS messages and reminders.",
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=routers,
    consumers=consumers,
    schedulers=schedulers,
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn notifications.main:app --factory`."""
    return create_app(definition, NotificationsSettings())


async def rebuild(settings: NotificationsSettings, *, force: bool = False) -> int:
    runtime = Runtime.open(definition, settings)
    try:
        count = await rebuild_read_model(runtime.sessions, runtime.kafka, force=force)
        await FeedCache(runtime.redis, settings.feed_cache_ttl_s).invalidate_all()
        return count
    finally:
        await runtime.close()


def _extra_commands(cli: typer.Typer) -> None:
    @cli.command("rebuild-read-model")
    def rebuild_read_model_command(force: ForceOption = False) -> None:
        """Empty the read model and replay both topics from the start.

        Refused when the topics no longer hold every event the read model was built from.
        """
        with refused_rebuild_exits():
            count = asyncio.run(rebuild(NotificationsSettings(), force=force))
        typer.echo(f"replayed {count} event(s)")


cli = service_cli(definition, NotificationsSettings, _extra_commands)
