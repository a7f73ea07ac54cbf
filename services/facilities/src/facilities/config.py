"""Settings of the facilities service, read from the environment."""

from samspill.settings import ServiceSettings


class FacilitiesSettings(ServiceSettings):
    service_name: str = "facilities"
    port: int = 8001
