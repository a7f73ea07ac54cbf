"""Settings of the notifications service, read from the environment."""

from samspill.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    port: int = 8003
