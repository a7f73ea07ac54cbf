"""Contracts of `samspill.booking`: organisations, hall bookings, series and equipment loans.

Events carry what the feeds and messages need (space, site, organisation display name,
activity, local times) so notifications needs nothing else. A private person's contact never
sits in a public field: contacts (and a resident's subject id) live only in `contact` and
`resident_id` members, which the public feeds ignore.
Keys: the space id for bookings, series and public activities (one partition keeps a hall's
order), the organisation id for organisation, membership and invitation events and for a
round's answers and waiting-list offers, the round id for rounds, the person id for profiles
and erasures, the centre id for loans (a loan's lines all belong to one centre).

State topic `samspill.booking.state`: the events that carry an aggregate's full state go there
too, keyed by aggregate (`state_key`): an organisation, a membership (organisation and person),
a profile, a booking, a series, a series' hand-over to a team (its own key: applying it needs
the series, which the latest `series.created` or `series.anonymised` gives), a public activity
(published or withdrawn, the later wins), a round and a loan. A membership that ends
(`role` None) and an erasure (the person's profile) leave tombstones. The aggregate's ordering
key (above) never changes, so every state of one aggregate lands in the same partition in
outbox order. Invitations (their single-use code), application answers, waiting-list offers
and requisitions' summaries are one-off messages' triggers: event topic only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from samspill.events.base import EventData, StateEntry, TopicContract
from samspill.events.facilities import ClosureState, RequisitionState

TOPIC = "samspill.booking"
STATE_TOPIC = "samspill.booking.state"

BookingStatus = Literal["requested", "confirmed", "rejected", "cancelled"]
LoanStatus = Literal["reserved", "picked_up", "returned", "cancelled", "no_show", "overdue"]
Language = Literal["nb", "en"]
Channel = Literal["email", "sms"]


class State(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(State):
    """Where messages go. Private: never rendered in a public feed or endpoint."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: Language = "nb"
    channel: Channel = "email"


class OrganisationState(State):
    id_field: ClassVar[str] = "organisation_id"  # the aggregate id: the events' subject
    organisation_id: UUID
    org_number: str
    name: str
    category: str
    district: str | None = None
    contact: Contact


class MembershipState(State):
    """One person's membership of an organisation; `role` None means they are no longer one."""

    id_field: ClassVar[str] = "organisation_id"  # keyed by organisation: changes stay in order
    organisation_id: UUID
    person_id: str = Field(description="Samspill's id of the person (from issuer and subject).")
    role: Literal["administrator", "booker", "viewer"] | None


class InvitationState(State):
    """An invitation to join an organisation, sent by email. `code` is the single-use secret of
    the acceptance link: only the invitee's mailbox (through notifications) should see it."""

    id_field: ClassVar[str] = "organisation_id"
    invitation_id: UUID
    organisation_id: UUID
    organisation_name: str
    email: str
    role: Literal["administrator", "booker", "viewer"]
    code: str
    expires_at: datetime
    invited_by_name: str | None = None
    language: Language = "nb"


class ProfileState(State):
    """A person's own details: what messages to them use. ID-porten gives no name, so the
    person enters or confirms these on first use."""

    id_field: ClassVar[str] = "person_id"
    person_id: str
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: Language = "nb"
    channel: Channel = "email"


class PersonErasureState(State):
    """A person's erasure: their data is to be erased (or replaced by the marker of
    `samspill.privacy.erased_marker`) wherever a service keeps it. Carries no personal data
    beyond the person's id, which every service needs to find what to erase."""

    id_field: ClassVar[str] = "person_id"
    person_id: str
    erasure_id: UUID
    requested_at: datetime
    requested_by: Literal["self", "staff"] = Field(
        description="The person asked on My page (`self`) or staff acted on a written request."
    )
    reason: str | None = Field(
        default=None, description="Staff's reference to the written request; never personal data."
    )


