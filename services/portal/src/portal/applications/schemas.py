"""The words of the application pages: age groups, results and the portal's own checks of the
form (the form itself is `domain.applications.ApplicationFields`, kept as typed)."""

from __future__ import annotations

from portal.domain.applications import Problem
from portal.pages import N_

AGE_GROUPS: dict[str, str] = {
    "children": N_("Children (up to 12)"),
    "youth": N_("Youth (13–19)"),
    "adults": N_("Adults"),
    "seniors": N_("Seniors"),
    "mixed": N_("Mixed ages"),
}
ROUND_STATES: dict[str, str] = {
    "upcoming": N_("Upcoming"),
    "open": N_("Open for applications"),
    "in_allocation": N_("Being allocated"),
    "handled": N_("Allocated, results not yet sent"),
    "results_sent": N_("Results sent"),
}
APPLICATION_STATUSES: dict[str, str] = {
    "submitted": N_("Submitted"),
    "withdrawn": N_("Withdrawn"),
}
RESULTS: dict[str, str] = {
    "granted": N_("Granted"),
    "partly": N_("Partly granted"),
    "refused": N_("Not granted"),
}
OFFER_STATUSES: dict[str, str] = {
    "open": N_("Waiting for your answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "expired": N_("Expired"),
    "withdrawn": N_("Withdrawn"),
}
PROBLEMS: dict[Problem, str] = {
    Problem.NAME: N_("Give the section a name (at most 200 characters)."),
    Problem.ACTIVITY: N_("Say what the section does (at most 200 characters)."),
    Problem.AGE_GROUP: N_("Choose the age group."),
    Problem.WHOLE_NUMBER: N_("Enter a whole number from 1."),
    Problem.HALL: N_("Choose at least one hall."),
    Problem.SAME_HALL: N_("Choose each hall only once."),
    Problem.TIME: N_("Enter the time as hours and minutes, for example 18:00."),
    Problem.END_AFTER_START: N_("The end time must be after the start time."),
    Problem.WEEKDAY: N_("Choose the weekday."),
    Problem.PREFERRED: N_("Give at least one preferred weekly time."),
    Problem.NOTE: N_("The note can have at most 2000 characters."),
}
TEAM_NAME_NEEDED = N_("Enter the team's name.")
TEAM_CONTACT_NEEDED = N_("Enter the contact person's name.")
