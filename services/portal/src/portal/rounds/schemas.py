"""The names the round pages show for the API's values, and the form rules' messages (in
`portal.domain.rounds`) marked here so the catalogue carries them."""

from __future__ import annotations

from portal.applications.schemas import AGE_GROUPS as AGE_GROUPS
from portal.applications.schemas import RESULTS
from portal.pages import N_

# The clubs' words for age groups and results, on the staff pages too.
OUTCOMES = RESULTS

FORM_MESSAGES = (
    N_("Enter the round's name (at least two characters)."),
    N_("Enter the date as day.month.year, for example 9.3.2027."),
    N_("Choose at least one hall."),
    N_("Choose at least one weekday."),
    N_("Enter the time on the half hour, for example 17:00 or 17:30."),
    N_("The end time must be after the start time."),
    N_("Enter a whole number from 0 to 100000, or leave it empty for the default."),
    N_("Choose the section."),
    N_("Choose the hall."),
    N_("Choose the weekday."),
    N_("Choose how to allocate."),
    N_("Enter the time limit in whole seconds from 1 to 60."),
)

NEXT_STEPS = {
    "upcoming": N_(
        "The round opens for applications on its first application day. You can still change it."
    ),
    "open": N_(
        "Clubs are applying. Applications close after the last application day, or close them now."
    ),
    "in_allocation": N_(
        "Run the allocation, adjust it by locking, forcing or removing times, and mark it "
        "handled when it is right."
    ),
    "handled": N_("The allocation is handled. Publish the results, or reopen it to change it."),
    "results_sent": N_(
        "The results are sent and the times booked. Unmet sections wait for time that is "
        "given back."
    ),
}

STATES = {
    "upcoming": N_("Upcoming"),
    "open": N_("Open for applications"),
    "in_allocation": N_("In allocation"),
    "handled": N_("Handled"),
    "results_sent": N_("Results sent"),
}
STATE_COLOURS = {
    "upcoming": "neutral",
    "open": "info",
    "in_allocation": "warning",
    "handled": "accent",
    "results_sent": "success",
}
DATE_LABELS = {
    "applications_open": N_("Applications open"),
    "applications_close": N_("Applications close"),
    "allocation_until": N_("Allocation until"),
    "results_date": N_("Results by"),
    "season_first_date": N_("Season starts"),
    "season_last_date": N_("Season ends"),
}
PRIORITY_LABELS = {
    "children_youth": N_("Children and youth"),
    "local": N_("Local clubs"),
    "other": N_("Adults and seniors of clubs from elsewhere"),
    "club_rank": N_("Per step of the club's own ranking"),
    "preferred_time": N_("Preferred time"),
    "hall_rank": N_("Per step down the section's halls"),
    "fairness": N_("Fairness between clubs"),
}
CLASS_LABELS = {
    "children_youth": N_("Children and youth"),
    "local": N_("Local clubs"),
    "other": N_("Other"),
}
OUTCOME_COLOURS = {"granted": "success", "partly": "warning", "refused": "danger"}
METHODS = {
    "cp_sat": N_("Optimising solver (CP-SAT)"),
    "greedy": N_("Simple greedy baseline"),
}
WAITING = {
    "waiting": N_("Waiting"),
    "offered": N_("Offered a time"),
    "placed": N_("Has a time"),
    "removed": N_("Off the list"),
}
