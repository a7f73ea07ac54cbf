"""The booking service: its definition (routers, consumers, jobs) and the app factory."""

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

import booking.activities.tables
import booking.allocation.tables
import booking.applications.tables
import booking.availability.tables
import booking.bookings.tables
import booking.catalogue.tables
import booking.giving_back.tables
import booking.lending.tables
import booking.memberships.tables
import booking.organisations.tables
import booking.people.tables
import booking.preparedness.tables
import booking.rounds.tables
import booking.series.tables
import booking.teams.tables
import booking.waiting_list.tables  # noqa: F401 - every tables module registers on the metadata
from booking.activities.routes import router as activities_router
from booking.allocation.routes import router as allocation_router
from booking.applications.routes import router as applications_router
from booking.availability.routes import router as availability_router
from booking.bookings import handlers as bookings_handlers
from booking.bookings.routes import router as bookings_router
from booking.catalogue import handlers as catalogue_handlers
from booking.catalogue.use_cases import CONSUMER as FACILITIES_CONSUMER
from booking.config import BookingSettings
from booking.giving_back.jobs import giving_back_jobs
from booking.giving_back.routes import router as giving_back_router
from booking.lending import handlers as lending_handlers
from booking.lending.jobs import lending_jobs
from booking.lending.routes import router as lending_router
from booking.memberships.routes import router as memberships_router
from booking.organisations.routes import router as organisations_router
from booking.people.queries import grants_of
from booking.people.routes import router as people_router
from booking.personal_data.jobs import personal_data_jobs
from booking.personal_data.routes import router as personal_data_router
from booking.preparedness.routes import router as preparedness_router
from booking.requisitions import handlers as requisitions_handlers
from booking.rounds.jobs import rounds_jobs
from booking.rounds.routes import router as rounds_router
from booking.series.routes import router as series_router
from booking.tables import Table, messaging
from booking.teams.routes import router as teams_router
from booking.usage.routes import router as usage_router
from booking.waiting_list.jobs import waiting_list_jobs
from booking.waiting_list.routes import router as waiting_list_router
from samspill.consumer import ConsumerSpec
from samspill.db import UnitOfWork
from samspill.events import booking as booking_events
from samspill.events import facilities as facilities_events
from samspill.events.base import Envelope, dlq_topic
from samspill.jobs import PeriodicJob
from samspill.service import Runtime, ServiceDefinition, create_app


async def handle_facilities_event(uow: UnitOfWork, envelope: Envelope) -> None:
    """The catalogue applies the event first (staff grants too); bookings and loans then react
    to the change.

    All in the consumer's unit of work, together with the inbox row.
    """
    await catalogue_handlers.handle(uow.session, envelope)
    await bookings_handlers.handle(uow, envelope)
    await lending_handlers.handle(uow, envelope)
    await requisitions_handlers.handle(uow, envelope)


def consumers(runtime: Runtime) -> Sequence[ConsumerSpec]:
    return [
        ConsumerSpec(
            name=FACILITIES_CONSUMER,
            contracts=[facilities_events.contract],
            handler=handle_facilities_event,
            dlq_topic=dlq_topic("booking"),
        )
    ]


def jobs(runtime: Runtime) -> Sequence[PeriodicJob]:
    return [
        *lending_jobs(runtime),
        *rounds_jobs(runtime),
        *waiting_list_jobs(runtime),
        *giving_back_jobs(runtime),
        *personal_data_jobs(runtime),
    ]


definition = ServiceDefinition(
    name="booking",
    title="Samspill booking",
    description=(
        "Organisations and their members, people's profiles, hall bookings (one-off and "
        "weekly series), approvals, equipment loans and seasonal application rounds."
    ),
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[
        organisations_router,
        memberships_router,
        people_router,
        personal_data_router,
        availability_router,
        bookings_router,
        series_router,
        teams_router,
        activities_router,
        lending_router,
        usage_router,
        rounds_router,
        applications_router,
        allocation_router,
        waiting_list_router,
        giving_back_router,
        preparedness_router,
    ],
    publishes=[booking_events.contract],
    consumers=consumers,
    jobs=jobs,
    grant_loader=grants_of,
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn booking.main:app --factory`."""
    return create_app(definition, BookingSettings(), freeze_startup_heap=True)
