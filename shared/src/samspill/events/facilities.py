"""Contracts of `samspill.facilities`: what can be booked and lent, and when.

Every event carries the full current state of its aggregate, so booking and notifications
build their read models from events alone and never call facilities back. Keys: the space id
for space, window and space-closure events; the site id for site events and whole-site
closures; the item type id for equipment events; the person id for staff grants.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from samspill.events.base import EventData, TopicContract

TOPIC = "samspill.facilities"


class State(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Accessibility(State):
    step_free_entrance: bool = False
    accessible_toilet: bool = False
    parking: bool = False
    hearing_loop: bool = False
    transit_stop: str | None = None
    transit_distance_m: int | None = Field(default=None, ge=0)


class SiteContact(State):
    """The site's function address (e.g. the school office), not a private person."""

    name: str
    email: str | None = None
    phone: str | None = None


class Preparedness(BaseModel):
    """What a site offers in an emergency, as the municipality's facilities keep it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evacuation_capacity: int = Field(default=0, ge=0, description="People it can shelter.")
    beds: int = Field(default=0, ge=0)
    kitchen: bool = False
    backup_power: bool = False
    water: bool = False
    notes: str | None = Field(default=None, max_length=1000)


class SiteState(State):
    id_field: ClassVar[str] = "site_id"  # the aggregate id: the events' subject
    site_id: UUID
    kind: str
    name: str
    address: str
    district: str
    latitude: float | None = None
    longitude: float | None = None
    contact: SiteContact
    accessibility: Accessibility
    closes_on_public_holidays: bool = True
    lending_reservation_days: int = Field(default=14, ge=0)
    preparedness: Preparedness | None = Field(
        default=None, description="Emergency preparedness facts; None: not recorded yet."
    )


class BookingRulesState(State):
    min_minutes: int
    max_minutes: int
    granularity_minutes: int
    horizon_days: int
    buffer_minutes: int
    cancellation_deadline_hours: int
    approval_required: bool
    who_may_book: Literal["organisations", "everyone"]


class SpaceState(State):
    id_field: ClassVar[str] = "space_id"  # the aggregate id: the events' subject
    space_id: UUID
    site_id: UUID
    name: str
    kind: str
    capacity: int
    area_m2: float | None = None
    features: list[str] = []
    activities: list[str] = []
    parent_id: UUID | None = None
    conflicts_with: list[UUID] = Field(
        default=[], description="Spaces that cannot be booked at the same time (parts, whole)."
    )
    rules: BookingRulesState
    retired: bool = False


class WindowState(State):
    id_field: ClassVar[str] = "window_id"  # the aggregate id: the events' subject
    window_id: UUID
    space_id: UUID
    site_id: UUID
    kind: Literal["weekly", "one_off"]
    weekdays: list[int] = Field(default=[], description="0 = Monday … 6 = Sunday (weekly only).")
    start_time: time = Field(description="Local wall-clock time in time_zone.")
    end_time: time
    valid_from: date = Field(description="First date; the date itself for a one-off window.")
    valid_to: date
    withdrawn_dates: list[date] = []
    withdrawn: bool = False
    time_zone: str = "Europe/Oslo"


class ClosureState(State):
    id_field: ClassVar[str] = "closure_id"  # the aggregate id: the events' subject
    closure_id: UUID
    site_id: UUID
    space_id: UUID | None = Field(default=None, description="None closes the whole site.")
    start: datetime
    end: datetime
    reason: Literal["holiday", "exam", "maintenance", "own_event", "emergency"]
    note: str | None = None


class PriceRuleState(State):
    id_field: ClassVar[str] = "rule_id"  # the aggregate id: the events' subject
    rule_id: UUID
    space_id: UUID | None = None
    space_kind: str | None = None
    category: Literal["children_youth", "non_profit", "commercial", "private"]
    hourly_rate_ore: int = Field(ge=0)
    evening_rate_ore: int | None = Field(default=None, ge=0)
    weekend_rate_ore: int | None = Field(default=None, ge=0)
    evening_from: time = time(17, 0)
    active: bool = True


class ItemTypeState(State):
    id_field: ClassVar[str] = "item_type_id"  # the aggregate id: the events' subject
    item_type_id: UUID
    centre_id: UUID
    name: str
    category: str
    variant: str | None = Field(default=None, description="Size or variant, e.g. '130 cm'.")
    age_min: int | None = None
    age_max: int | None = None
    max_loan_days: int = Field(ge=1)
    image_url: str | None = None
    retired: bool = False


class UnitState(State):
    id_field: ClassVar[str] = "unit_id"  # the aggregate id: the events' subject
    unit_id: UUID
    item_type_id: UUID
    centre_id: UUID
    label: str
    condition: Literal["ok", "damaged", "retired"]
    notes: str | None = None


class SiteRegistered(EventData):
    type: Literal["samspill.facilities.site.registered.v1"] = (
        "samspill.facilities.site.registered.v1"
    )
    site: SiteState


class SiteUpdated(EventData):
    type: Literal["samspill.facilities.site.updated.v1"] = "samspill.facilities.site.updated.v1"
    site: SiteState


class SpaceRegistered(EventData):
    type: Literal["samspill.facilities.space.registered.v1"] = (
        "samspill.facilities.space.registered.v1"
    )
    space: SpaceState


class SpaceUpdated(EventData):
    type: Literal["samspill.facilities.space.updated.v1"] = "samspill.facilities.space.updated.v1"
    space: SpaceState


class SpaceRetired(EventData):
    type: Literal["samspill.facilities.space.retired.v1"] = "samspill.facilities.space.retired.v1"
    space: SpaceState


class WindowReleased(EventData):
    type: Literal["samspill.facilities.window.released.v1"] = (
        "samspill.facilities.window.released.v1"
    )
    window: WindowState


class WindowWithdrawn(EventData):
    """A whole window (`dates` empty) or single dates of it were withdrawn."""

    type: Literal["samspill.facilities.window.withdrawn.v1"] = (
        "samspill.facilities.window.withdrawn.v1"
    )
    window: WindowState
    dates: list[date] = Field(default_factory=list)


class ClosureScheduled(EventData):
    type: Literal["samspill.facilities.closure.scheduled.v1"] = (
        "samspill.facilities.closure.scheduled.v1"
    )
    closure: ClosureState


class ClosureLifted(EventData):
    type: Literal["samspill.facilities.closure.lifted.v1"] = "samspill.facilities.closure.lifted.v1"
    closure: ClosureState


class PriceRuleSet(EventData):
    type: Literal["samspill.facilities.price_rule.set.v1"] = "samspill.facilities.price_rule.set.v1"
    rule: PriceRuleState


class ItemTypeRegistered(EventData):
    type: Literal["samspill.facilities.item_type.registered.v1"] = (
        "samspill.facilities.item_type.registered.v1"
    )
    item_type: ItemTypeState


class ItemTypeUpdated(EventData):
    type: Literal["samspill.facilities.item_type.updated.v1"] = (
        "samspill.facilities.item_type.updated.v1"
    )
    item_type: ItemTypeState


class UnitAdded(EventData):
    type: Literal["samspill.facilities.unit.added.v1"] = "samspill.facilities.unit.added.v1"
    unit: UnitState


class UnitConditionChanged(EventData):
    type: Literal["samspill.facilities.unit.condition_changed.v1"] = (
        "samspill.facilities.unit.condition_changed.v1"
    )
    unit: UnitState
    previous_condition: Literal["ok", "damaged", "retired"]


class UnitRetired(EventData):
    type: Literal["samspill.facilities.unit.retired.v1"] = "samspill.facilities.unit.retired.v1"
    unit: UnitState


class StaffGrantsState(State):
    """Everything one person is granted at facilities: the sites they manage (approving
    bookings there) and the equipment centres they staff. Empty lists: nothing any more."""

    id_field: ClassVar[str] = "person_id"  # keyed by person: their changes stay in order
    person_id: str = Field(description="Samspill's id of the person (from issuer and subject).")
    site_ids: list[UUID]
    centre_ids: list[UUID]
    emergency: bool = Field(
        default=False,
        description="Whether the person is the municipality's emergency staff (requisitions).",
    )


class RequisitionState(State):
    """The municipality's emergency staff took a site (or some of its spaces) for a period:
    overlapping bookings and loans there are cancelled and nothing new is booked."""

    id_field: ClassVar[str] = "requisition_id"
    requisition_id: UUID
    site_id: UUID
    site_name: str
    space_ids: list[UUID] = Field(
        default_factory=list, description="The spaces taken; empty: the whole site."
    )
    start: datetime
    end: datetime
    reason: str = Field(max_length=500)


class RequisitionStarted(EventData):
    type: Literal["samspill.facilities.requisition.started.v1"] = (
        "samspill.facilities.requisition.started.v1"
    )
    requisition: RequisitionState


class RequisitionLifted(EventData):
    type: Literal["samspill.facilities.requisition.lifted.v1"] = (
        "samspill.facilities.requisition.lifted.v1"
    )
    requisition: RequisitionState


class StaffGrantsChanged(EventData):
    """A municipal admin granted or revoked a site's management, a centre's staff role or the
    municipality's emergency staff role."""

    type: Literal["samspill.facilities.staff_grants.changed.v1"] = (
        "samspill.facilities.staff_grants.changed.v1"
    )
    grants: StaffGrantsState


FacilitiesEvent = Annotated[
    SiteRegistered
    | SiteUpdated
    | SpaceRegistered
    | SpaceUpdated
    | SpaceRetired
    | WindowReleased
    | WindowWithdrawn
    | ClosureScheduled
    | ClosureLifted
    | PriceRuleSet
    | ItemTypeRegistered
    | ItemTypeUpdated
    | UnitAdded
    | UnitConditionChanged
    | UnitRetired
    | StaffGrantsChanged
    | RequisitionStarted
    | RequisitionLifted,
    Field(discriminator="type"),
]

contract = TopicContract(
    TOPIC,
    [
        SiteRegistered,
        SiteUpdated,
        SpaceRegistered,
        SpaceUpdated,
        SpaceRetired,
        WindowReleased,
        WindowWithdrawn,
        ClosureScheduled,
        ClosureLifted,
        PriceRuleSet,
        ItemTypeRegistered,
        ItemTypeUpdated,
        UnitAdded,
        UnitConditionChanged,
        UnitRetired,
        StaffGrantsChanged,
        RequisitionStarted,
        RequisitionLifted,
    ],
    union=FacilitiesEvent,
)
