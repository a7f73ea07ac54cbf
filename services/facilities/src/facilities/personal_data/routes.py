"""`/me/data` and `/people/{person_id}/data`: what facilities holds about a person (the
kernel's routes of a person's right of access)."""

from facilities.personal_data.queries import personal_data_of
from samspill.personal_data import personal_data_router

router = personal_data_router("facilities", personal_data_of)
