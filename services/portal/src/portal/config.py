"""Settings of the portal, read from the environment."""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from samspill.settings import Environment, ServiceSettings

DEV_SESSION_SECRET = "samspill-portal-dev-session-secret-change-me"


class PortalSettings(ServiceSettings):
    """The portal keeps no database: sessions live in Redis (REDIS_URL), data in the APIs."""

    # The portal keeps no personal data, so it makes no erased people's markers.
    makes_privacy_markers: ClassVar[bool] = False

    service_name: str = "portal"
    port: int = 8000
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach the portal; the login callback is {PUBLIC_URL}/auth/"
        "callback.",
    )
    facilities_url: str = "http://127.0.0.1:8001"
    booking_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    feeds_url: str | None = Field(
        default=None,
        description="Where calendar apps fetch feeds (the notifications service's public "
        "address); default NOTIFICATIONS_URL.",
    )
    api_timeout_s: float = Field(default=10.0, gt=0)
    search_options_max_age_s: float = Field(
        default=60.0,
        ge=0,
        description="How long the hall search reuses the districts and activities it lists "
        "(read from facilities' sites and spaces); 0 reads them for every search.",
    )

    oidc_client_id: str = Field(
        default="samspill-portal", description="The portal's client at the login issuer."
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        description="The client's secret where the issuer requires one (ID-porten's "
        "client_secret_post); the embedded provider's portal client is public (PKCE only).",
    )
    oidc_scope: str = "openid profile email"
    oidc_resource: str | None = Field(
        default=None,
        description="The resource indicator sent with the authorization request, where the "
        "issuer wants one to put the APIs' audience in the access token.",
    )

    demo_logins: list[str] = Field(
        default_factory=list,
        description="Development only: the identity provider's demo people, offered on the "
        "front page as one-click logins.",
    )

    session_secret: SecretStr = Field(
        default=SecretStr(DEV_SESSION_SECRET),
        description="Key of the CSRF tokens; refused at its default outside development.",
    )
    session_ttl_s: int = Field(
        default=8 * 3600, ge=60, description="Idle time after which a session ends."
    )
    session_cookie_secure: bool = Field(
        default=True,
        description="Cookies only over HTTPS (browsers count http://127.0.0.1 as secure); off "
        "only for HTTP clients in tests.",
    )

    @field_validator("public_url", "facilities_url", "booking_url", "notifications_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_secrets(self) -> Self:
        if self.samspill_env is Environment.production:
            if self.session_secret.get_secret_value() == DEV_SESSION_SECRET:
                raise ValueError("SESSION_SECRET must be set in production")
            if self.demo_logins:
                raise ValueError("DEMO_LOGINS is for development; it is refused in production")
            if not self.session_cookie_secure:
                raise ValueError("SESSION_COOKIE_SECURE cannot be off in production")
        return self

    @property
    def callback_url(self) -> str:
        return f"{self.public_url}/auth/callback"

    @property
    def public_feeds_url(self) -> str:
        return (self.feeds_url or self.notifications_url).rstrip("/")
