"""Whether SMS can be chosen as a channel: one answer for every service that takes a channel.

Notifications sends SMS through the provider named by `SMS_PROVIDER` (in development it may
keep them as files in `SMS_SINK_DIR` instead); without either no SMS can go anywhere. So the
same settings, read by `ResidentServiceSettings.sms_available`, decide in booking (a profile's
and an organisation contact's channel) and in notifications (a recipient's preference), and
both refuse `sms` through `check_channel` with the same problem (422, `sms-not-available`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from samspill.errors import RuleViolation

SmsProvider = Literal["sveve"]
SMS = "sms"


class SmsNotAvailable(RuleViolation):
    """SMS was chosen where no SMS provider is configured (422); nothing was stored."""

    code = "sms-not-available"

    def __init__(
        self,
        detail: str = "SMS cannot be chosen: this service has no SMS provider. Choose email.",
        detail_nb: str | None = (
            "SMS kan ikke velges: tjenesten har ingen SMS-leverandør. Velg e-post."
        ),
        **extra: object,
    ) -> None:
        super().__init__(detail, detail_nb, **extra)


def sms_available(provider: SmsProvider | None, sink_dir: Path | None) -> bool:
    """An SMS can go somewhere: to the provider, or (development) into the sink's folder."""
    return provider is not None or sink_dir is not None


def check_channel(channel: str, *, available: bool) -> None:
    """Refuse the channel `sms` (`SmsNotAvailable`) when SMS is not available."""
    if channel == SMS and not available:
        raise SmsNotAvailable()


__all__ = ["SMS", "SmsNotAvailable", "SmsProvider", "check_channel", "sms_available"]
