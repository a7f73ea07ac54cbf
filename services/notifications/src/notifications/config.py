"""Settings of the notifications service, read from the environment."""

from samspill.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    port: int = 8003
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "Samspill Lillestrøm <ikke-svar@samspill.no>"
    smtp_timeout_s: float = 10.0
    public_base_url: str = "http://127.0.0.1:8003"
