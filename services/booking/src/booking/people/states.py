"""A profile as the event contract's state (what `ProfileChanged` carries)."""

from __future__ import annotations

from booking.people.tables import Profile
from samspill.events import booking as be


def profile_state(profile: Profile) -> be.ProfileState:
    return be.ProfileState.model_validate(
        {
            "person_id": profile.person_id,
            "display_name": profile.display_name,
            "email": profile.email,
            "phone": profile.phone,
            "language": profile.language,
            "channel": profile.channel,
        }
    )