class BookingState(State):
    id_field: ClassVar[str] = "booking_id"  # the aggregate id: the events' subject
    booking_id: UUID
    series_id: UUID | None = None
    space_id: UUID
    space_name: str
    site_id: UUID
    site_name: str
    organisation_id: UUID
    organisation_name: str
    activity: str = Field(
        description="Free text. Public in feeds for an organisation's booking; never for a "
        "resident's own booking (see `by_resident`)."
    )
    audience: Literal["children_youth", "non_profit", "commercial", "private"]
    participants: int
    start: datetime
    end: datetime
    local_start: str = Field(
        description="Wall-clock start in Europe/Oslo, ISO 8601 without offset."
    )
    local_end: str
    status: BookingStatus
    price_ore: int
    price_explanation: str
    version: int = Field(description="Increases on every change (the iCal SEQUENCE).")
    created_at: datetime
    updated_at: datetime
    by_resident: bool = Field(
        default=False,
        description="A resident's own booking (no organisation): public feeds show it as a "
        "private booking, without its activity.",
    )
    resident_id: str | None = Field(
        default=None,
        description="A resident's own booking: the resident's subject id. Private, like `contact`.",
    )
    contact: Contact | None = Field(
        default=None, description="A resident's own booking: where the resident's messages go."
    )
    team_name: str | None = Field(
        default=None,
        description="The club's team the booking's series is handed to (public, like the "
        "organisation's name).",
    )


class SkippedOccurrence(State):
    date: date
    reason: Literal["closure", "holiday", "conflict", "outside_window", "in_past"]
    detail: str


class SeriesState(State):
    id_field: ClassVar[str] = "series_id"  # the aggregate id: the events' subject
    series_id: UUID
    space_id: UUID
    space_name: str
    site_id: UUID
    site_name: str
    organisation_id: UUID
    organisation_name: str
    activity: str
    weekday: int = Field(ge=0, le=6)
    local_start_time: str
    local_end_time: str
    first_date: date
    last_date: date
    booking_ids: list[UUID]
    skipped: list[SkippedOccurrence]
    created_at: datetime
    resident_id: str | None = Field(
        default=None, description="A resident's own series: the resident's subject id (private)."
    )
    contact: Contact | None = Field(
        default=None, description="A resident's own series: where the resident's messages go."
    )
    round_id: UUID | None = Field(
        default=None,
        description="Set when a seasonal round made the series: its applicant is told by "
        "`application.answered` (or `waiting_offer.made`), not once per series.",
    )
    team_name: str | None = None


AgeGroup = Literal["children", "youth", "adults", "seniors", "mixed"]
Level = Literal["beginner", "intermediate", "advanced", "all"]


class PublicActivityState(State):
    """A club's weekly series published as a public activity: organisation-level facts only
    (never a person's name), for the public guide."""

    id_field: ClassVar[str] = "series_id"  # the aggregate id: the events' subject
    series_id: UUID
    organisation_id: UUID
    organisation_name: str
    team_name: str | None = None
    site_id: UUID
    site_name: str
    district: str
    space_name: str
    weekday: int = Field(ge=0, le=6)
    local_start_time: str
    local_end_time: str
    first_date: date
    last_date: date
    description: str
    activity: str
    age_group: AgeGroup
    level: Level
    languages: list[str] = Field(description="ISO 639-1 codes, e.g. `nb`, `en`.")
    takes_new_members: bool
    how_to_join: str = Field(
        description="Organisation-level: a web address or the club's own email or phone."
    )


RoundStateName = Literal["upcoming", "open", "in_allocation", "handled", "results_sent"]


class RoundState(State):
    """A seasonal application round: its periods (Oslo days, inclusive), halls and state."""

    id_field: ClassVar[str] = "round_id"
    round_id: UUID
    name: str
    state: RoundStateName
    applications_open: date
    applications_close: date
    allocation_until: date
    results_date: date
    season_first_date: date
    season_last_date: date
    space_ids: list[UUID]
    weekdays: list[int] = Field(description="The evenings the round hands out (0 = Monday).")
    evening_start: str = Field(description="Oslo wall clock, HH:MM.")
    evening_end: str
    version: int


class AllocatedTimeState(State):
    """A weekly time given to a section, in Oslo wall-clock time."""

    space_id: UUID
    space_name: str
    site_name: str
    weekday: int = Field(ge=0, le=6)
    local_start_time: str
    local_end_time: str
    series_id: UUID | None = None


class SectionResult(State):
    section_id: UUID
    name: str
    status: Literal["granted", "partly", "refused"]
    granted: list[AllocatedTimeState]
    explanation: str
    explanation_nb: str
    waiting_position: int | None = Field(
        default=None, description="Its place on the round's waiting list when not all granted."
    )


