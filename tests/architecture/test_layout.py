"""Every service keeps the layout rule of docs/layout.md: each module sits where the rule puts
it, and imports go the rule's way (routes → use cases | queries → domain; the domain imports
no I/O; no service imports another; the kernel imports no service)."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

SERVICES = ("facilities", "booking", "notifications", "portal")
SERVICE_FILES = {"__init__", "__main__", "main", "cli", "config", "dependencies", "tables"}
# The portal keeps no tables; it has its clients of the APIs, its page rendering and sessions.
PORTAL_FILES = {"apis", "pages", "sessions"}
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
# Packages that are not features: pure rules and the migrations.
OTHER_PACKAGES = {"domain", "migrations"}
# The services whose `demo/` loads demo data through their own HTTP API (`seed-demo`):
# facilities' catalogue, and booking's application round over it.
DEMO_SERVICES = {"facilities", "booking"}
IO_LIBRARIES = {"sqlalchemy", "sqlmodel", "fastapi", "starlette", "aiokafka", "redis", "httpx"}
# Besides the standard library, the kernel and its own service, the domain may import these
# pure libraries (no I/O of their own), each listed in docs/layout.md: icalendar writes
# notifications' feeds (notifications/domain/feed.py); OR-Tools' CP-SAT solves booking's
# seasonal allocation (booking/domain/allocation_cp_sat.py).
PURE_LIBRARIES = {"icalendar", "ortools"}
# What a role may not import, by the role's file name within the service.
FORBIDDEN_ROLES = {
    "domain": {"routes", "schemas", "use_cases", "queries", "tables", "states", "handlers", "jobs"},
    "tables": {"routes", "schemas", "use_cases", "queries", "states", "handlers", "jobs"},
    "queries": {"routes", "schemas", "use_cases", "handlers", "jobs"},
    # An event state is built from rows (tables) and the facts queries return about them.
    "states": {"routes", "schemas", "use_cases", "handlers", "jobs"},
    # A response may be shaped straight from a row; a row never knows its HTTP shape.
    "schemas": {"routes", "use_cases", "queries", "handlers", "jobs"},
    "use_cases": {"routes", "handlers", "jobs"},
    "handlers": {"routes", "jobs"},
    "jobs": {"routes", "handlers"},
}


def root_of(package: str) -> Path:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    return Path(module.__file__).parent


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in root_of(package).rglob("*.py") if "versions" not in p.parts)


MODULES = [(service, path) for service in SERVICES for path in modules_of(service)]


def module_id(case: tuple[str, Path]) -> str:
    service, path = case
    return f"{service}/{path.relative_to(root_of(service))}"


def role(service: str, path: Path) -> str:
    relative = path.relative_to(root_of(service))
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


def is_placed(service: str, path: Path) -> bool:
    parts = path.relative_to(root_of(service)).parts
    if len(parts) == 1:
        return path.stem in SERVICE_FILES or (service == "portal" and path.stem in PORTAL_FILES)
    if parts[0] in OTHER_PACKAGES:
        return True
    if parts[0] == "demo":
        return service in DEMO_SERVICES
    return len(parts) == 2 and path.stem in FEATURE_FILES


@pytest.mark.parametrize("service", SERVICES)
def test_every_module_has_a_place_in_the_rule(service: str) -> None:
    root = root_of(service)
    misplaced = [str(p.relative_to(root)) for p in modules_of(service) if not is_placed(service, p)]
    assert misplaced == []


@pytest.mark.parametrize("case", [c for c in MODULES if c[1].name == "__init__.py"], ids=module_id)
def test_a_feature_package_init_holds_at_most_a_docstring(case: tuple[str, Path]) -> None:
    service, path = case
    if path.parent == root_of(service) or path.parent.name in {*OTHER_PACKAGES, "demo"}:
        return
    body = ast.parse(path.read_text(encoding="utf-8")).body
    assert all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


@pytest.mark.parametrize("case", MODULES, ids=module_id)
def test_imports_follow_the_dependency_direction(case: tuple[str, Path]) -> None:
    service, path = case
    names = imports(path)
    roots = {name.split(".")[0] for name in names}
    assert roots.isdisjoint(set(SERVICES) - {service}), "a service imports another service"
    if role(service, path) == "domain":
        assert roots.isdisjoint(IO_LIBRARIES), "the domain imports I/O"
        allowed = set(sys.stdlib_module_names) | PURE_LIBRARIES | {"samspill", service}
        assert roots <= allowed, f"the domain imports {sorted(roots - allowed)}"
    forbidden = FORBIDDEN_ROLES.get(role(service, path), set())
    bad = {n for n in names if n.startswith(f"{service}.") and forbidden & set(n.split(".")[1:])}
    assert bad == set()


@pytest.mark.parametrize("path", modules_of("samspill"), ids=lambda p: p.name)
def test_the_kernel_imports_no_service(path: Path) -> None:
    roots = {name.split(".")[0] for name in imports(path)}
    assert roots.isdisjoint(SERVICES)


def test_the_rule_catches_a_misplaced_module_and_a_wrong_import(tmp_path: Path) -> None:
    """The checks can fail: a stray top-level module and a query importing schemas."""
    stray = root_of("booking") / "common.py"
    assert not is_placed("booking", stray)
    assert is_placed("booking", root_of("booking") / "demo" / "loader.py")
    assert not is_placed("notifications", root_of("notifications") / "demo" / "loader.py")
    query = tmp_path / "queries.py"
    query.write_text("from booking.bookings.schemas import BookingPublic\n", encoding="utf-8")
    names = imports(query)
    assert {n for n in names if FORBIDDEN_ROLES["queries"] & set(n.split(".")[1:])}


WRITER = "samspill.outbox.write_event"  # the outbox insert behind `UnitOfWork.publish`


@pytest.mark.parametrize(
    "path", [p for s in (*SERVICES, "samspill") for p in modules_of(s)], ids=str
)
def test_events_are_written_only_through_the_unit_of_work(path: Path) -> None:
    """One event writer: nothing but `samspill.db.UnitOfWork` writes to the outbox, so every
    event gets its aggregate id as subject and wakes the relay on commit."""
    if path == root_of("samspill") / "db.py":
        return
    source = path.read_text(encoding="utf-8")
    assert WRITER not in imports(path)
    assert "write_event(" not in source.replace("async def write_event(", "")
