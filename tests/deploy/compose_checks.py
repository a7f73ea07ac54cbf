"""Offline checks of a docker compose file: schema, references, and the service contract.

Each check returns a list of problems (empty when the file is right), so a test can both
assert a clean result for the real file and prove that a broken copy is caught.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .contract import (
    ENVIRONMENTS,
    PRIVACY_ENV,
    SERVICES,
    SMS_SERVICES,
    TOPICS,
    ServiceContract,
    TopicContract,
    allowed_env,
    image_tag,
    required_env,
    service_of_image,
)

Compose = dict[str, Any]
ONE_SHOT_CONDITION = "service_completed_successfully"


def load_compose(path: Path) -> Compose:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return doc


def schema_problems(path: Path) -> list[str]:
    """Validate against the Compose Specification schema bundled with check-jsonschema."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return [] if result.returncode == 0 else [result.stdout + result.stderr]


def _services(compose: Compose) -> dict[str, dict[str, Any]]:
    services = compose.get("services") or {}
    return {name: spec or {} for name, spec in services.items()}


def _depends_on(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    depends = spec.get("depends_on") or {}
    if isinstance(depends, list):
        return {name: {"condition": "service_started"} for name in depends}
    return {name: options or {} for name, options in depends.items()}


def _named_volumes(spec: dict[str, Any]) -> Iterator[str]:
    for volume in spec.get("volumes") or []:
        if isinstance(volume, str):
            source = volume.split(":", 1)[0] if ":" in volume else ""
            if source and not source.startswith((".", "/", "~", "$")):
                yield source
        elif volume.get("type", "volume") == "volume" and volume.get("source"):
            yield volume["source"]


def _bind_sources(spec: dict[str, Any]) -> Iterator[str]:
    for volume in spec.get("volumes") or []:
        if isinstance(volume, str) and volume.startswith((".", "/")):
            yield volume.split(":", 1)[0]
        elif isinstance(volume, dict) and volume.get("type") == "bind":
            yield volume["source"]


def _networks(spec: dict[str, Any]) -> list[str]:
    networks = spec.get("networks") or []
    return list(networks) if isinstance(networks, (list, dict)) else []


def _healthcheck_enabled(spec: dict[str, Any]) -> bool:
    check: dict[str, Any] = spec.get("healthcheck") or {}
    return bool(check) and not check.get("disable", False) and check.get("test") != ["NONE"]


def _depends_problems(name: str, spec: dict[str, Any], services: dict[str, Any]) -> list[str]:
    problems = []
    for target, options in _depends_on(spec).items():
        if target not in services:
            problems.append(f"{name}: depends_on unknown service {target!r}")
            continue
        condition = options.get("condition", "service_started")
        if condition == "service_healthy" and not _healthcheck_enabled(services[target]):
            problems.append(f"{name}: waits for {target} to be healthy, but it has no healthcheck")
        if not spec.get("profiles") and services[target].get("profiles"):
            problems.append(f"{name}: always starts but depends on profile-only {target}")
    return problems


def _build_problems(name: str, spec: dict[str, Any], base: Path) -> list[str]:
    build = spec.get("build")
    if build is None:
        return [] if spec.get("image") else [f"{name}: neither image nor build"]
    context = base / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    problems = []
    if not context.is_dir():
        problems.append(f"{name}: build context {context} does not exist")
    elif not (context / dockerfile).is_file():
        problems.append(f"{name}: Dockerfile {dockerfile} not found in {context}")
    return problems


def reference_problems(compose: Compose, base: Path) -> list[str]:
    """Everything a service refers to exists: services, volumes, networks, files, builds."""
    services = _services(compose)
    volumes = set(compose.get("volumes") or {})
    networks = set(compose.get("networks") or {}) | {"default"}
    problems = []
    for name, spec in services.items():
        problems += _depends_problems(name, spec, services)
        problems += _build_problems(name, spec, base)
        problems += [
            f"{name}: volume {v!r} is not declared"
            for v in _named_volumes(spec)
            if v not in volumes
        ]
        problems += [
            f"{name}: network {n!r} is not declared" for n in _networks(spec) if n not in networks
        ]
        problems += [
            f"{name}: bind mount source {s} does not exist"
            for s in _bind_sources(spec)
            if not (base / s).exists()
        ]
    return problems


def _command(spec: dict[str, Any]) -> list[str]:
    command = spec.get("command") or []
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def _environment(spec: dict[str, Any]) -> dict[str, str | None]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: None if value is None else str(value) for key, value in env.items()}


