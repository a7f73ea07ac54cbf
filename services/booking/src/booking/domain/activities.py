"""Rules of a public activity: what a series published to the activity guide may say.

The guide is public, so it carries organisation-level facts only: the way to join is a web
address or the club's own email or phone, never a member's personal email, and no text names
a member.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from samspill.errors import RuleViolation

# ISO 639-1: two lowercase letters.
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_EMAIL = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+\.[a-z]{2,}", re.IGNORECASE)
# A member's name is looked for only when it is at least this long: shorter names ("Ali",
# "Bo") are also ordinary words and would refuse innocent texts.
MIN_NAME_LENGTH = 5


def normalise_languages(languages: Iterable[str]) -> list[str]:
    """The languages as lowercase ISO 639-1 codes, without repeats, in the order given."""
    codes: list[str] = []
    for language in languages:
        code = language.strip().lower()
        if not _LANGUAGE.match(code):
            raise RuleViolation(
                f"{language!r} is not a two-letter ISO 639-1 language code (such as nb or en).",
                f"«{language}» er ikke en språkkode på to bokstaver (ISO 639-1, for eksempel "
                "nb eller en).",
                field="languages",
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise RuleViolation(
            "Name at least one language the activity is held in.",
            "Oppgi minst ett språk aktiviteten foregår på.",
            field="languages",
        )
    return codes


def emails_in(text: str) -> set[str]:
    return {match.casefold().rstrip(".") for match in _EMAIL.findall(text)}


def check_organisation_level(
    how_to_join: str,
    description: str,
    member_emails: Iterable[str],
    member_names: Iterable[str],
) -> None:
    """Refuse a text that reaches or names a member personally: an email address that is a
    member's own, or a member's name (of `MIN_NAME_LENGTH` characters or more)."""
    personal = {email.casefold() for email in member_emails if email}
    if emails_in(how_to_join) & personal or emails_in(description) & personal:
        raise RuleViolation(
            "How to join must be the club's own address (a web page or the club's email or "
            "phone), not a member's personal email.",
            "Hvordan bli med må være lagets egen adresse (en nettside eller lagets e-post eller "
            "telefon), ikke et medlems personlige e-post.",
            field="how_to_join",
        )
    for name in member_names:
        needle = " ".join(name.split()).casefold()
        if len(needle) < MIN_NAME_LENGTH:
            continue
        for field, text in (("how_to_join", how_to_join), ("description", description)):
            if needle in " ".join(text.split()).casefold():
                raise RuleViolation(
                    "The public guide shows the club, never a person: remove the member's name.",
                    "Den offentlige oversikten viser laget, aldri en person: fjern medlemmets "
                    "navn.",
                    field=field,
                )


def check_still_running(last_date: date, today: date) -> None:
    """Only a series with dates left can be published."""
    if last_date < today:
        raise RuleViolation(
            "The series has ended; only a running series can be a public activity.",
            "Serien er over; bare en serie som pågår kan vises som offentlig aktivitet.",
        )
