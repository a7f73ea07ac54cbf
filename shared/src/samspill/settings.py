"""Service settings from the environment (pydantic-settings).

Every service subclasses `ServiceSettings`; nothing else reads `os.environ` for configuration.
Outside development the default secrets are refused, so a forgotten variable fails at start
instead of running production on a key that is printed in the README.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "samspill-dev-secret-change-me-0123456789abcdef"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str = "samspill"
    samspill_env: Environment = Environment.development
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    redis_url: str = "redis://127.0.0.1:6379/0"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    jwt_secret: str = DEV_JWT_SECRET
    jwt_jwks_url: str | None = None
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
    consumer_max_attempts: int = 5
    consumer_retry_base_s: float = 0.2

    run_workers_in_api: bool = Field(
        default=True,
        description="Run relay, consumers and schedulers in the API process (dev, small sites).",
    )
    rate_limit_per_minute: int = 600
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description=(
            "Peers whose X-Forwarded-For names the client (comma-separated addresses or CIDR "
            "networks, e.g. the ingress controller's pod network); none by default."
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
    event_loop_lag_interval_s: float = Field(
        default=0.25, gt=0, description="How often the event-loop lag metric is sampled."
    )

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if self.samspill_env is Environment.production and self.jwt_jwks_url is None:
            if self.jwt_secret == DEV_JWT_SECRET:
                raise ValueError(
                    "JWT_SECRET is the development default; set JWT_SECRET or JWT_JWKS_URL "
                    "when SAMSPILL_ENV=production"
                )
            if len(self.jwt_secret) < 32:
                raise ValueError("JWT_SECRET must be at least 32 characters in production")
        return self

    @property
    def is_development(self) -> bool:
        return self.samspill_env is Environment.development