def app_containers(compose: Compose) -> Iterator[tuple[str, ServiceContract, dict[str, Any]]]:
    """Compose services that run one of the Samspill images."""
    for name, spec in _services(compose).items():
        service = service_of_image(str(spec.get("image", "")))
        if service is not None:
            yield name, service, spec


def _image_problems(name: str, service: ServiceContract, spec: dict[str, Any]) -> list[str]:
    problems = []
    dockerfile = (spec.get("build") or {}).get("dockerfile")
    if dockerfile != f"services/{service.name}/Dockerfile":
        problems.append(f"{name}: builds {dockerfile!r}, not services/{service.name}/Dockerfile")
    if image_tag(spec["image"]) in (None, "latest"):
        problems.append(f"{name}: image {spec['image']!r} has no explicit tag")
    command = _command(spec)
    if len(command) != 1 or command[0] not in service.commands:
        problems.append(f"{name}: command {command} is not one of {service.commands}")
    return problems


def _env_problems(name: str, service: ServiceContract, spec: dict[str, Any]) -> list[str]:
    env = _environment(spec)
    problems = [
        f"{name}: sets unknown variable {key}" for key in env if key not in allowed_env(service)
    ]
    problems += [f"{name}: does not set {key}" for key in sorted(required_env(service) - set(env))]
    if env.get("PORT") not in (None, str(service.port)):
        problems.append(
            f"{name}: PORT={env.get('PORT')}, the {service.name} port is {service.port}"
        )
    if env.get("SAMSPILL_ENV") not in ENVIRONMENTS:
        problems.append(f"{name}: SAMSPILL_ENV={env.get('SAMSPILL_ENV')!r}")
    database_url = env.get("DATABASE_URL") or ""
    if service.database and not re.fullmatch(
        rf"postgresql://{service.name}:[^@]+@[\w.-]+:\d+/{service.name}", database_url
    ):
        problems.append(f"{name}: DATABASE_URL is not the {service.name} user and database")
    return problems


def _order_problems(name: str, service: ServiceContract, spec: dict[str, Any]) -> list[str]:
    """Everything of a service but its migration waits for the migration to finish."""
    if _command(spec) == ["migrate"] or not service.database:
        return []
    condition = _depends_on(spec).get(f"{service.name}-migrate", {}).get("condition")
    if condition != ONE_SHOT_CONDITION:
        return [f"{name}: does not wait for {service.name}-migrate to complete"]
    return []


def contract_problems(compose: Compose) -> list[str]:
    """The Samspill containers use the right image, command, environment and start order."""
    problems = []
    commands: dict[str, set[str]] = {name: set() for name in SERVICES}
    for name, service, spec in app_containers(compose):
        problems += _image_problems(name, service, spec)
        problems += _env_problems(name, service, spec)
        problems += _order_problems(name, service, spec)
        commands[service.name].update(_command(spec))
    for service in SERVICES.values():
        missing = service.must_run - commands[service.name]
        problems += [f"{service.name}: no container runs `{command}`" for command in missing]
    return problems


