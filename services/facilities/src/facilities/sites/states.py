"""Sites as the event-contract state they publish."""

from __future__ import annotations

from facilities.sites.tables import Site
from samspill.events.facilities import Accessibility, Preparedness, SiteContact, SiteState


def site_state(site: Site) -> SiteState:
    return SiteState(
        site_id=site.id,
        kind=site.kind,
        name=site.name,
        address=site.address,
        district=site.district,
        latitude=site.latitude,
        longitude=site.longitude,
        contact=SiteContact.model_validate(site.contact),
        accessibility=Accessibility.model_validate(site.accessibility),
        closes_on_public_holidays=site.closes_on_public_holidays,
        lending_reservation_days=site.lending_reservation_days,
        preparedness=(
            None if site.preparedness is None else Preparedness.model_validate(site.preparedness)
        ),
    )
