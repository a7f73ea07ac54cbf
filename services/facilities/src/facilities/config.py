"""Settings of the facilities service, read from the environment."""

from pydantic import Field

from samspill.settings import ServiceSettings


class FacilitiesSettings(ServiceSettings):
    service_name: str = "facilities"
    port: int = 8001
    demo_issuer: str | None = Field(
        default=None,
        description=(
            "The issuer whose demo people `seed-demo` makes staff (DEMO_ISSUER); default: the "
            "first of OIDC_ISSUERS (the embedded identity provider in development), else the "
            "development key's issuer."
        ),
    )

    @property
    def demo_people_issuer(self) -> str:
        if self.demo_issuer:
            return self.demo_issuer
        if self.oidc_issuers:
            return self.oidc_issuers[0].issuer
        return self.jwt_issuer