class ApplicationResult(State):
    """What a club's application got: one result per section, each with its explanation."""

    id_field: ClassVar[str] = "application_id"
    application_id: UUID
    round_id: UUID
    round_name: str
    organisation_id: UUID
    organisation_name: str
    outcome: Literal["granted", "partly", "refused"]
    season_first_date: date
    season_last_date: date
    sections: list[SectionResult]


class WaitingOfferState(State):
    """Weekly time freed during the season, offered to the first fitting waiting section."""

    id_field: ClassVar[str] = "offer_id"
    offer_id: UUID
    round_id: UUID | None = Field(
        description="The round whose waiting list the club is on; None for a club that "
        "joined the waiting list directly."
    )
    organisation_id: UUID
    organisation_name: str
    section_name: str
    time: AllocatedTimeState
    first_date: date
    last_date: date
    expires_at: datetime = Field(
        description="When an open offer lapses; for time given back, the end of the hold."
    )
    status: Literal["open", "accepted", "declined", "expired", "withdrawn"]
    given_back: bool = Field(
        default=False,
        description="Time another club gave back, held for this club alone until "
        "`expires_at` (hours, not days); accepted at `/waiting-offers/{offer_id}/accept` like any.",
    )
    single_date: bool = Field(
        default=False, description="One date given back (`first_date` = `last_date`)."
    )


class LoanLine(State):
    item_type_id: UUID
    item_type_name: str
    unit_ids: list[UUID]
    unit_labels: list[str] = []


class LoanState(State):
    id_field: ClassVar[str] = "loan_id"  # the aggregate id: the events' subject
    loan_id: UUID
    resident_id: str = Field(description="The resident's subject id; contact is separate.")
    centre_id: UUID
    centre_name: str
    pickup_date: date
    return_date: date
    status: LoanStatus
    lines: list[LoanLine]
    contact: Contact
    version: int
    created_at: datetime
    updated_at: datetime


class OrganisationRegistered(EventData):
    type: Literal["samspill.booking.organisation.registered.v1"] = (
        "samspill.booking.organisation.registered.v1"
    )
    state_key = "organisation:{organisation.organisation_id}"
    organisation: OrganisationState


class OrganisationUpdated(EventData):
    type: Literal["samspill.booking.organisation.updated.v1"] = (
        "samspill.booking.organisation.updated.v1"
    )
    state_key = "organisation:{organisation.organisation_id}"
    organisation: OrganisationState


class MembershipChanged(EventData):
    """A person joined an organisation, got another role in it, left or was removed."""

    type: Literal["samspill.booking.membership.changed.v1"] = (
        "samspill.booking.membership.changed.v1"
    )
    state_key = "membership:{membership.organisation_id}:{membership.person_id}"
    membership: MembershipState

    def state_entry(self) -> StateEntry | None:
        """A membership that ended leaves a tombstone: nothing of it is needed any more."""
        entry = super().state_entry()
        if entry is None or self.membership.role is not None:
            return entry
        return StateEntry(entry.key, deletes=True)


class InvitationCreated(EventData):
    """An organisation administrator invited someone by email; notifications sends the link."""

    type: Literal["samspill.booking.invitation.created.v1"] = (
        "samspill.booking.invitation.created.v1"
    )
    invitation: InvitationState


class ProfileChanged(EventData):
    """A person entered or changed their profile; messages to them go to it from now on."""

    type: Literal["samspill.booking.profile.changed.v1"] = "samspill.booking.profile.changed.v1"
    state_key = "profile:{profile.person_id}"
    profile: ProfileState


class PersonErased(EventData):
    """A person asked for erasure and booking has erased them; every service applies it to its
    own data and read models (idempotently: a second one changes nothing)."""

    type: Literal["samspill.booking.person.erased.v1"] = "samspill.booking.person.erased.v1"
    state_key = "profile:{erasure.person_id}"
    state_deletes = True  # the profile goes
    erasure: PersonErasureState


class BookingRequested(EventData):
    """Awaiting approval by the site's manager."""

    type: Literal["samspill.booking.requested.v1"] = "samspill.booking.requested.v1"
    state_key = "booking:{booking.booking_id}"
    booking: BookingState


class BookingConfirmed(EventData):
    type: Literal["samspill.booking.confirmed.v1"] = "samspill.booking.confirmed.v1"
    state_key = "booking:{booking.booking_id}"
    booking: BookingState


