"""What erasure and retention do to a person's data in booking, as pure rules.

A resident's own booking, series or loan keeps the facts usage needs (space, times, price,
audience, item types, status) and loses everything that names the person: the contact, the
free-text activity and damage notes, and the person's id, which becomes a marker (a keyed hash,
`samspill.privacy.erased_marker`) so rows that belonged together still do. An organisation's
booking stays the organisation's: only the id of the member who booked it becomes the marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from booking.domain.errors import LastAdministrator, StillAdministrator
from booking.domain.memberships import MemberRole, check_membership_change

# What a resident's own booking or series says it was for once its activity is erased: the
# public feeds show such bookings as private already.
PRIVATE_ACTIVITY = "privat"
# A team's contact person who was erased: the team keeps a contact the club can replace.
CLEARED_TEAM_CONTACT: dict[str, Any] = {
    "name": "Kontaktperson slettet / contact erased",
    "email": None,
    "phone": None,
}


@dataclass(frozen=True)
class PersonDetails:
    """What identifies the person in free-standing copies (a team's contact person)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


def _same(first: object, second: str | None) -> bool:
    return (
        isinstance(first, str)
        and second is not None
        and first.strip().casefold() == second.strip().casefold()
        and bool(second.strip())
    )


def names_the_person(contact: Mapping[str, Any], person: PersonDetails) -> bool:
    """Whether a contact is the person's: its email, phone or name is theirs."""
    return (
        _same(contact.get("email"), person.email)
        or _same(contact.get("phone"), person.phone)
        or _same(contact.get("name"), person.name)
    )


def check_erasable(
    organisations: Iterable[tuple[str, Mapping[str, MemberRole]]], person_id: str
) -> None:
    """Refuse (409) when the person is the last administrator of any organisation, naming
    them all, so they can hand each over before anything is erased.

    `organisations`: each organisation's name and its members' roles (read under its lock).
    """
    blocked: list[str] = []
    for name, roles in organisations:
        try:
            check_membership_change(roles, person_id, None)
        except LastAdministrator:
            blocked.append(name)
    if blocked:
        raise StillAdministrator(sorted(blocked))


def is_administrator(roles: Mapping[str, MemberRole], person_id: str) -> bool:
    return roles.get(person_id) is MemberRole.ADMINISTRATOR
