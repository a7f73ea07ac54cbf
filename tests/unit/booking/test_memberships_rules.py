"""The membership rules: an organisation that has an administrator always keeps one, and an
invitation is accepted once, in time, by the person it was addressed to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain import (
    InvitationForSomeoneElse,
    InvitationGone,
    InvitationUsed,
    InvitationView,
    LastAdministrator,
    MemberRole,
    ProfileNeeded,
    check_acceptance,
    check_membership_change,
    invitation_code_hash,
    new_invitation_code,
)
from booking.domain.memberships import administrators, apply_change

PEOPLE = [f"person-{n}" for n in range(5)]
people = st.sampled_from(PEOPLE)
roles = st.sampled_from(list(MemberRole))
members = st.dictionaries(people, roles, max_size=len(PEOPLE))
changes = st.lists(st.tuples(people, st.none() | roles), max_size=30)


@given(members, changes)
def test_an_organisation_with_an_administrator_never_loses_the_last_one(start, steps):
    current = dict(start)
    had_administrator = bool(administrators(current))
    for person, role in steps:
        try:
            check_membership_change(current, person, role)
        except LastAdministrator:
            after = apply_change(current, person, role)
            assert administrators(current) == {person}, "only the last one is protected"
            assert not administrators(after)
            continue
        current = apply_change(current, person, role)
        if had_administrator:
            assert administrators(current), (start, steps)


@given(members, people, st.none() | roles)
def test_a_change_is_refused_exactly_when_it_would_leave_no_administrator(start, person, role):
    would_leave_none = bool(administrators(start)) and not administrators(
        apply_change(start, person, role)
    )
    if would_leave_none:
        with pytest.raises(LastAdministrator):
            check_membership_change(start, person, role)
    else:
        check_membership_change(start, person, role)


def test_the_last_administrator_can_neither_leave_nor_step_down_but_a_second_one_can():
    alone = {"kari": MemberRole.ADMINISTRATOR, "ola": MemberRole.BOOKER}
    for role in (None, MemberRole.BOOKER, MemberRole.VIEWER):
        with pytest.raises(LastAdministrator) as refused:
            check_membership_change(alone, "kari", role)
        assert refused.value.status == 409
        assert refused.value.detail_nb
    two = {**alone, "ola": MemberRole.ADMINISTRATOR}
    check_membership_change(two, "kari", None)
    check_membership_change(alone, "ola", None)  # a booker leaves freely


def test_an_organisation_without_administrators_may_change_until_it_has_one():
    registered_by_an_integration: dict[str, MemberRole] = {}
    check_membership_change(registered_by_an_integration, "kari", MemberRole.VIEWER)
    check_membership_change({"kari": MemberRole.VIEWER}, "kari", None)


NOW = datetime(2030, 5, 6, 12, 0, tzinfo=UTC)
PENDING = InvitationView(email="Kari.Nordmann@Example.org", expires_at=NOW + timedelta(days=7))


def test_an_invitation_is_accepted_by_its_address_in_any_letter_case():
    check_acceptance(PENDING, NOW, "kari.nordmann@example.ORG")


@pytest.mark.parametrize(
    ("invitation", "at", "email", "refusal", "status"),
    [
        (PENDING, NOW, None, ProfileNeeded, 403),
        (PENDING, NOW, "ola@example.org", InvitationForSomeoneElse, 403),
        (PENDING, PENDING.expires_at, "kari.nordmann@example.org", InvitationGone, 410),
        (
            InvitationView(PENDING.email, PENDING.expires_at, withdrawn_at=NOW),
            NOW,
            PENDING.email,
            InvitationGone,
            410,
        ),
        (
            InvitationView(PENDING.email, PENDING.expires_at, accepted_at=NOW),
            NOW,
            PENDING.email,
            InvitationUsed,
            409,
        ),
    ],
)
def test_an_invitation_is_refused_when_used_gone_or_for_someone_else(
    invitation, at, email, refusal, status
):
    with pytest.raises(refusal) as refused:
        check_acceptance(invitation, at, email)
    assert refused.value.status == status
    assert refused.value.detail
    assert refused.value.detail_nb


def test_a_used_invitation_says_so_even_after_it_expired():
    used = InvitationView(PENDING.email, NOW, accepted_at=NOW - timedelta(hours=1))
    with pytest.raises(InvitationUsed):
        check_acceptance(used, NOW + timedelta(days=30), PENDING.email)


def test_codes_are_random_and_only_their_hash_is_kept():
    codes = {new_invitation_code() for _ in range(100)}
    assert len(codes) == 100
    assert all(len(code) >= 43 for code in codes)
    code = codes.pop()
    assert invitation_code_hash(code) == invitation_code_hash(code)
    assert code not in invitation_code_hash(code)
    assert len(invitation_code_hash(code)) == 64
