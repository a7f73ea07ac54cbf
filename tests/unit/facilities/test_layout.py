"""The facilities service keeps the layout rule: every module has a place the rule names, and
imports go the rule's way (routes → use cases | queries → domain)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import facilities

ROOT = Path(facilities.__file__).parent
SERVICE_FILES = {"__init__", "__main__", "main", "cli", "config", "dependencies", "tables"}
FEATURE_FILES = {
    "__init__",
    "routes",
    "schemas",
    "use_cases",
    "queries",
    "tables",
    "states",
    "handlers",
    "jobs",
}
# Packages that are not features: pure rules, the migrations, the demo data of `seed-demo`.
OTHER_PACKAGES = {"domain", "migrations", "demo"}
OTHER_SERVICES = {"booking", "notifications"}
IO_LIBRARIES = {"sqlalchemy", "sqlmodel", "fastapi", "starlette", "aiokafka", "redis", "httpx"}
# What a role may not import, by the role's file name within the service.
FORBIDDEN_ROLES = {
    "domain": {"routes", "schemas", "use_cases", "queries", "tables", "states", "handlers", "jobs"},
    "tables": {"routes", "schemas", "use_cases", "queries", "states", "handlers", "jobs"},
    "queries": {"routes", "schemas", "use_cases", "handlers", "jobs"},
    "states": {"routes", "schemas", "use_cases", "queries", "handlers", "jobs"},
    "schemas": {"routes", "use_cases", "queries", "tables", "handlers", "jobs"},
    "use_cases": {"routes", "handlers", "jobs"},
    "handlers": {"routes", "jobs"},
    "jobs": {"routes", "handlers"},
}

MODULES = sorted(p for p in ROOT.rglob("*.py") if "versions" not in p.parts)


def role(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return "domain" if relative.parts[0] == "domain" else path.stem


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_every_module_has_a_place_in_the_rule() -> None:
    misplaced = []
    for path in MODULES:
        parts = path.relative_to(ROOT).parts
        if len(parts) == 1:
            ok = path.stem in SERVICE_FILES
        elif parts[0] in OTHER_PACKAGES:
            ok = True
        else:
            ok = len(parts) == 2 and path.stem in FEATURE_FILES
        if not ok:
            misplaced.append(str(path.relative_to(ROOT)))
    assert misplaced == []


@pytest.mark.parametrize("path", [p for p in MODULES if p.name == "__init__.py"], ids=str)
def test_a_feature_package_init_holds_at_most_a_docstring(path: Path) -> None:
    if path.parent == ROOT or path.parent.name in OTHER_PACKAGES:
        return
    body = ast.parse(path.read_text(encoding="utf-8")).body
    assert all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_dependency_direction(path: Path) -> None:
    names = imports(path)
    roots = {name.split(".")[0] for name in names}
    assert roots.isdisjoint(OTHER_SERVICES)
    if role(path) == "domain":
        assert roots.isdisjoint(IO_LIBRARIES)
    forbidden = FORBIDDEN_ROLES.get(role(path), set())
    bad = {
        name
        for name in names
        if name.startswith("facilities.") and forbidden & set(name.split(".")[1:])
    }
    assert bad == set()
