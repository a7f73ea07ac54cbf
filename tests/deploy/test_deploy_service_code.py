"""The deployment files against the services' own code: every command they run exists in the
service's command line, and every variable they set is a setting the service reads."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

import pytest
import typer
from pydantic_settings import BaseSettings

from samspill.settings import ServiceSettings

from .compose_checks import app_containers, load_compose
from .contract import COMPOSE_FILE, EXPORTED_METRICS, SERVICES, TOPICS, ServiceContract
from .k8s_checks import Doc, app_workloads, env_names

SERVICE_PARAMS = [pytest.param(service, id=name) for name, service in SERVICES.items()]


def cli_commands(service: ServiceContract) -> set[str]:
    """The commands of the command line the service's console script runs."""
    (script,) = entry_points(group="console_scripts", name=service.script)
    group: Any = typer.main.get_command(script.load())
    return set(group.commands)


def settings_class(service: ServiceContract) -> type[BaseSettings]:
    module = importlib.import_module(f"{service.name}.config")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"{service.name}.config defines {classes}"
    return classes[0]


def setting_names(service: ServiceContract) -> set[str]:
    return {name.upper() for name in settings_class(service).model_fields}


@pytest.mark.parametrize("service", SERVICE_PARAMS)
def test_the_contract_commands_exist(service: ServiceContract) -> None:
    missing = set(service.commands) - cli_commands(service)
    assert not missing, f"{service.script} lacks {sorted(missing)}"


@pytest.mark.parametrize("service", SERVICE_PARAMS)
def test_compose_sets_only_variables_the_service_reads(service: ServiceContract) -> None:
    compose = load_compose(COMPOSE_FILE)
    names = {
        key for _, s, spec in app_containers(compose) if s == service for key in spec["environment"]
    }
    assert names - setting_names(service) == set()


@pytest.mark.parametrize("service", SERVICE_PARAMS)
def test_kubernetes_sets_only_variables_the_service_reads(
    rendered_overlays: dict[str, list[Doc]], service: ServiceContract
) -> None:
    names = {
        name
        for docs in rendered_overlays.values()
        for _, container, owner in app_workloads(docs)
        if owner == service
        for name in env_names(docs, container)
    }
    assert names - setting_names(service) == set()


def test_the_metrics_the_alerts_query_are_exported() -> None:
    """The outbox's dead-letter names are among those the alerts and dashboard may use; that a
    running service exports every one of them is checked by test_service_skeletons."""
    from samspill.outbox import DEAD_LETTERED_METRIC, DEAD_LETTERS_METRIC

    assert {DEAD_LETTERS_METRIC, f"{DEAD_LETTERED_METRIC}_total"} <= EXPORTED_METRICS


def _consumed(service: ServiceContract) -> tuple[set[str], set[str]]:
    """The topics the service's consumers read, and their dead-letter topics, as its code
    defines them (nothing is connected: the runtime only builds its clients)."""
    import asyncio

    from samspill.service import Runtime

    definition = importlib.import_module(f"{service.name}.main").definition
    settings = settings_class(service)()
    assert isinstance(settings, ServiceSettings)
    runtime = Runtime.open(definition, settings)
    try:
        specs = definition.consumers(runtime)
        topics = {contract.topic for spec in specs for contract in spec.contracts}
        return topics, {spec.dlq_topic for spec in specs}
    finally:
        asyncio.run(runtime.close())


@pytest.mark.parametrize(
    "service", [pytest.param(s, id=name) for name, s in SERVICES.items() if s.database]
)
def test_every_consumer_in_the_code_is_deployed(service: ServiceContract) -> None:
    """A service whose code consumes topics runs a `consumer` process in the deployments (the
    contract's workers, which compose and Kubernetes are checked against), its topics are the
    contract's, and its dead-letter topic is created."""
    topics, dead_letters = _consumed(service)
    assert ("consumer" in service.workers) == bool(topics)
    assert topics == set(service.consumes)
    assert dead_letters <= set(TOPICS)


def test_make_dev_runs_the_workers_in_the_api_processes() -> None:
    """`make dev` starts each service with the environment of `service_env` and nothing that
    turns the in-process workers off, so every consumer (facilities' included) runs there."""
    from samspill.processes import service_env

    env = service_env("postgresql://x@127.0.0.1/x", "127.0.0.1:9092", "redis://127.0.0.1")
    assert "RUN_WORKERS_IN_API" not in env
    assert ServiceSettings.model_fields["run_workers_in_api"].default is True
