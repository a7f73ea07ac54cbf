"""Settings of the booking service, read from the environment."""

from samspill.settings import ServiceSettings


class BookingSettings(ServiceSettings):
    service_name: str = "booking"
    port: int = 8002
