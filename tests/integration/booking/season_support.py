"""A seasonal round stored straight into booking's tables, for the allocation and waiting-list
tests: a round in allocation over the world's halls, applications and their sections.

The season is chosen by rule around the next weekday public holiday at least three weeks away,
so publishing meets a holiday on the round's evening whatever today is."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from samspill.recurrence import norwegian_public_holidays
from tests.dates import today
from tests.integration.booking.world import World


def next_weekday_holiday(after_days: int = 21) -> date:
    first = today() + timedelta(days=after_days)
    holidays = norwegian_public_holidays([first.year, first.year + 1])
    return min(day for day in holidays if day >= first and day.weekday() < 5)


@dataclass
class Round:
    id: uuid.UUID
    weekday: int  # the evening the tests use
    holiday: date
    first: date
    last: date
    sections: dict[str, uuid.UUID] = field(default_factory=dict)  # by name
    applications: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # org → application

    def season_dates(self) -> list[date]:
        return [
            self.first + timedelta(weeks=n) for n in range((self.last - self.first).days // 7 + 1)
        ]


async def create_round(world: World, *, state: str = "in_allocation") -> Round:
    holiday = next_weekday_holiday()
    first, last = holiday - timedelta(weeks=2), holiday + timedelta(weeks=3)
    now = today()
    rnd = Round(uuid.uuid4(), holiday.weekday(), holiday, first, last)
    await world.db.execute(
        """INSERT INTO application_round (id, name, applications_open, applications_close,
        allocation_until, results_date, season_first_date, season_last_date, weekdays,
        evening_start, evening_end, state, priorities, created_by, version, created_at,
        updated_at) VALUES (:id, 'Sesong', :open, :close, :until, :results, :first, :last,
        '[0,1,2,3,4]', '17:00', '22:00', :state, '{}', 'admin-1', 1, now(), now())""",
        id=rnd.id,
        open=now - timedelta(days=20),
        close=now - timedelta(days=10),
        until=now + timedelta(days=1),
        results=now + timedelta(days=2),
        first=first,
        last=last,
        state=state,
    )
    for space_id in (world.hall, world.part_a, world.part_b, world.other_gym):
        await world.db.execute(
            "INSERT INTO application_round_space (round_id, space_id) VALUES (:r, :s)",
            r=rnd.id,
            s=space_id,
        )
    return rnd


def evening(weekday: int, start: str, end: str) -> dict[str, Any]:
    return {"weekday": weekday, "start": start, "end": end}


async def apply(
    world: World,
    rnd: Round,
    organisation: uuid.UUID,
    name: str,
    *,
    age_group: str,
    group_size: int,
    halls: list[uuid.UUID],
    preferred: list[dict[str, Any]],
    acceptable: list[dict[str, Any]] | None = None,
    min_minutes: int = 90,
    max_minutes: int = 120,
    times_per_week: int = 1,
) -> uuid.UUID:
    """Add a section to the club's submitted application (made on the first call)."""
    application = rnd.applications.get(organisation)
    if application is None:
        application = uuid.uuid4()
        rnd.applications[organisation] = application
        await world.db.execute(
            """INSERT INTO season_application (id, round_id, organisation_id, submitted_by,
            status, version, created_at, updated_at) VALUES (:id, :r, :o, :by, 'submitted', 1,
            now(), now())""",
            id=application,
            r=rnd.id,
            o=organisation,
            by=world.service.person_id(world.founders[organisation]),
        )
    position = 1 + int(
        await world.db.scalar(
            "SELECT count(*) FROM application_section WHERE application_id = :a", a=application
        )
    )
    section = uuid.uuid4()
    await world.db.execute(
        """INSERT INTO application_section (id, application_id, position, name, activity,
        age_group, group_size, times_per_week, min_minutes, max_minutes, halls, preferred,
        acceptable) VALUES (:id, :a, :p, :name, 'Håndball', :age, :size, :times, :min, :max,
        CAST(:halls AS jsonb), CAST(:preferred AS jsonb), CAST(:acceptable AS jsonb))""",
        id=section,
        a=application,
        p=position,
        name=name,
        age=age_group,
        size=group_size,
        times=times_per_week,
        min=min_minutes,
        max=max_minutes,
        halls=json.dumps([str(h) for h in halls]),
        preferred=json.dumps(preferred),
        acceptable=json.dumps(acceptable or []),
    )
    rnd.sections[name] = section
    return section


async def contested_round(world: World) -> Round:
    """Three clubs and five sections over the four halls on one evening: a youth and an adult
    section want the same two hours in Gymsalen (the youth one has priority), a children's
    group wants the whole Storhallen while an adult one wants its part A at the same time."""
    if len(world.organisations) < 3:
        world.organisations.append(await world.register("Idrettslag 2", 2))
    club_a, club_b, club_c = world.organisations[:3]
    rnd = await create_round(world)
    day = rnd.weekday
    await apply(
        world, rnd, club_b, "B voksne", age_group="adults", group_size=20,
        halls=[world.other_gym], preferred=[evening(day, "18:00", "20:00")],
    )  # fmt: skip
    await apply(
        world, rnd, club_a, "A junior", age_group="youth", group_size=20,
        halls=[world.other_gym], preferred=[evening(day, "18:00", "20:00")],
    )  # fmt: skip
    await apply(
        world, rnd, club_a, "A barn", age_group="children", group_size=40,
        halls=[world.hall], preferred=[evening(day, "17:00", "19:00")], min_minutes=60,
    )  # fmt: skip
    await apply(
        world, rnd, club_c, "C del", age_group="adults", group_size=15,
        halls=[world.part_a], preferred=[evening(day, "17:00", "19:00")],
    )  # fmt: skip
    await apply(
        world, rnd, club_c, "C trim", age_group="adults", group_size=15,
        halls=[world.other_gym], preferred=[evening(day, "18:00", "20:00")],
        min_minutes=60, max_minutes=90,
    )  # fmt: skip
    return rnd
