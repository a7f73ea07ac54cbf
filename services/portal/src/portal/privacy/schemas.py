"""The privacy forms' messages (the rules are in `portal.domain.privacy`) and the names of
the services and sections the pages show."""

from __future__ import annotations

from portal.pages import N_

MESSAGES = (
    N_("Enter the person's id as My page shows it (36 characters with dashes)."),
    N_("Write why: the written request this answers (its date and reference)."),
    N_("The reason can be at most 500 characters long."),
    N_("Tick the box to confirm."),
    N_("Enter a date as dd.mm.yyyy."),
    N_("The last day must be on or after the first day."),
    N_("Choose a period of at most two years."),
)

SERVICE_NAMES = {
    "booking": N_("Booking, clubs and loans"),
    "facilities": N_("Sites, halls and equipment"),
    "notifications": N_("Messages and calendars"),
}
