"""Request and response bodies of a round's allocation and its publishing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from booking.allocation.tables import AllocatedTime, AllocationRun
from booking.allocation.tables import SectionOutcome as OutcomeRow
from booking.applications.tables import ApplicationSection
from booking.bookings.schemas import Body
from booking.domain.weekly_time import clock
from booking.organisations.tables import Organisation
from booking.rounds.tables import ApplicationRound

RoundStateName = Literal["upcoming", "open", "in_allocation", "handled", "results_sent"]


class AllocationRunRequest(Body):
    method: Literal["cp_sat", "greedy"] = "cp_sat"
    time_limit_s: float = Field(default=20.0, gt=0, le=60)


class ForcedTime(Body):
    """A weekly time staff place by hand: Oslo wall clock "HH:MM", 0 = Monday."""

    section_id: uuid.UUID
    space_id: uuid.UUID
    weekday: int = Field(ge=0, le=6)
    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")


class RunPublic(BaseModel):
    method: str
    seconds: float
    optimal: bool
    metrics: dict[str, Any]


class AllocatedTimePublic(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    section_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    age_group: str
    space_id: uuid.UUID
    space_name: str
    weekday: int
    start: str
    end: str
    pinned: Literal["locked", "forced"] | None
    hall_rank: int
    preferred: bool
    explanation: str
    explanation_nb: str
    series_id: uuid.UUID | None = None


class OutcomePublic(BaseModel):
    section_id: uuid.UUID
    section_name: str
    organisation_name: str
    age_group: str
    status: Literal["granted", "partly", "refused"]
    granted_times: int
    requested_times: int
    explanation: str
    explanation_nb: str


class AllocationPublic(BaseModel):
    round_id: uuid.UUID
    state: RoundStateName
    run: RunPublic | None
    times: list[AllocatedTimePublic]
    outcomes: list[OutcomePublic]
    waiting: list[uuid.UUID] = Field(description="Sections not fully granted, first in line first.")


class PublishedPublic(BaseModel):
    round_id: uuid.UUID
    state: RoundStateName
    series_ids: list[uuid.UUID]
    waiting: list[uuid.UUID] = Field(description="The waiting list's sections, in order.")
    answered: list[uuid.UUID] = Field(description="The applications told their result.")


def run_public(run: AllocationRun) -> RunPublic:
    figures = {k: v for k, v in run.metrics.items() if k != "waiting_order"}
    return RunPublic(method=run.method, seconds=run.seconds, optimal=run.optimal, metrics=figures)


def time_public(
    row: AllocatedTime,
    *,
    section_name: str,
    organisation_id: uuid.UUID,
    organisation_name: str,
    age_group: str,
    space_name: str,
) -> AllocatedTimePublic:
    pinned: Any = row.pinned
    return AllocatedTimePublic(
        id=row.id,
        section_id=row.section_id,
        section_name=section_name,
        organisation_id=organisation_id,
        organisation_name=organisation_name,
        age_group=age_group,
        space_id=row.space_id,
        space_name=space_name,
        weekday=row.weekday,
        start=clock(row.start_minute),
        end=clock(row.end_minute),
        pinned=pinned,
        hall_rank=row.hall_rank,
        preferred=row.preferred,
        explanation=row.explanation,
        explanation_nb=row.explanation_nb,
        series_id=row.series_id,
    )


def outcome_public(
    row: OutcomeRow, *, section_name: str, organisation_name: str, age_group: str
) -> OutcomePublic:
    status: Any = row.status
    return OutcomePublic(
        section_id=row.section_id,
        section_name=section_name,
        organisation_name=organisation_name,
        age_group=age_group,
        status=status,
        granted_times=row.granted_times,
        requested_times=row.requested_times,
        explanation=row.explanation,
        explanation_nb=row.explanation_nb,
    )


Sections = dict[uuid.UUID, tuple[ApplicationSection, Organisation]]


def allocation_public(
    rnd: ApplicationRound,
    run: AllocationRun | None,
    rows: Sequence[AllocatedTime],
    outcome_rows: dict[uuid.UUID, OutcomeRow],
    sections: Sections,
    hall_names: dict[uuid.UUID, str],
    waiting: list[uuid.UUID],
) -> AllocationPublic:
    times = []
    for row in rows:
        if row.section_id not in sections:  # the application was withdrawn after the run
            continue
        section, organisation = sections[row.section_id]
        times.append(
            time_public(
                row,
                section_name=section.name,
                organisation_id=organisation.id,
                organisation_name=organisation.name,
                age_group=section.age_group,
                space_name=hall_names.get(row.space_id, ""),
            )
        )
    outcomes = [
        outcome_public(
            outcome,
            section_name=section.name,
            organisation_name=organisation.name,
            age_group=section.age_group,
        )
        for section_id, (section, organisation) in sections.items()
        if (outcome := outcome_rows.get(section_id)) is not None
    ]
    state: Any = rnd.state
    return AllocationPublic(
        round_id=rnd.id,
        state=state,
        run=None if run is None else run_public(run),
        times=times,
        outcomes=outcomes,
        waiting=waiting,
    )
