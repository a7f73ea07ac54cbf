"""Organisations that book: the Norwegian organisation number and the category."""

from __future__ import annotations

from samspill.booking_rules import OrganisationCategory
from samspill.errors import RuleViolation

__all__ = ["OrganisationCategory", "org_number_check_digit", "validate_org_number"]

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number_check_digit(first_eight: str) -> int | None:
    """The mod-11 check digit for eight digits, or None when no valid number has them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_eight, _WEIGHTS, strict=True))
    remainder = total % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def validate_org_number(raw: str) -> str:
    """The normalised organisasjonsnummer (nine digits, spaces removed), or RuleViolation."""
    number = "".join(raw.split())
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        raise _invalid(raw, "must be nine digits", "må ha ni sifre")
    if number[0] not in "89":
        raise _invalid(raw, "must start with 8 or 9", "må begynne med 8 eller 9")
    if org_number_check_digit(number[:8]) != int(number[8]):
        raise _invalid(raw, "has a wrong check digit", "har feil kontrollsiffer")
    return number


def _invalid(raw: str, reason_en: str, reason_nb: str) -> RuleViolation:
    return RuleViolation(
        f"Organisation number {raw!r} {reason_en}.",
        f"Organisasjonsnummeret {raw!r} {reason_nb}.",
    )
