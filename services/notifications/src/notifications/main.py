"""The notifications service: its routers, consumer, delivery job and app factory."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from fastapi import APIRouter, FastAPI

# Every feature's tables, so the service's metadata holds them all.
import notifications.feed_tokens.tables
import notifications.guide.tables
import notifications.messages.tables
import notifications.personal_data.tables
import notifications.preferences.tables
import notifications.readmodel.tables  # noqa: F401
from notifications.config import NotificationsSettings
from notifications.feed_tokens import routes as feed_tokens
from notifications.feeds import routes as feeds
from notifications.feeds.handlers import invalidate_feeds
from notifications.feeds.queries import FeedCache
from notifications.guide import routes as guide
from notifications.messages import routes as messages
from notifications.messages.handlers import Occasion, queue_messages
from notifications.messages.jobs import delivery_job, purge_job
from notifications.personal_data import handlers as personal_data_handlers
from notifications.personal_data import routes as personal_data
from notifications.personal_data.jobs import retention_job
from notifications.preferences import routes as preferences
from notifications.readmodel import handlers as readmodel_handlers
from notifications.readmodel.queries import load_grants
from notifications.readmodel.use_cases import CONSUMER
from notifications.tables import Table, messaging
from samspill.clock import Clock, utc_now
from samspill.consumer import ConsumerSpec, Handler
from samspill.db import UnitOfWork
from samspill.events import booking, facilities
from samspill.events.base import Envelope, dlq_topic
from samspill.jobs import PeriodicJob
from samspill.service import Runtime, ServiceDefinition, create_app

routers: list[APIRouter] = [
    feeds.router,
    guide.router,
    feed_tokens.router,
    messages.router,
    preferences.router,
    personal_data.router,
]


def _settings(runtime: Runtime) -> NotificationsSettings:
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the notifications service runs with NotificationsSettings")
    return settings


def event_handler(
    reminder_time: time, portal_url: str, clock: Clock = utc_now, *, sms: bool = False
) -> Handler:
    """The consumer's handler: a person's erasure first (its confirmation needs the address the
    read model still has), then the read model, then the messages the event calls for.

    All happen in the consumer's unit of work, together with the inbox row; nothing is sent
    here. A republished state (booking's `publish-states`) updates the read model only and
    queues no message. `reminder_time` is the Oslo time reminders go out the day before;
    `portal_url` is where invitation links point; `sms` says whether SMS can be sent at all
    (else email).
    """

    async def handle(uow: UnitOfWork, envelope: Envelope) -> None:
        occasion = Occasion(
            envelope, now=clock(), reminder_time=reminder_time, portal_url=portal_url, sms=sms
        )
        await personal_data_handlers.handle(uow.session, occasion)
        await readmodel_handlers.handle(uow.session, envelope)
        if not envelope.republished:  # a state published again is no news to anyone
            await queue_messages(uow.session, occasion)

    return handle


def consumers(runtime: Runtime) -> list[ConsumerSpec]:
    settings = _settings(runtime)
    cache = FeedCache(runtime.redis, settings.feed_cache_ttl_s)
    return [
        ConsumerSpec(
            name=CONSUMER,
            contracts=[facilities.contract, booking.contract],
            handler=event_handler(
                settings.reminder_time, settings.portal_url, sms=settings.sms_available
            ),
            dlq_topic=dlq_topic("notifications"),
            on_applied=invalidate_feeds(cache),
        )
    ]


def jobs(runtime: Runtime) -> list[PeriodicJob]:
    settings = _settings(runtime)
    return [delivery_job(settings), purge_job(settings), retention_job(settings)]


definition = ServiceDefinition(
    name="notifications",
    title="Samspill notifications",
    description=(
        "iCal feeds, the public activity guide, feed tokens, email/SMS messages and reminders."
    ),
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=routers,
    consumers=consumers,
    jobs=jobs,
    grant_loader=load_grants,
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn notifications.main:app --factory`."""
    return create_app(definition, NotificationsSettings(), freeze_startup_heap=True)
