"""A small municipality for booking tests: two schools, a divisible hall, organisations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
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
    founders: dict[uuid.UUID, str] = field(default_factory=dict)
    staff_grants: dict[str, tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]] = field(
        default_factory=dict
    )

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

    async def register(self, name: str, seed: int, *, by: str | None = None) -> uuid.UUID:
        """Register an organisation as the person `by` (default `member-<seed>`), who becomes
        its administrator: `member(organisation)` is their token."""
        founder = by or f"member-{seed}"
        response = await self.service.client.post(
            "/organisations",
            json={
                "org_number": org_number(10_000 + seed * 37),
                "name": name,
                "category": "sports",
                "district": "Lillestrøm sentrum",
                "contact": {"name": "Kari Nordmann", "email": "kari@example.org"},
            },
            headers=self.service.token(founder),
        )
        assert response.status_code == 201, response.text
        organisation = uuid.UUID(response.json()["id"])
        self.founders[organisation] = founder
        return organisation

    def admin(self) -> dict[str, str]:
        """A municipal admin (the admin group in the token)."""
        return self.service.token("admin-1", admin=True)

    def member(self, organisation: uuid.UUID) -> dict[str, str]:
        """The organisation's founder: its administrator."""
        return self.service.token(self.founders[organisation])

    def person(self, sub: str) -> dict[str, str]:
        """Any signed-in person: a resident, with whatever grants are stored for them."""
        return self.service.token(sub)

    def resident(self, sub: str = "resident-1") -> dict[str, str]:
        return self.person(sub)

    async def manager(self, site_id: uuid.UUID, sub: str | None = None) -> dict[str, str]:
        """A facility manager of the site: facilities' grant, fed through the broker."""
        who = sub or f"manager-{site_id}"
        await self.grant(who, sites={site_id})
        return self.person(who)

    async def staff(self, centre_id: uuid.UUID, sub: str | None = None) -> dict[str, str]:
        """Staff of the equipment centre: facilities' grant, fed through the broker."""
        who = sub or f"staff-{centre_id}"
        await self.grant(who, centres={centre_id})
        return self.person(who)

    async def grant(
        self, sub: str, *, sites: Iterable[uuid.UUID] = (), centres: Iterable[uuid.UUID] = ()
    ) -> None:
        """Add to the person's staff grants and publish their full state, as facilities does;
        returns once booking has applied it."""
        held_sites, held_centres = self.staff_grants.get(sub, (frozenset(), frozenset()))
        await self.set_staff_grants(sub, held_sites | set(sites), held_centres | set(centres))

    async def set_staff_grants(
        self, sub: str, sites: Iterable[uuid.UUID], centres: Iterable[uuid.UUID]
    ) -> None:
        """Publish the person's whole staff grants (empty: none any more) and wait until
        booking has applied them."""
        held = (frozenset(sites), frozenset(centres))
        self.staff_grants[sub] = held
        state = fe.StaffGrantsState(
            person_id=self.service.person_id(sub),
            site_ids=sorted(held[0], key=str),
            centre_ids=sorted(held[1], key=str),
        )
        await feed(self.kafka, self.db, [fe.StaffGrantsChanged(grants=state)])

    async def closures(self, *closures: fe.ClosureState) -> None:
        await feed(
            self.kafka,
            self.db,
            [fe.ClosureScheduled(closure=c) for c in closures],
        )


__all__ = ["World", "closure"]
