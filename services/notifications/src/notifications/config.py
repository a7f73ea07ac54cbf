"""Settings of the notifications service, read from the environment."""

from datetime import time
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from samspill.settings import ResidentServiceSettings

# A private feed URL is base + "/feeds/organisations/" + a 43-character token + ".ics"; Google
# Calendar refuses subscription URLs of 256 characters or more.
MAX_FEED_URL_LENGTH = 255
_LONGEST_FEED_PATH = len("/feeds/organisations/") + 43 + len(".ics")


class NotificationsSettings(ResidentServiceSettings):
    """Notifications' own settings; `SMS_PROVIDER` (and the development `SMS_SINK_DIR`) and
    `RESIDENT_HISTORY_RETENTION_DAYS` (with the retention job's timing) are the kernel's, read by
    booking alike."""

    service_name: str = "notifications"
    port: int = 8003
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "Samspill Lillestrøm <ikke-svar@samspill.no>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_start_tls: bool = Field(
        default=True,
        description="STARTTLS to the SMTP relay; off only for a local sink such as Mailpit.",
    )
    smtp_timeout_s: float = 10.0
    sveve_url: str = "https://sveve.no/SMS/SendMessage"
    sveve_user: str | None = None
    sveve_password: SecretStr | None = None
    sms_sender: str = Field(
        default="Samspill",
        pattern=r"^[A-Za-z0-9]{3,11}$",
        description="The sender shown on the phone: 3 to 11 letters or digits.",
    )
    sms_timeout_s: float = Field(default=10.0, gt=0)
    message_retention_days: int = Field(
        default=90, ge=1, description="Days a finished message and its delivery log are kept."
    )
    message_purge_interval_s: float = Field(default=3600.0, gt=0)
    public_base_url: str = "http://127.0.0.1:8003"
    portal_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people use Samspill: invitation links are `{PORTAL_URL}/invitasjoner/"
        "{code}`.",
    )

    feed_cache_ttl_s: int = Field(default=300, ge=1)
    delivery_poll_interval_s: float = Field(default=1.0, gt=0)
    delivery_batch_size: int = Field(default=20, ge=1)
    delivery_max_attempts: int = Field(default=6, ge=1)
    delivery_retry_base_s: float = Field(default=30.0, gt=0)
    reminder_time: time = Field(
        default=time(10, 0), description="Oslo time of day before the event for reminders."
    )

    @model_validator(mode="after")
    def _provider_credentials(self) -> Self:
        if self.sms_provider == "sveve" and not (self.sveve_user and self.sveve_password):
            raise ValueError("SMS_PROVIDER=sveve needs SVEVE_USER and SVEVE_PASSWORD")
        return self

    @field_validator("portal_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("public_base_url")
    @classmethod
    def _short_enough_for_feed_urls(cls, value: str) -> str:
        value = value.rstrip("/")
        if len(value) + _LONGEST_FEED_PATH > MAX_FEED_URL_LENGTH:
            raise ValueError(
                f"PUBLIC_BASE_URL must be at most {MAX_FEED_URL_LENGTH - _LONGEST_FEED_PATH} "
                "characters so feed URLs stay under 256 characters"
            )
        return value
