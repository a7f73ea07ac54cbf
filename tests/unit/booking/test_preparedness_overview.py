"""The preparedness overview's pure rules: volunteers summed by skill (case and spaces aside),
sites' facts read tolerantly from their state, grouping by district."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from booking.domain.preparedness import (
    OrganisationResources,
    SiteFacts,
    normalised_volunteers,
    overview,
    site_facts,
    summed_volunteers,
)


def org(name: str, district: str | None, volunteers: dict[str, int]) -> OrganisationResources:
    return OrganisationResources(
        organisation_id=uuid.uuid4(),
        name=name,
        district=district,
        volunteers=volunteers,
        equipment=["Telt"],
        vehicles=["Minibuss"],
        agreements=[],
        contact_24_7=None,
    )


def test_skills_count_together_whatever_their_case_and_spaces():
    assert summed_volunteers([{"First  aid": 2}, {"first aid": 3, "Cooking": 5}]) == {
        "Cooking": 5,
        "First aid": 5,
    }
    assert normalised_volunteers({" Drivers ": 2, "none": 0}) == {"Drivers": 2}


@given(
    st.lists(
        st.dictionaries(st.sampled_from(["a", "A", "b", " b"]), st.integers(0, 50), max_size=4),
        max_size=6,
    )
)
def test_summing_keeps_every_volunteer(registrations: list[dict[str, int]]):
    assert sum(summed_volunteers(registrations).values()) == sum(
        sum(r.values()) for r in registrations
    )


def test_site_facts_are_read_tolerantly():
    site_id = uuid.uuid4()
    facts = site_facts(
        {
            "site_id": str(site_id),
            "name": "Volla skole",
            "district": "lillestrom",
            "preparedness": {"evacuation_capacity": 300, "beds": "many", "kitchen": True},
        }
    )
    assert facts.evacuation_capacity == 300
    assert facts.beds is None
    assert facts.kitchen is True
    assert facts.registered
    assert not site_facts({"site_id": str(site_id), "name": "X", "district": "x"}).registered


def test_overview_groups_by_district_with_the_districtless_last():
    sites = [
        SiteFacts(uuid.uuid4(), "Volla skole", "Kjeller", evacuation_capacity=200, beds=40),
        SiteFacts(uuid.uuid4(), "Hallen", "Kjeller", evacuation_capacity=100),
    ]
    orgs = [
        org("Turlaget", None, {"Guide": 3}),
        org("Røde Kors", "Kjeller", {"First aid": 10}),
        org("Ballklubben", "Kjeller", {"first aid": 2}),
    ]
    groups = overview(orgs, sites)
    assert [g.district for g in groups] == ["Kjeller", None]
    kjeller = groups[0]
    assert [o.name for o in kjeller.organisations] == ["Ballklubben", "Røde Kors"]
    assert kjeller.volunteers_by_skill == {"first aid": 12}
    assert kjeller.evacuation_capacity == 300
    assert kjeller.beds == 40
    assert kjeller.vehicle_count == 2
    assert [g.district for g in overview(orgs, sites, "Blaker")] == ["Blaker"]
