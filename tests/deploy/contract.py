"""What the deployment files must agree on: the services' runtime contract.

Images, commands, ports, probe paths, environment variables and Kafka topics as the services
define them. The checks in this package compare docker-compose.yml, the Dockerfiles and the
rendered Kustomize overlays against these values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
TOPICS_SCRIPT = REPO_ROOT / "deploy" / "compose" / "create-topics.sh"
POSTGRES_INIT = REPO_ROOT / "deploy" / "compose" / "postgres-init.sh"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
SCHEMA_DIR = REPO_ROOT / "deploy" / "schemas"
DASHBOARD = K8S_DIR / "base" / "monitoring" / "dashboards" / "samspill.json"

# kubernetes-validate validates against this Kubernetes release (pinned, not "latest").
KUBERNETES_VERSION = "1.33.0"

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"

THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000

# Metrics the alerting rules and the dashboard may query: what `/metrics` of the services shows
# (test_deploy_service_code checks the kernel names them, test_service_skeletons that a running
# service exports them).
EXPORTED_METRICS = frozenset(
    {
        "outbox_dead_letters",
        "outbox_dead_lettered_total",
        "outbox_pending",
        "outbox_oldest_pending_age_seconds",
        "kafka_consumer_lag",
        "kafka_dead_letter_queue_records",
        "dependency_up",
        "job_runs_total",
        "job_last_success_timestamp_seconds",
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "event_loop_lag_seconds_bucket",
    }
)


@dataclass(frozen=True)
class ServiceContract:
    name: str
    port: int
    workers: tuple[str, ...]
    consumes: tuple[str, ...] = ()
    extra_env: frozenset[str] = frozenset()
    extra_commands: tuple[str, ...] = ()
    optional_env: frozenset[str] = frozenset()
    # The portal keeps no database and sends no events: no migrate command, no DATABASE_URL,
    # no Kafka.
    database: bool = True
    kafka: bool = True

    @property
    def image(self) -> str:
        return f"samspill-{self.name}"

    @property
    def script(self) -> str:
        return f"samspill-{self.name}"

    @property
    def commands(self) -> tuple[str, ...]:
        migrate = ("migrate",) if self.database else ()
        return ("api", *migrate, *self.workers, *self.extra_commands)

    @property
    def must_run(self) -> set[str]:
        """The commands a deployment must run somewhere."""
        return {"api", *(("migrate",) if self.database else ()), *self.workers}


SERVICES: dict[str, ServiceContract] = {
    "facilities": ServiceContract(
        "facilities",
        8001,
        workers=("relay", "consumer", "scheduler"),
        consumes=("samspill.booking",),
        extra_commands=("seed-demo",),
    ),
    "booking": ServiceContract(
        "booking",
        8002,
        workers=("relay", "consumer", "scheduler"),
        consumes=("samspill.facilities",),
        # Whether SMS can be chosen: the same entry notifications reads.
        optional_env=frozenset({"SMS_PROVIDER"}),
    ),
    "notifications": ServiceContract(
        "notifications",
        8003,
        workers=("consumer", "scheduler"),
        consumes=("samspill.facilities", "samspill.booking"),
        extra_env=frozenset({"SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "PUBLIC_BASE_URL"}),
        optional_env=frozenset(
            {
                "SMTP_START_TLS",
                "PORTAL_URL",
                "SMS_PROVIDER",
                "SVEVE_USER",
                "SVEVE_PASSWORD",
                "SMS_SENDER",
                "MESSAGE_RETENTION_DAYS",
            }
        ),
    ),
    "portal": ServiceContract(
        "portal",
        8000,
        workers=(),
        database=False,
        kafka=False,
        extra_env=frozenset(
            {
                "PUBLIC_URL",
                "FACILITIES_URL",
                "BOOKING_URL",
                "NOTIFICATIONS_URL",
            }
        ),
        # SESSION_SECRET and OIDC_CLIENT_SECRET come from a Secret in Kubernetes.
        optional_env=frozenset(
            {
                "SESSION_SECRET",
                "FEEDS_URL",
                "OIDC_CLIENT_ID",
                "OIDC_CLIENT_SECRET",
                "OIDC_RESOURCE",
                "OIDC_SCOPE",
                "SESSION_TTL_S",
                "SESSION_COOKIE_SECURE",
                "DEMO_LOGINS",
                "API_TIMEOUT_S",
            }
        ),
    ),
}

# Every service reads these; the deployment files must set them.
REQUIRED_ENV = frozenset(
    {"SAMSPILL_ENV", "DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "LOG_LEVEL", "PORT"}
)
# Optional settings a deployment may set (auth alternatives, worker placement, log format,
# the proxies whose X-Forwarded-For is believed).
OPTIONAL_ENV = frozenset(
    {
        "JWT_SECRET",
        "OIDC_ISSUERS",
        "DOCS_CLIENT_ID",
        "OIDC_MIN_KEY_REFRESH_S",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "RUN_WORKERS_IN_API",
        "API_WORKERS",
        "MIGRATE_ON_START",
        "LOG_JSON",
        "TRUSTED_PROXIES",
        "ACCESS_LOG_RETENTION_DAYS",
        "PRIVACY_MARKER_KEY",
    }
)
ENVIRONMENTS = frozenset({"development", "test", "production"})

# Settings several services must read alike, so one entry gives them: whether SMS can be chosen
# (booking and notifications, from one ConfigMap or compose anchor), and the secret of erased
# people's markers (every service with a database, from one Secret or the operator's environment,
# never written in a file).
SMS_SERVICES = frozenset({"booking", "notifications"})
SMS_CONFIG_MAP = "samspill-sms-channel"
PRIVACY_SECRET = "samspill-privacy"
PRIVACY_ENV = "${PRIVACY_MARKER_KEY:-}"


def allowed_env(service: ServiceContract) -> frozenset[str]:
    return REQUIRED_ENV | OPTIONAL_ENV | service.extra_env | service.optional_env


def required_env(service: ServiceContract) -> frozenset[str]:
    unused = ({"DATABASE_URL"} if not service.database else set()) | (
        {"KAFKA_BOOTSTRAP_SERVERS"} if not service.kafka else set()
    )
    return (REQUIRED_ENV - unused) | service.extra_env


def stateful(services: dict[str, ServiceContract]) -> dict[str, ServiceContract]:
    """The services with a database of their own (and so a migrate command)."""
    return {name: service for name, service in services.items() if service.database}


@dataclass(frozen=True)
class TopicContract:
    name: str
    partitions: int
    retention_ms: int
    cleanup_policy: str = "delete"  # "compact": a state topic, with STATE_TOPIC_CONFIG


TOPICS: dict[str, TopicContract] = {
    topic.name: topic
    for topic in (
        TopicContract("samspill.facilities", 12, -1),
        TopicContract("samspill.booking", 12, THIRTY_DAYS_MS),
        TopicContract("samspill.booking.state", 12, -1, "compact"),
        TopicContract("samspill.dlq.booking", 3, THIRTY_DAYS_MS),
        TopicContract("samspill.dlq.notifications", 3, THIRTY_DAYS_MS),
        TopicContract("samspill.dlq.facilities", 3, THIRTY_DAYS_MS),
    )
}


def max_useful_consumers(service: ServiceContract) -> int:
    """Consumers of a group beyond the largest consumed topic's partition count sit idle."""
    return max(TOPICS[topic].partitions for topic in service.consumes)


def service_of_image(image: str) -> ServiceContract | None:
    """The service an image reference belongs to (registry and tag stripped), if any."""
    repository = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    for service in SERVICES.values():
        if repository == service.image:
            return service
    return None


def image_tag(image: str) -> str | None:
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None
