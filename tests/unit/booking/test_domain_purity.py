"""The booking domain imports only the standard library, `samspill`'s pure time rules, itself and
OR-Tools (the seasonal allocation's solver: pure computation, listed in docs/layout.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import booking.domain

ALLOWED_FIRST_PARTY = (
    "booking.domain",
    "samspill.availability",
    "samspill.booking_rules",
    "samspill.intervals",
    "samspill.recurrence",
    "samspill.errors",
    "samspill.timegrid",
    "ortools.sat.python",
)
DOMAIN_DIR = Path(booking.domain.__file__).parent


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_allowed(module: str) -> bool:
    if module.split(".")[0] in sys.stdlib_module_names:
        return True
    return any(module == ok or module.startswith(ok + ".") for ok in ALLOWED_FIRST_PARTY)


def test_domain_modules_import_nothing_impure() -> None:
    sources = sorted(DOMAIN_DIR.glob("*.py"))
    assert len(sources) >= 5
    offending = {
        f"{source.name}: {module}"
        for source in sources
        for module in imported_modules(source)
        if not is_allowed(module)
    }
    assert offending == set()


def test_the_purity_check_would_catch_a_framework_import() -> None:
    assert not is_allowed("sqlmodel")
    assert not is_allowed("fastapi.routing")
    assert not is_allowed("samspill.kafka")
    assert is_allowed("zoneinfo")
    assert not is_allowed("ortools.linear_solver")
