"""A small municipality for booking tests: two schools, a divisible hall, organisations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from samspill.events import facilities as fe
from samspill.events.base import EventData
from samspill.kafka import KafkaConfig
from tests.dates import today
from tests.integration.booking.booking_support import (
    Database,
    closure,
    evening_window,
    feed,
    org_number,
    site,
    space,
)
from tests.support import RunningService


@dataclass
class World:
    service: RunningService
    db: Database
    kafka: KafkaConfig
    school: uuid.UUID = field(default_factory=uuid.uuid4)
    other_school: uuid.UUID = field(default_factory=uuid.uuid4)
    hall: uuid.UUID = field(default_factory=uuid.uuid4)
    part_a: uuid.UUID = field(default_factory=uuid.uuid4)
    part_b: uuid.UUID = field(default_factory=uuid.uuid4)
    classroom: uuid.UUID = field(default_factory=uuid.uuid4)
    other_gym: uuid.UUID = field(default_factory=uuid.uuid4)
    organisations: list[uuid.UUID] = field(default_factory=list)

    def facilities_events(self) -> list[EventData]:
        first = today()
        until = first + timedelta(days=800)
        spaces = [
            space(self.hall, self.school, "Storhallen", conflicts_with=[self.part_a, self.part_b]),
            space(
                self.part_a,
                self.school,
                "Storhallen A",
                kind="hall_part",
                capacity=30,
                conflicts_with=[self.hall],
                parent_id=self.hall,
            ),
            space(
                self.part_b,
                self.school,
                "Storhallen B",
                kind="hall_part",
                capacity=30,
                conflicts_with=[self.hall],
                parent_id=self.hall,
            ),
            space(
                self.classroom,
                self.school,
                "Klasserom 1",
                kind="classroom",
                capacity=25,
                approval_required=True,
                who_may_book="everyone",
            ),
            space(self.other_gym, self.other_school, "Gymsalen", capacity=40),
        ]
        return [
            fe.SiteRegistered(site=site(self.school, "Volla skole")),
            fe.SiteRegistered(site=site(self.other_school, "Kjeller skole", district="Kjeller")),
            *(fe.SpaceRegistered(space=s) for s in spaces),
            *(
                fe.WindowReleased(window=evening_window(s.space_id, s.site_id, first, until))
                for s in spaces
            ),
            fe.PriceRuleSet(
                rule=fe.PriceRuleState(
                    rule_id=uuid.uuid4(),
                    space_kind="gym",
                    category="non_profit",
                    hourly_rate_ore=20_000,
                )
            ),
        ]

    async def build(self, organisations: int = 2) -> None:
        await feed(self.kafka, self.db, self.facilities_events())
        for number in range(organisations):
            self.organisations.append(await self.register(f"Idrettslag {number}", number))

    async def register(self, name: str, seed: int) -> uuid.UUID:
        response = await self.service.client.post(
            "/organisations",
            json={
                "org_number": org_number(10_000 + seed * 37),
                "name": name,
                "category": "sports",
                "district": "Lillestrøm sentrum",
                "contact": {"name": "Kari Nordmann", "email": "kari@example.org"},
            },
            headers=self.admin(),
        )
        assert response.status_code == 201, response.text
        return uuid.UUID(response.json()["id"])

    def admin(self) -> dict[str, str]:
        return self.service.token("admin-1", ["admin"])

    def member(self, organisation: uuid.UUID, sub: str | None = None) -> dict[str, str]:
        return self.service.token(
            sub or f"member-{organisation}", ["org_member"], org_ids=[str(organisation)]
        )

    def manager(self, site_id: uuid.UUID) -> dict[str, str]:
        return self.service.token(
            f"manager-{site_id}", ["facility_manager"], site_ids=[str(site_id)]
        )

    def resident(self, sub: str = "resident-1") -> dict[str, str]:
        return self.service.token(sub, ["resident"])

    async def closures(self, *closures: fe.ClosureState) -> None:
        await feed(
            self.kafka,
            self.db,
            [fe.ClosureScheduled(closure=c) for c in closures],
        )


__all__ = ["World", "closure"]
