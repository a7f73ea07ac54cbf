"""The notifications domain stays pure: no web, database, broker or cache imports."""

from __future__ import annotations

import ast
from pathlib import Path

import notifications.domain

FORBIDDEN = {
    "aiokafka",
    "aiosmtplib",
    "alembic",
    "asyncpg",
    "fastapi",
    "httpx",
    "redis",
    "samspill.db",
    "samspill.kafka",
    "sqlalchemy",
    "sqlmodel",
    "starlette",
}
DOMAIN_DIR = Path(notifications.domain.__file__).parent


def _imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def _is_forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN)


def test_domain_modules_import_nothing_from_outer_layers() -> None:
    files = sorted(DOMAIN_DIR.glob("*.py"))
    assert len(files) >= 4
    for path in files:
        bad = {m for m in _imported_modules(path.read_text()) if _is_forbidden(m)}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_check_recognises_a_forbidden_import() -> None:
    assert _is_forbidden("sqlmodel")
    assert _is_forbidden("fastapi.routing")
    assert not _is_forbidden("fastapi_extra_lookalike")
    assert _imported_modules("from sqlalchemy.orm import Session\nimport redis") == {
        "sqlalchemy.orm",
        "redis",
    }
