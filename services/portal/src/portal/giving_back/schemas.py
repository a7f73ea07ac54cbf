"""The waiting-list form's messages: one per problem `domain.giving_back.WaitingForm` finds."""

from __future__ import annotations

from portal.pages import N_

PROBLEMS: dict[str, str] = {
    "hall": N_("Choose a hall."),
    "weekday": N_("Choose a weekday."),
    "start": N_("Write the time from as HH:MM."),
    "end": N_("Write the time to as HH:MM."),
    "order": N_("The time to must be after the time from."),
    "activity": N_("Write the activity (at most 100 characters)."),
    "age_group": N_("Choose an age group."),
    "group_size": N_("Write the group size as a whole number."),
}
ENTRY_STATUSES: dict[str, str] = {
    "waiting": N_("Waiting"),
    "placed": N_("Offered a time"),
    "removed": N_("Left the list"),
}