class BookingRejected(EventData):
    type: Literal["samspill.booking.rejected.v1"] = "samspill.booking.rejected.v1"
    state_key = "booking:{booking.booking_id}"
    booking: BookingState
    reason: str | None = None


class BookingCancelled(EventData):
    type: Literal["samspill.booking.cancelled.v1"] = "samspill.booking.cancelled.v1"
    state_key = "booking:{booking.booking_id}"
    booking: BookingState
    reason: Literal[
        "by_organisation",
        "by_manager",
        "closure",
        "window_withdrawn",
        "space_retired",
        "series_cancelled",
        "person_erased",
        "given_back",
        "requisition",
    ] = Field(
        description="`person_erased`: the resident who booked was erased; the booking is "
        "freed and its state no longer names them (no message goes out). `given_back`: the "
        "club gave the time back for waiting clubs to take. `requisition`: the municipality's "
        "emergency staff took the site (one message per person goes out with "
        "`requisition.applied`, not one per booking)."
    )
    detail: str | None = None
    closure: ClosureState | None = Field(
        default=None, description="The closure that caused it (reason `closure`)."
    )
    requisition: RequisitionState | None = Field(
        default=None, description="The requisition that caused it (reason `requisition`)."
    )


class BookingAnonymised(EventData):
    """A resident's own booking no longer names the resident (an erasure, or its history's
    retention): same status and version, no contact, the free text and the resident's id
    replaced. Nothing is sent for it; its state replaces the one on the state topic."""

    type: Literal["samspill.booking.anonymised.v1"] = "samspill.booking.anonymised.v1"
    state_key = "booking:{booking.booking_id}"
    booking: BookingState


class SeriesCreated(EventData):
    type: Literal["samspill.booking.series.created.v1"] = "samspill.booking.series.created.v1"
    state_key = "series:{series.series_id}"
    series: SeriesState


class RoundChanged(EventData):
    """A round was created, changed, or moved to another state (`previous_state`)."""

    type: Literal["samspill.booking.round.changed.v1"] = "samspill.booking.round.changed.v1"
    state_key = "round:{round.round_id}"
    round: RoundState
    previous_state: RoundStateName | None = None


class ApplicationAnswered(EventData):
    """A round's results were sent: one event per applicant."""

    type: Literal["samspill.booking.application.answered.v1"] = (
        "samspill.booking.application.answered.v1"
    )
    application: ApplicationResult


class WaitingOfferMade(EventData):
    """A waiting section was offered freed weekly time (or the offer was answered or lapsed)."""

    type: Literal["samspill.booking.waiting_offer.made.v1"] = (
        "samspill.booking.waiting_offer.made.v1"
    )
    offer: WaitingOfferState


class ActivityPublished(EventData):
    """A club published a series as a public activity, or changed what the guide shows."""

    type: Literal["samspill.booking.activity.published.v1"] = (
        "samspill.booking.activity.published.v1"
    )
    state_key = "activity:{activity.series_id}"
    activity: PublicActivityState


class ActivityWithdrawn(EventData):
    """The series is no longer a public activity (made private, or the rest cancelled)."""

    type: Literal["samspill.booking.activity.withdrawn.v1"] = (
        "samspill.booking.activity.withdrawn.v1"
    )
    state_key = "activity:{activity.series_id}"
    activity: PublicActivityState


class SeriesAnonymised(EventData):
    """A resident's own series no longer names the resident (an erasure, or its history's
    retention): the series did not change otherwise. Its state replaces the one on the state
    topic, so the one naming the person goes with the next compaction."""

    type: Literal["samspill.booking.series.anonymised.v1"] = "samspill.booking.series.anonymised.v1"
    state_key = "series:{series.series_id}"
    series: SeriesState


class SeriesHandedToTeam(EventData):
    """A club handed a series to one of its teams (or took it back: `team_name` None)."""

    type: Literal["samspill.booking.series.team_changed.v1"] = (
        "samspill.booking.series.team_changed.v1"
    )
    state_key = "series_team:{series.series_id}"
    series: SeriesState


class LoanReserved(EventData):
    type: Literal["samspill.booking.loan.reserved.v1"] = "samspill.booking.loan.reserved.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState


class LoanUnitsChanged(EventData):
    """Units of a loan were swapped (at pickup, or because a unit was damaged or retired)."""

    type: Literal["samspill.booking.loan.units_changed.v1"] = (
        "samspill.booking.loan.units_changed.v1"
    )
    state_key = "loan:{loan.loan_id}"
    loan: LoanState


