"""Settings of equipment lending, read from `LENDING_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LendingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LENDING_", extra="ignore", frozen=True)

    max_active_loans: int = Field(default=3, ge=1, description="Active loans per resident.")
    max_active_units: int = Field(default=10, ge=1, description="Units held per resident.")
    scheduler_interval_s: float = Field(
        default=60.0, gt=0, description="How often no-shows and overdue loans are looked for."
    )
    scheduler_batch_size: int = Field(default=200, ge=1)
