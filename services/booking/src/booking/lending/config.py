"""The lending rules a deployment tunes (from `BookingSettings`, `LENDING_*` variables)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LendingSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_active_loans: int = Field(default=3, ge=1, description="Active loans per resident.")
    max_active_units: int = Field(default=10, ge=1, description="Units held per resident.")
    scheduler_interval_s: float = Field(
        default=60.0, gt=0, description="How often no-shows and overdue loans are looked for."
    )
    scheduler_batch_size: int = Field(default=200, ge=1)
