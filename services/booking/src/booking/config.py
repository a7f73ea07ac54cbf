"""Settings of the booking service, read from the environment."""

from pydantic import Field

from samspill.settings import ServiceSettings


class BookingSettings(ServiceSettings):
    service_name: str = "booking"
    port: int = 8002

    booking_max_future_hours_per_space: int | None = Field(
        default=40,
        ge=1,
        description=(
            "Most active future hours one organisation (or resident) may hold on one space, "
            "so no club hoards a hall; unset for no limit."
        ),
    )
    availability_max_days: int = Field(
        default=62, ge=1, description="Longest period one availability query may cover."
    )
