"""Settings of the booking service, read from the environment."""

from pydantic import Field

from samspill.settings import ResidentServiceSettings


class BookingSettings(ResidentServiceSettings):
    """Booking's own settings; `SMS_PROVIDER` and `RESIDENT_HISTORY_RETENTION_DAYS` (with the
    retention jobs' timing) are the kernel's, read by notifications alike."""

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
    availability_cache_ttl_s: int = Field(
        default=2 * 24 * 3600,
        ge=1,
        description="How long a space's computed day of free time is kept in Redis; a change "
        "to what it depends on makes a new entry at once, so this only bounds the memory.",
    )

    lending_max_active_loans: int = Field(default=3, ge=1, description="Active loans per resident.")
    lending_max_active_units: int = Field(default=10, ge=1, description="Units held per resident.")
    lending_scheduler_interval_s: float = Field(
        default=60.0, gt=0, description="How often no-shows and overdue loans are looked for."
    )
    lending_scheduler_batch_size: int = Field(default=200, ge=1)

    rounds_scheduler_interval_s: float = Field(
        default=300.0,
        gt=0,
        description="How often application rounds due to open or close by their dates are "
        "looked for.",
    )

    invitation_ttl_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="How long an invitation to join an organisation can be accepted.",
    )

    invitation_retention_days: int = Field(
        default=30,
        ge=1,
        description="Days an invitation is kept after it was used, withdrawn or expired.",
    )

    give_back_hold_s: float = Field(
        default=7200.0,
        gt=0,
        description="How long freed time given back is held for the one waiting club it is "
        "offered to before the next one gets it (a Redis key's time to live).",
    )
    give_back_scan_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="How often lapsed holds on given-back time are looked for and passed on.",
    )
