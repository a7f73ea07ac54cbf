"""Request and response bodies of the preferences API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from notifications.domain.messages import Channel, Language


class PreferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    language: Language


class PreferencePublic(PreferenceUpdate):
    recipient: str
    updated_at: datetime
