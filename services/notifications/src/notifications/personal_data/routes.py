"""`/me/data` and `/people/{person_id}/data`: what notifications holds about a person (the
kernel's routes of a person's right of access)."""

from notifications.personal_data.queries import exported
from samspill.personal_data import personal_data_router

router = personal_data_router("notifications", exported)