def shared_setting_problems(compose: Compose) -> list[str]:
    """SMS_PROVIDER has one value in booking's and notifications' containers and is set in no
    other; PRIVACY_MARKER_KEY comes from the operator's environment in every container of a
    service with a database, never as a value written in the file."""
    problems = []
    sms: set[str | None] = set()
    for name, service, spec in app_containers(compose):
        env = _environment(spec)
        if service.name in SMS_SERVICES:
            if "SMS_PROVIDER" not in env:
                problems.append(f"{name}: does not set SMS_PROVIDER")
            sms.add(env.get("SMS_PROVIDER"))
        elif "SMS_PROVIDER" in env:
            problems.append(f"{name}: sets SMS_PROVIDER, which {service.name} does not read")
        if service.database and env.get("PRIVACY_MARKER_KEY") != PRIVACY_ENV:
            problems.append(f"{name}: PRIVACY_MARKER_KEY is not {PRIVACY_ENV}")
    if len(sms) > 1:
        problems.append(f"SMS_PROVIDER differs between containers: {sorted(map(str, sms))}")
    return problems


def operations_problems(compose: Compose) -> list[str]:
    """Workers keep the image's /healthz check (they serve it on PORT), APIs do not migrate
    (the <service>-migrate containers do), and STARTTLS is off only towards Mailpit."""
    problems = []
    for name, service, spec in app_containers(compose):
        command, env = _command(spec), _environment(spec)
        if command and command[0] in service.workers and not _image_healthcheck_kept(spec):
            problems.append(f"{name}: disables the health check a worker answers")
        migrating = service.database and env.get("MIGRATE_ON_START") != "false"
        if command == ["api"] and migrating:
            problems.append(f"{name}: migrates at start although {service.name}-migrate does")
        plain = env.get("SMTP_START_TLS") == "false"
        if plain and "SMTP_HOST" in env and env.get("SMTP_HOST") != "mailpit":
            problems.append(f"{name}: STARTTLS off towards {env.get('SMTP_HOST')}")
    return problems


def _image_healthcheck_kept(spec: dict[str, Any]) -> bool:
    check: dict[str, Any] = spec.get("healthcheck") or {}
    return not check.get("disable", False) and check.get("test") != ["NONE"]


def infrastructure_problems(compose: Compose) -> list[str]:
    """Kafka is Apache Kafka in KRaft mode, with topics created by a one-shot service."""
    services = _services(compose)
    kafka = services.get("kafka", {})
    env = _environment(kafka)
    problems = []
    if not str(kafka.get("image", "")).startswith("apache/kafka:"):
        problems.append("kafka: not the apache/kafka image")
    if "controller" not in (env.get("KAFKA_PROCESS_ROLES") or ""):
        problems.append("kafka: not in KRaft mode (no controller role)")
    if env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE") != "false":
        problems.append("kafka: topics must come from kafka-init, not auto-creation")
    for name, service, spec in app_containers(compose):
        if not service.kafka:
            continue
        condition = _depends_on(spec).get("kafka-init", {}).get("condition")
        if condition != ONE_SHOT_CONDITION and _command(spec) != ["migrate"]:
            problems.append(f"{name}: does not wait for the topics (kafka-init)")
    return problems


def topics_in_script(script: str) -> dict[str, TopicContract]:
    """Parse the `name partitions retention policy` table of deploy/compose/create-topics.sh."""
    constants = dict(re.findall(r"^([A-Z_]+)=(\d+)$", script, flags=re.MULTILINE))
    block = re.search(r'^TOPICS="\n(.*?)^"$', script, flags=re.MULTILINE | re.DOTALL)
    if block is None:
        return {}
    topics = {}
    for line in block.group(1).splitlines():
        name, partitions, retention, policy = line.split()
        retention = re.sub(r"\$\{(\w+)\}", lambda m: constants[m.group(1)], retention)
        topics[name] = TopicContract(name, int(partitions), int(retention), policy)
    return topics


def state_config_in_script(script: str) -> dict[str, str]:
    """The compacted topics' settings the script adds (its STATE_CONFIG), with the policy and
    retention its table gives them."""
    found = re.search(r'^STATE_CONFIG="([^"]*)"$', script, flags=re.MULTILINE)
    pairs = (found.group(1) if found else "").split(",")
    settings = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    return {"cleanup.policy": "compact", "retention.ms": "-1", **settings}


def topic_problems(topics: dict[str, TopicContract]) -> list[str]:
    if topics == TOPICS:
        return []
    return [f"topics differ from the contract: {topics} != {TOPICS}"]
