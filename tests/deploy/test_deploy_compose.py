"""docker-compose.yml: valid Compose, internally consistent, and true to the service contract."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from samspill.kafka import STATE_TOPIC_CONFIG

from .compose_checks import (
    contract_problems,
    infrastructure_problems,
    load_compose,
    operations_problems,
    reference_problems,
    schema_problems,
    shared_setting_problems,
    state_config_in_script,
    topic_problems,
    topics_in_script,
)
from .contract import (
    COMPOSE_FILE,
    POSTGRES_INIT,
    REPO_ROOT,
    SERVICES,
    TOPICS,
    TOPICS_SCRIPT,
    stateful,
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose(COMPOSE_FILE)


def write_compose(directory: Path, doc: dict[str, Any]) -> Path:
    path = directory / "docker-compose.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_compose_file_matches_the_compose_specification() -> None:
    assert schema_problems(COMPOSE_FILE) == []


def test_every_reference_in_the_compose_file_resolves(compose: dict[str, Any]) -> None:
    assert reference_problems(compose, REPO_ROOT) == []


def test_samspill_containers_follow_the_service_contract(compose: dict[str, Any]) -> None:
    assert contract_problems(compose) == []


def test_every_service_runs_its_scheduler_and_workers_are_checked(
    compose: dict[str, Any],
) -> None:
    for service in stateful(SERVICES):
        scheduler = compose["services"][f"{service}-scheduler"]
        assert scheduler["command"] == ["scheduler"]
    assert operations_problems(compose) == []


def test_operations_check_rejects_a_missing_scheduler_and_a_migrating_api(
    compose: dict[str, Any],
) -> None:
    broken = copy.deepcopy(compose)
    del broken["services"]["facilities-scheduler"]
    assert "facilities: no container runs `scheduler`" in contract_problems(broken)
    broken["services"]["booking-api"]["environment"] = {
        **broken["services"]["booking-api"]["environment"],
        "MIGRATE_ON_START": "true",
    }
    broken["services"]["booking-relay"]["healthcheck"] = {"disable": True}
    problems = "\n".join(operations_problems(broken))
    assert "booking-api: migrates at start" in problems
    assert "booking-relay: disables the health check" in problems


def test_kafka_runs_in_kraft_mode_and_topics_come_first(compose: dict[str, Any]) -> None:
    assert infrastructure_problems(compose) == []


def test_topic_script_creates_the_contract_topics() -> None:
    topics = topics_in_script(TOPICS_SCRIPT.read_text(encoding="utf-8"))
    assert topics == TOPICS
    assert topic_problems(topics) == []


def test_postgres_init_creates_one_database_and_user_per_service(compose: dict[str, Any]) -> None:
    script = POSTGRES_INIT.read_text(encoding="utf-8")
    mounts = compose["services"]["postgres"]["volumes"]
    assert any(
        m.startswith("./deploy/compose/postgres-init.sh:/docker-entrypoint-initdb.d/")
        for m in mounts
    )
    for name in stateful(SERVICES):
        assert f"create_service_database {name} " in script


def test_demo_seeding_runs_only_in_the_demo_profile(compose: dict[str, Any]) -> None:
    seeders = [
        spec for spec in compose["services"].values() if spec.get("command") == ["seed-demo"]
    ]
    assert len(seeders) == 1
    assert seeders[0]["profiles"] == ["demo"]
    assert seeders[0]["image"].startswith("samspill-facilities:")


# --- the checks catch broken files -------------------------------------------------------


def test_schema_check_rejects_a_misspelt_key(compose: dict[str, Any], tmp_path: Path) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["booking-api"]["dependson"] = broken["services"]["booking-api"].pop(
        "depends_on"
    )
    assert schema_problems(write_compose(tmp_path, broken)) != []


def test_reference_check_rejects_dangling_names(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    booking = broken["services"]["booking-api"]
    booking["depends_on"]["zookeeper"] = {"condition": "service_healthy"}
    booking["volumes"] = ["booking-cache:/cache", "./deploy/compose/missing.sql:/x.sql:ro"]
    booking["networks"] = ["backend"]
    broken["services"]["notifications-api"]["build"]["dockerfile"] = "services/nope/Dockerfile"
    problems = "\n".join(reference_problems(broken, REPO_ROOT))
    for expected in ("zookeeper", "booking-cache", "missing.sql", "backend", "services/nope"):
        assert expected in problems


def test_reference_check_rejects_waiting_on_a_service_without_healthcheck(
    compose: dict[str, Any],
) -> None:
    broken = copy.deepcopy(compose)
    del broken["services"]["redis"]["healthcheck"]
    assert any("redis" in p for p in reference_problems(broken, REPO_ROOT))


def test_contract_check_rejects_wrong_commands_env_and_order(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    relay = broken["services"]["booking-relay"]
    relay["command"] = ["outbox"]
    relay["environment"] = {**relay["environment"], "KAFKA_BOOTSTRAP_SERVER": "kafka:9092"}
    del relay["depends_on"]["booking-migrate"]
    broken["services"]["notifications-api"]["environment"] = {
        k: v
        for k, v in broken["services"]["notifications-api"]["environment"].items()
        if k != "SMTP_HOST"
    }
    problems = "\n".join(contract_problems(broken))
    for expected in ("['outbox']", "KAFKA_BOOTSTRAP_SERVER", "booking-migrate", "SMTP_HOST"):
        assert expected in problems


def test_topic_script_compacts_the_state_topics_as_the_kernel_creates_them() -> None:
    script = TOPICS_SCRIPT.read_text(encoding="utf-8")
    compacted = {t.name for t in topics_in_script(script).values() if t.cleanup_policy == "compact"}
    assert compacted == {"samspill.booking.state"}
    assert state_config_in_script(script) == STATE_TOPIC_CONFIG


def test_topic_check_rejects_a_changed_partition_count() -> None:
    script = TOPICS_SCRIPT.read_text(encoding="utf-8")
    broken = script.replace("samspill.booking 12", "samspill.booking 6")
    assert topic_problems(topics_in_script(broken)) != []


def test_the_portal_calls_the_apis_and_keeps_no_database(compose: dict[str, Any]) -> None:
    portal = compose["services"]["portal-api"]
    env = portal["environment"]
    assert "DATABASE_URL" not in env
    assert env["BOOKING_URL"] == "http://booking-api:8002"
    assert portal["ports"] == ["127.0.0.1:8000:8000"]
    broken = copy.deepcopy(compose)
    broken["services"]["portal-api"]["environment"] = {
        k: v for k, v in env.items() if k != "NOTIFICATIONS_URL"
    }
    assert "portal-api: does not set NOTIFICATIONS_URL" in contract_problems(broken)
    del broken["services"]["portal-api"]
    assert "portal: no container runs `api`" in contract_problems(broken)


def test_sms_and_the_marker_key_reach_the_services_alike(compose: dict[str, Any]) -> None:
    assert shared_setting_problems(compose) == []
    services = compose["services"]
    assert services["booking-api"]["environment"]["SMS_PROVIDER"] == "${SMS_PROVIDER:-}"
    broken = copy.deepcopy(compose)
    broken["services"]["booking-api"]["environment"]["SMS_PROVIDER"] = "sveve"
    broken["services"]["facilities-api"]["environment"]["PRIVACY_MARKER_KEY"] = "written-down"
    del broken["services"]["notifications-scheduler"]["environment"]["SMS_PROVIDER"]
    problems = shared_setting_problems(broken)
    assert "notifications-scheduler: does not set SMS_PROVIDER" in problems
    assert "facilities-api: PRIVACY_MARKER_KEY is not ${PRIVACY_MARKER_KEY:-}" in problems
    assert any(p.startswith("SMS_PROVIDER differs between containers") for p in problems)
