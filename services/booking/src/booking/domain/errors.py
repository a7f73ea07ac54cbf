"""The booking domain's own errors, members of the kernel's one family `samspill.errors`.

`samspill.problems` renders each as problem+json with its status, the English detail and the
bokmål `detail_nb`; a `Conflict` also names the interval it clashes with.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from samspill.errors import Conflict, Forbidden, NotFound, RuleViolation
from samspill.intervals import Interval


class TransitionNotAllowed(Conflict):
    """A status change the state machine does not allow (409)."""

    code = "transition-not-allowed"

    def __init__(self, current: Enum, target: Enum) -> None:
        super().__init__(
            f"Cannot change status from {current.value} to {target.value}.",
            f"Kan ikke endre status fra {current.value} til {target.value}.",
        )
        self.current = current
        self.target = target


class LimitExceeded(Conflict):
    """A quota over what the requester already holds would be exceeded (409)."""

    code = "limit-exceeded"

    def __init__(self, detail: str, detail_nb: str) -> None:
        super().__init__(detail, detail_nb)


class SpaceBooked(Conflict):
    """The space, or one that cannot be used at the same time (a whole hall, a part of it), is
    booked (409). It names the space that is booked, which need not be the one requested."""

    def __init__(
        self, space_id: str, space_name: str, when_en: str, when_nb: str, conflicting: Interval
    ) -> None:
        super().__init__(
            f"{space_name} is already booked {when_en}.",
            f"{space_name} er allerede booket {when_nb}.",
            conflicting,
            conflicting_space={"space_id": space_id, "name": space_name},
        )
        self.space_id = space_id
        self.space_name = space_name


class InsufficientStock(Conflict):
    """Fewer free units of an item type than requested (409), named as the resident chose it."""

    code = "insufficient-stock"

    def __init__(
        self, item_type_id: object, requested: int, available: int, name: str = ""
    ) -> None:
        super().__init__(
            f"Only {available} of {requested} requested units of {name or 'this item type'} "
            "are free for this period.",
            f"Bare {available} av {requested} ønskede enheter av {name or 'denne utstyrstypen'} "
            "er ledige i perioden.",
            item_type_id=str(item_type_id),
        )
        self.item_type_id = item_type_id
        self.name = name
        self.requested = requested
        self.available = available


class LastAdministrator(Conflict):
    """The change would leave an organisation without an administrator (409)."""

    code = "last-administrator"

    def __init__(self) -> None:
        super().__init__(
            "An organisation must keep at least one administrator: make another member "
            "administrator first.",
            "En organisasjon må ha minst én administrator: gjør et annet medlem til "
            "administrator først.",
        )


class InvitationUsed(Conflict):
    """The invitation has been accepted already; its link works once (409)."""

    code = "invitation-used"

    def __init__(self) -> None:
        super().__init__(
            "This invitation has already been used; ask the organisation for a new one.",
            "Denne invitasjonen er allerede brukt; be organisasjonen om en ny.",
        )


class InvitationGone(NotFound):
    """The invitation expired or was withdrawn (410 Gone): it existed, and never works again."""

    status = 410
    code = "invitation-gone"

    def __init__(self, reason: str) -> None:
        if reason == "expired":
            detail = "This invitation has expired; ask the organisation for a new one."
            detail_nb = "Denne invitasjonen er utløpt; be organisasjonen om en ny."
        else:
            detail = "This invitation has been withdrawn."
            detail_nb = "Denne invitasjonen er trukket tilbake."
        super().__init__(detail, detail_nb, reason=reason)
        self.reason = reason


class InvitationForSomeoneElse(Forbidden):
    """The invitation is addressed to another email address than the caller's profile (403)."""

    code = "invitation-for-someone-else"

    def __init__(self) -> None:
        super().__init__(
            "This invitation was sent to another email address than the one in your profile.",
            "Denne invitasjonen ble sendt til en annen e-postadresse enn den i profilen din.",
        )


class ProfileNeeded(Forbidden):
    """Accepting an invitation needs the caller's profile with an email address (403)."""

    code = "profile-needed"

    def __init__(self) -> None:
        super().__init__(
            "Enter your profile with your email address first: an invitation is accepted by "
            "the person it was sent to.",
            "Fyll først ut profilen din med e-postadressen din: en invitasjon godtas av den "
            "den ble sendt til.",
        )


class ContactNeeded(RuleViolation):
    """A resident's own booking or loan with no contact given and no profile to take it from."""

    code = "contact-needed"

    def __init__(self) -> None:
        super().__init__(
            "A resident's own booking or loan needs a contact (an email address or a phone "
            "number): give one, or enter your profile first.",
            "En innbyggers egen booking eller utlån trenger en kontakt (e-postadresse eller "
            "telefonnummer): oppgi en, eller fyll ut profilen din først.",
        )


class RoundReserved(Conflict):
    """The time asked for lies in an application round's season evenings on one of its spaces
    (or a space that cannot be used at the same time): the round hands it out (409)."""

    code = "round-reserved"

    def __init__(
        self,
        round_id: str,
        name: str,
        evening: str,
        first: date,
        last: date,
        conflicting: Interval | None = None,
    ) -> None:
        super().__init__(
            f"This time is handed out by the application round {name!r} (evenings {evening}, "
            f"{first} to {last}) and cannot be booked directly; apply in the round instead.",
            f"Denne tiden fordeles i søknadsrunden «{name}» (kveldene {evening}, {first} til "
            f"{last}) og kan ikke bookes direkte; søk i runden i stedet.",
            conflicting,
            round={"round_id": round_id, "name": name},
        )
        self.round_id = round_id
        self.round_name = name


class StillAdministrator(Conflict):
    """Erasing a person who is the last administrator of an organisation would leave it
    without one (409): they hand it over first. Nothing is erased."""

    code = "erasure-last-administrator"

    def __init__(self, organisation_names: list[str]) -> None:
        names = ", ".join(organisation_names)
        super().__init__(
            f"You are the last administrator of {names}. Hand the organisation over first: make "
            "another member administrator (or remove the organisation's other members and ask "
            "the municipality), then ask for erasure again. Nothing was erased.",
            f"Du er den siste administratoren i {names}. Overlat organisasjonen først: gjør et "
            "annet medlem til administrator (eller ta kontakt med kommunen), og be om sletting "
            "igjen. Ingenting ble slettet.",
            organisations=organisation_names,
        )