class LoanPickedUp(EventData):
    type: Literal["samspill.booking.loan.picked_up.v1"] = "samspill.booking.loan.picked_up.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState


class LoanReturned(EventData):
    type: Literal["samspill.booking.loan.returned.v1"] = "samspill.booking.loan.returned.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState
    damage_notes: str | None = None


class LoanCancelled(EventData):
    type: Literal["samspill.booking.loan.cancelled.v1"] = "samspill.booking.loan.cancelled.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState
    reason: Literal["by_resident", "by_staff", "stock", "person_erased", "requisition"] = Field(
        description="`person_erased`: the borrower was erased before picking the loan up; "
        "the units are freed and the state no longer names them (no message goes out). "
        "`requisition`: the centre was requisitioned (told with `requisition.applied`)."
    )
    requisition: RequisitionState | None = Field(
        default=None, description="The requisition that caused it (reason `requisition`)."
    )


class RequisitionApplied(EventData):
    """Booking cancelled what a requisition took, all in one unit of work: every booking and
    loan it cancelled, so each affected person is told once (not once per booking)."""

    type: Literal["samspill.booking.requisition.applied.v1"] = (
        "samspill.booking.requisition.applied.v1"
    )
    requisition: RequisitionState
    bookings: list[BookingState] = Field(default_factory=list)
    loans: list[LoanState] = Field(default_factory=list)


class RequisitionReleased(EventData):
    """A requisition was lifted: the times it cancelled that are still free and ahead are
    offered back to the clubs (and residents) that held them, to book again first."""

    type: Literal["samspill.booking.requisition.released.v1"] = (
        "samspill.booking.requisition.released.v1"
    )
    requisition: RequisitionState
    offered: list[BookingState] = Field(
        default_factory=list,
        description="The cancelled bookings whose times are free again (offered back).",
    )


class LoanNoShow(EventData):
    type: Literal["samspill.booking.loan.no_show.v1"] = "samspill.booking.loan.no_show.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState


class LoanOverdue(EventData):
    type: Literal["samspill.booking.loan.overdue.v1"] = "samspill.booking.loan.overdue.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState


class LoanAnonymised(EventData):
    """A loan no longer names its borrower (an erasure, or its history's retention): same
    status and version, no contact, the marker for the borrower's id. Nothing is sent for it;
    its state replaces the one on the state topic."""

    type: Literal["samspill.booking.loan.anonymised.v1"] = "samspill.booking.loan.anonymised.v1"
    state_key = "loan:{loan.loan_id}"
    loan: LoanState


BookingEvent = Annotated[
    OrganisationRegistered
    | OrganisationUpdated
    | MembershipChanged
    | InvitationCreated
    | ProfileChanged
    | PersonErased
    | BookingRequested
    | BookingConfirmed
    | BookingRejected
    | BookingCancelled
    | BookingAnonymised
    | SeriesCreated
    | SeriesAnonymised
    | SeriesHandedToTeam
    | ActivityPublished
    | ActivityWithdrawn
    | RoundChanged
    | ApplicationAnswered
    | WaitingOfferMade
    | LoanReserved
    | LoanUnitsChanged
    | LoanPickedUp
    | LoanReturned
    | LoanCancelled
    | LoanNoShow
    | LoanOverdue
    | LoanAnonymised
    | RequisitionApplied
    | RequisitionReleased,
    Field(discriminator="type"),
]

contract = TopicContract(
    TOPIC,
    [
        OrganisationRegistered,
        OrganisationUpdated,
        MembershipChanged,
        InvitationCreated,
        ProfileChanged,
        PersonErased,
        BookingRequested,
        BookingConfirmed,
        BookingRejected,
        BookingCancelled,
        BookingAnonymised,
        SeriesCreated,
        SeriesAnonymised,
        SeriesHandedToTeam,
        ActivityPublished,
        ActivityWithdrawn,
        RoundChanged,
        ApplicationAnswered,
        WaitingOfferMade,
        LoanReserved,
        LoanUnitsChanged,
        LoanPickedUp,
        LoanReturned,
        LoanCancelled,
        LoanNoShow,
        LoanOverdue,
        LoanAnonymised,
        RequisitionApplied,
        RequisitionReleased,
    ],
    union=BookingEvent,
    state_topic=STATE_TOPIC,
)
