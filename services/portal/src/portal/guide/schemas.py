"""The guide's labels and the publish form's messages (English message ids, bokmål in the
catalogue)."""

from __future__ import annotations

from portal.pages import N_

AGE_GROUP_LABELS: dict[str, str] = {
    "children": N_("Children"),
    "youth": N_("Young people"),
    "adults": N_("Adults"),
    "seniors": N_("Seniors"),
    "mixed": N_("All ages"),
}
LEVEL_LABELS: dict[str, str] = {
    "beginner": N_("Beginners"),
    "intermediate": N_("Intermediate"),
    "advanced": N_("Advanced"),
    "all": N_("All levels"),
}
FORM_MESSAGES: dict[str, str] = {
    "description": N_("Describe the activity in at most 500 characters."),
    "activity": N_("Name the activity in at most 100 characters, like Football."),
    "age_group": N_("Choose who the activity is for."),
    "level": N_("Choose a level."),
    "languages": N_("Enter language codes of two letters, like nb, en."),
    "takes_new_members": N_("Say whether the club takes new members."),
    "how_to_join": N_(
        "Enter how to join in at most 300 characters: a web page or the club's own email or phone."
    ),
}
