"""The facilities service: its definition (routers, jobs, tables) and the app factory."""

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from facilities.closures import routes as closures_routes
from facilities.closures.jobs import holiday_closures_job
from facilities.closures.tables import ClosureRow
from facilities.config import FacilitiesSettings
from facilities.equipment import routes as equipment_routes
from facilities.equipment.tables import EquipmentUnit, ItemType
from facilities.personal_data import handlers as personal_data_handlers
from facilities.personal_data import routes as personal_data_routes
from facilities.prices import routes as prices_routes
from facilities.prices.tables import PriceRuleRow
from facilities.requisitions import routes as requisitions_routes
from facilities.requisitions.tables import RequisitionRow
from facilities.sites import routes as sites_routes
from facilities.sites.tables import Site
from facilities.spaces import routes as spaces_routes
from facilities.spaces.tables import Space
from facilities.staff import routes as staff_routes
from facilities.staff.queries import staff_grants_of
from facilities.staff.tables import StaffGrant
from facilities.tables import Table, messaging
from facilities.windows import routes as windows_routes
from facilities.windows.tables import Window
from samspill.clock import utc_now
from samspill.consumer import ConsumerSpec
from samspill.events import booking as booking_events
from samspill.events import facilities as facilities_events
from samspill.events.base import dlq_topic
from samspill.service import Runtime, ServiceDefinition, create_app

# Every table joins `Table.metadata` when its module is imported; naming them here keeps the
# metadata (and so the migrations' comparison) complete whatever the routers import.
TABLES = (
    Site,
    Space,
    Window,
    ClosureRow,
    PriceRuleRow,
    ItemType,
    EquipmentUnit,
    StaffGrant,
    RequisitionRow,
)


def consumers(runtime: Runtime) -> Sequence[ConsumerSpec]:
    """Facilities reads booking's topic for one event only: a person's erasure."""
    return [
        ConsumerSpec(
            name=personal_data_handlers.CONSUMER,
            contracts=[booking_events.contract],
            handler=personal_data_handlers.handle,
            dlq_topic=dlq_topic("facilities"),
            event_types=personal_data_handlers.APPLIED,
        )
    ]


definition = ServiceDefinition(
    name="facilities",
    title="Samspill facilities",
    description=(
        "Sites, spaces, release windows, closures, price rules and equipment stock — "
        "the source of truth for what can be booked and when — and who manages each site "
        "and staffs each equipment centre."
    ),
    metadata=Table.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[
        sites_routes.router,
        spaces_routes.router,
        windows_routes.router,
        closures_routes.router,
        prices_routes.router,
        equipment_routes.router,
        staff_routes.router,
        requisitions_routes.router,
        personal_data_routes.router,
    ],
    publishes=[facilities_events.contract],
    consumers=consumers,
    jobs=lambda _: [holiday_closures_job(clock=utc_now)],
    grant_loader=staff_grants_of,
)


def app() -> FastAPI:
    """uvicorn factory: `uvicorn facilities.main:app --factory`."""
    return create_app(definition, FacilitiesSettings(), freeze_startup_heap=True)
