"""Service settings from the environment (pydantic-settings).

Every service subclasses `ServiceSettings`; nothing else reads `os.environ` for configuration.
Outside development the default secrets are refused, so a forgotten variable fails at start
instead of running production on a key that is printed in the README.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import AliasChoices, Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from samspill.privacy import DEV_PRIVACY_MARKER_KEY
from samspill.sms import SmsProvider, sms_available
from samspill.tokens import DEV_ADMIN_GROUP, IssuerConfig

DEV_JWT_SECRET = "samspill-dev-secret-change-me-0123456789abcdef"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    # Whether the service makes erased people's markers (it keeps personal data); the portal
    # keeps none, so production does not ask it for PRIVACY_MARKER_KEY.
    makes_privacy_markers: ClassVar[bool] = True

    service_name: str = "samspill"
    samspill_env: Environment = Environment.development
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    redis_url: str = "redis://127.0.0.1:6379/0"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    oidc_issuers: list[IssuerConfig] = Field(
        default_factory=list,
        description=(
            "The OpenID Connect issuers whose access tokens this API accepts, as a JSON list "
            '(e.g. [{"issuer": "https://idporten.no", "audience": "…", "name": "idporten"}]).'
        ),
    )
    oidc_min_key_refresh_s: float = Field(
        default=10,
        ge=0,
        description=(
            "Least time between two fetches of an issuer's keys caused by a token naming an "
            "unknown key id (a rotation); bounds what made-up key ids can cost."
        ),
    )
    docs_client_id: str | None = Field(
        default="samspill-docs",
        description="The public client /docs signs in with at the first issuer (PKCE).",
    )
    # The local development key (HS256): tokens from `samspill token`. Never in production.
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "samspill-dev"
    jwt_audience: str = "samspill"

    # Kafka timings: the defaults suit Apache Kafka; tests shorten the group timings.
    kafka_request_timeout_s: float = 10.0
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    kafka_partitions: int = 12

    outbox_batch_size: int = 100
    outbox_poll_interval_s: float = 0.2
    outbox_max_event_bytes: int = Field(
        default=256 * 1024,
        gt=0,
        le=900 * 1024,
        description=(
            "Largest event (key, value and headers) a request may write; a larger one is "
            "refused with 413. Kept well below Kafka's 1 MiB message.max.bytes."
        ),
    )
    outbox_max_attempts: int = Field(
        default=3,
        ge=1,
        description=(
            "Attempts before the relay moves a record Kafka refuses for what it is (too large, "
            "invalid topic) to the dead letters; broker outages are retried without limit."
        ),
    )
    outbox_retention_days: int = Field(
        default=7,
        ge=1,
        description="Days a published outbox row is kept before the scheduler deletes it.",
    )
    inbox_retention_days: int | None = Field(
        default=45,
        ge=1,
        description=(
            "Days an inbox row (an applied event's id) is kept; empty keeps them. Longer than "
            "samspill.booking keeps a record (30 days, plus the days its log segment may stay "
            "open), so a record the broker can still hand out again is still skipped. A "
            "rebuild's checks read the inbox: with a purged one they see the events and "
            "aggregates of this period (a state topic's beginning offsets cover the rest)."
        ),
    )

    @field_validator("inbox_retention_days", mode="before")
    @classmethod
    def _empty_keeps(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    privacy_marker_key: str = Field(
        default=DEV_PRIVACY_MARKER_KEY,
        min_length=1,
        description=(
            "The key of the markers that replace an erased person's id where rows are kept "
            "(`samspill.privacy.erased_marker`); the same in every service. Production sets its "
            "own secret: with the default, anyone could match a marker to a known id; "
            "production refuses to start with it. Empty means the default."
        ),
    )

    @field_validator("privacy_marker_key", mode="before")
    @classmethod
    def _empty_marker_key_is_the_default(cls, value: Any) -> Any:
        # Compose passes `${PRIVACY_MARKER_KEY:-}`: unset there arrives as "".
        return DEV_PRIVACY_MARKER_KEY if value == "" else value

    access_log_retention_days: int = Field(
        default=365,
        ge=1,
        description=(
            "Days a row of the access log (who viewed whose personal data) is kept before the "
            "scheduler deletes it."
        ),
    )
    consumer_max_attempts: int = 5
    consumer_retry_base_s: float = 0.2

    run_workers_in_api: bool = Field(
        default=True,
        description="Run relay, consumers and schedulers in the API process (dev, small sites).",
    )
    api_workers: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Processes the `api` command serves with (uvicorn workers on one port); default: "
            "the CPUs this process may use in production, 1 otherwise. With workers in the API "
            "every process runs a relay; one of them at a time runs the consumers and schedulers."
        ),
    )
    database_connections: int = Field(
        default=20,
        ge=2,
        description=(
            "Most connections a process opens to its database, kept open once opened (a new "
            "one costs a handshake and its statements prepared again); the API's workers "
            "share them out (each at least 2)."
        ),
    )
    migrate_on_start: bool = Field(
        default=True,
        description=(
            "Run the migrations when the API starts (under the migration lock); false where "
            "a migration job does it (compose, Kubernetes)."
        ),
    )
    rate_limit_per_minute: int = 600
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("trusted_proxies", "forwarded_allow_ips"),
        description=(
            "Peers whose X-Forwarded-For names the client (comma-separated addresses or CIDR "
            "networks, e.g. the ingress controller's pod network); none by default. "
            "FORWARDED_ALLOW_IPS (uvicorn's name) is read as the same setting."
        ),
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    max_request_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest request body taken; a larger one is refused with 413 unread.",
    )
    worker_port: int | None = Field(
        default=None,
        ge=0,
        description=(
            "Port of a worker process's /healthz, /readyz and /metrics (relay, consumer, "
            "scheduler); default PORT, 0 for none."
        ),
    )
    worker_host: str = "0.0.0.0"
    dependency_check_interval_s: float = Field(
        default=10.0, gt=0, description="How often the broker and Redis are probed for metrics."
    )
    event_loop_lag_interval_s: float = Field(
        default=0.25, gt=0, description="How often the event-loop lag metric is sampled."
    )

    @model_validator(mode="after")
    def _production_trusts_issuers_only(self) -> Self:
        if self.samspill_env is Environment.production and not self.oidc_issuers:
            raise ValueError(
                "SAMSPILL_ENV=production needs OIDC_ISSUERS (ID-porten, Entra ID): the "
                "development key is never accepted in production"
            )
        return self

    @model_validator(mode="after")
    def _production_has_its_own_marker_key(self) -> Self:
        if (
            self.samspill_env is Environment.production
            and self.makes_privacy_markers
            and self.privacy_marker_key == DEV_PRIVACY_MARKER_KEY
        ):
            raise ValueError(
                "PRIVACY_MARKER_KEY must be set in production: with the development key, "
                "printed in the source, anyone could match an erased person's marker to their id"
            )
        return self

    @property
    def dev_token_issuer(self) -> IssuerConfig | None:
        """The development key's issuer, outside production only."""
        if self.samspill_env is Environment.production or not self.jwt_secret:
            return None
        return IssuerConfig.model_construct(
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
            name="dev-key",
            discovery_url=None,
            algorithms=(),
            admin_groups=(DEV_ADMIN_GROUP,),
            groups_claim="groups",
        )

    @property
    def api_worker_count(self) -> int:
        if self.api_workers is not None:
            return self.api_workers
        if self.samspill_env is Environment.production:
            return max(1, len(os.sched_getaffinity(0)))
        return 1

    @property
    def api_connections(self) -> int:
        """The database connections of one API worker: its share of `database_connections`."""
        return max(2, -(-self.database_connections // self.api_worker_count))

    @property
    def is_development(self) -> bool:
        return self.samspill_env is Environment.development


class ResidentServiceSettings(ServiceSettings):
    """Settings that booking and notifications read alike, from the same variables with the
    same defaults: whether SMS can be chosen, and how long residents' own history keeps what
    names them (booking's rows and notifications' copies of them age out together)."""

    sms_provider: SmsProvider | None = Field(
        default=None,
        description="The SMS provider messages go through (notifications sends, with its "
        "credentials). Without one (and without the development sink) booking and "
        "notifications refuse the SMS channel, and notifications sends SMS messages by email. "
        "Empty means none.",
    )
    sms_sink_dir: Path | None = Field(
        default=None,
        description="Development only: notifications keeps each SMS as a file here and sends "
        "nothing; SMS can then be chosen. Refused in production.",
    )
    resident_history_retention_days: int = Field(
        default=365,
        ge=1,
        description="Days after it ended that a resident's own booking, series or loan keeps "
        "the person's id, contact and notes, in booking and in notifications' copy alike; then "
        "only the facts usage needs remain.",
    )
    retention_interval_s: float = Field(
        default=3600.0, gt=0, description="How often the retention jobs look for what is due."
    )
    retention_batch_size: int = Field(
        default=500, ge=1, description="Rows the retention jobs change per transaction."
    )

    @field_validator("sms_provider", "sms_sink_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        # One ConfigMap entry `SMS_PROVIDER=` (none) serves both services.
        return None if value == "" else value

    @model_validator(mode="after")
    def _no_sms_sink_in_production(self) -> Self:
        if self.sms_sink_dir is not None and self.samspill_env is Environment.production:
            raise ValueError("SMS_SINK_DIR is a development sink; it is refused in production")
        return self

    @property
    def sms_available(self) -> bool:
        """Whether SMS can be chosen as a channel (`samspill.sms.check_channel`)."""
        return sms_available(self.sms_provider, self.sms_sink_dir)
