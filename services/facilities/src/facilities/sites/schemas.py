"""HTTP bodies of `/sites`: `…Create` and `…Update` are requests, `…Public` the answers.

The answers have the fields of the site's event state (`samspill.events.facilities`) but are
models of their own, so an additive change of the event contract leaves the API as it is.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from facilities.dependencies import Input
from facilities.domain import District, SiteKind
from samspill.inputs import Email, Phone

MAX_TRANSIT_DISTANCE_M = 100_000


class Public(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SiteContactPublic(Public):
    """The site's function address (e.g. the school office), not a private person."""

    name: str
    email: str | None = None
    phone: str | None = None


class AccessibilityPublic(Public):
    step_free_entrance: bool = False
    accessible_toilet: bool = False
    parking: bool = False
    hearing_loop: bool = False
    transit_stop: str | None = None
    transit_distance_m: int | None = Field(default=None, ge=0)


class SiteContactIn(Public):
    """The site's function address; the phone number is kept in E.164 (+4764000000)."""

    name: str = Field(min_length=1, max_length=160)
    email: Email | None = None
    phone: Phone | None = None


class AccessibilityIn(Public):
    step_free_entrance: bool = False
    accessible_toilet: bool = False
    parking: bool = False
    hearing_loop: bool = False
    transit_stop: str | None = Field(default=None, max_length=160)
    transit_distance_m: int | None = Field(default=None, ge=0, le=MAX_TRANSIT_DISTANCE_M)


class SiteBase(Input):
    kind: SiteKind
    name: str = Field(min_length=2, max_length=160)
    address: str = Field(min_length=2, max_length=200)
    district: District
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    contact: SiteContactIn
    accessibility: AccessibilityIn = AccessibilityIn()
    closes_on_public_holidays: bool = True
    lending_reservation_days: int = Field(default=14, ge=0, le=365)


class SiteCreate(SiteBase):
    pass


class SiteUpdate(Input):
    name: str | None = Field(default=None, min_length=2, max_length=160)
    address: str | None = Field(default=None, min_length=2, max_length=200)
    district: District | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    contact: SiteContactIn | None = None
    accessibility: AccessibilityIn | None = None
    closes_on_public_holidays: bool | None = None
    lending_reservation_days: int | None = Field(default=None, ge=0, le=365)


class PreparednessBody(Input):
    """What the site offers in an emergency (`PUT /sites/{id}/preparedness`)."""

    evacuation_capacity: int = Field(default=0, ge=0, le=100_000, description="People sheltered.")
    beds: int = Field(default=0, ge=0, le=100_000)
    kitchen: bool = False
    backup_power: bool = False
    water: bool = False
    notes: str | None = Field(default=None, max_length=1000)


class SitePublic(Public):
    """A site as the API and the events show it."""

    site_id: UUID
    kind: str
    name: str
    address: str
    district: str
    latitude: float | None = None
    longitude: float | None = None
    contact: SiteContactPublic
    accessibility: AccessibilityPublic
    closes_on_public_holidays: bool = True
    lending_reservation_days: int = Field(default=14, ge=0)
    preparedness: PreparednessBody | None = Field(
        default=None, description="Emergency preparedness facts; None: not recorded yet."
    )
