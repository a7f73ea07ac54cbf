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
from .contract import COMPOSE_FILE, EXPORTED_METRICS, SERVICES, ServiceContract
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
        and value is not ServiceSettings
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
