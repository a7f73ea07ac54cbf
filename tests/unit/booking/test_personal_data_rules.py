"""The pure rules of erasure: a last administrator blocks it, a team contact is the person's
when its email, phone or name is theirs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain.errors import StillAdministrator
from booking.domain.memberships import MemberRole
from booking.domain.personal_data import PersonDetails, check_erasable, names_the_person

A, B = MemberRole.ADMINISTRATOR, MemberRole.BOOKER


def test_a_last_administrator_is_named_and_refused() -> None:
    with pytest.raises(StillAdministrator) as refused:
        check_erasable(
            [("Zeta IL", {"p": A}), ("Alfa IL", {"p": A, "q": B}), ("Beta", {"p": B})], "p"
        )
    assert refused.value.extra["organisations"] == ["Alfa IL", "Zeta IL"]


def test_another_administrator_or_none_at_all_lets_it_through() -> None:
    check_erasable([("Alfa IL", {"p": A, "q": A}), ("Beta", {"p": B, "q": A}), ("Gamma", {})], "p")


@given(st.dictionaries(st.sampled_from("pqrs"), st.sampled_from(list(MemberRole)), max_size=4))
def test_refused_exactly_when_the_person_is_the_only_administrator(
    roles: dict[str, MemberRole],
) -> None:
    only = [person for person, role in roles.items() if role is A] == ["p"]
    if only:
        with pytest.raises(StillAdministrator):
            check_erasable([("Klubb", roles)], "p")
    else:
        check_erasable([("Klubb", roles)], "p")


def test_a_contact_is_the_persons_by_email_phone_or_name_ignoring_case() -> None:
    person = PersonDetails(name="Kari Holm", email="Kari@Example.no", phone="+4791234567")
    assert names_the_person({"name": "Trener", "email": "kari@example.no "}, person)
    assert names_the_person({"name": "Trener", "phone": "+4791234567"}, person)
    assert names_the_person({"name": " kari holm"}, person)
    assert not names_the_person({"name": "Ola", "email": "ola@example.no"}, person)
    assert not names_the_person({"name": ""}, PersonDetails(name=""))
