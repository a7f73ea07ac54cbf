"""Offline checks of the service Dockerfiles: hadolint, and what each image must provide."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .contract import DOCKERIGNORE, HEALTH_PATH, REPO_ROOT, ServiceContract

SLIM_PYTHON = re.compile(r"^python:3\.11-slim(-[a-z]+)?$")


def hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def hadolint_problems(dockerfile: Path) -> list[str]:
    binary = hadolint()
    if binary is None:
        raise RuntimeError("hadolint is not installed")
    result = subprocess.run(
        [binary, "--no-color", str(dockerfile)], capture_output=True, text=True, check=False
    )
    return [] if result.returncode == 0 else [result.stdout + result.stderr]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def final_stage(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (word, _) in enumerate(pairs) if word == "FROM"]
    return pairs[starts[-1] :] if starts else []


def _exec_form(arguments: str) -> list[str] | None:
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def _base_problems(stage: list[tuple[str, str]]) -> list[str]:
    if not stage:
        return ["no FROM"]
    image = stage[0][1].split()[0]
    return [] if SLIM_PYTHON.match(image) else [f"final stage is {image}, not python:3.11-slim"]


def _user_problems(stage: list[tuple[str, str]]) -> list[str]:
    users = [args for word, args in stage if word == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        return ["the image does not switch to a non-root USER"]
    return []


def _healthcheck_problems(stage: list[tuple[str, str]], service: ServiceContract) -> list[str]:
    checks = [args for word, args in stage if word == "HEALTHCHECK"]
    if not checks:
        return ["no HEALTHCHECK"]
    check = checks[-1]
    wanted = ("python", "127.0.0.1", HEALTH_PATH, "PORT", str(service.port))
    return [f"HEALTHCHECK does not mention {w}" for w in wanted if w not in check]


def _entry_problems(stage: list[tuple[str, str]], service: ServiceContract) -> list[str]:
    last = {word: args for word, args in stage}
    problems = []
    if _exec_form(last.get("ENTRYPOINT", "")) != [service.script]:
        problems.append(f"ENTRYPOINT is not [{service.script!r}]")
    if _exec_form(last.get("CMD", "")) != ["api"]:
        problems.append('CMD is not ["api"]')
    if str(service.port) not in last.get("EXPOSE", "").split():
        problems.append(f"does not EXPOSE {service.port}")
    env = " ".join(args for word, args in stage if word == "ENV")
    if f"PORT={service.port}" not in env:
        problems.append(f"does not default PORT to {service.port}")
    return problems


def _install_problems(pairs: list[tuple[str, str]], service: ServiceContract) -> list[str]:
    syncs = [args for word, args in pairs if word == "RUN" and "uv sync" in args]
    wanted = ("--frozen", "--no-dev", f"--package {service.script}")
    if not syncs or not all(all(w in s for w in wanted) for s in syncs):
        return [f"dependencies are not installed with `uv sync {' '.join(wanted)}`"]
    return []


def content_problems(text: str, service: ServiceContract) -> list[str]:
    pairs = instructions(text)
    stage = final_stage(pairs)
    return (
        _base_problems(stage)
        + _user_problems(stage)
        + _healthcheck_problems(stage, service)
        + _entry_problems(stage, service)
        + _install_problems(pairs, service)
    )


def copy_sources(text: str) -> list[str]:
    """Build-context paths the Dockerfile COPYs (not those copied from another stage)."""
    sources = []
    for word, args in instructions(text):
        parts = args.split()
        if word != "COPY" or any(p.startswith("--from") for p in parts):
            continue
        sources += [p for p in parts[:-1] if not p.startswith("--")]
    return sources


def ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    path = path.rstrip("/")
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/")
        anywhere = bare.startswith("**/")
        bare = bare.removeprefix("**/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(
            fnmatch.fnmatch(p, bare) or (anywhere and fnmatch.fnmatch(p.rsplit("/", 1)[-1], bare))
            for p in prefixes
        ):
            ignored = not negate
    return ignored


def context_problems(text: str, root: Path = REPO_ROOT) -> list[str]:
    """Every COPY source exists in the build context and is not excluded by .dockerignore."""
    patterns = ignore_patterns()
    problems = []
    for source in copy_sources(text):
        if not (root / source).exists():
            problems.append(f"COPY source {source} does not exist")
        elif _ignored(source, patterns):
            problems.append(f"COPY source {source} is excluded by .dockerignore")
    return problems
