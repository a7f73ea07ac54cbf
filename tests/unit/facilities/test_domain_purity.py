"""The domain packages import no database, web, broker or cache library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import facilities.domain
import samspill.booking_rules
import samspill.errors
import samspill.intervals
import samspill.pricing
import samspill.recurrence

FORBIDDEN = {
    "sqlmodel",
    "sqlalchemy",
    "fastapi",
    "starlette",
    "aiokafka",
    "redis",
    "asyncpg",
    "httpx",
    "pydantic",
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


DOMAIN_FILES = [
    *sorted(Path(facilities.domain.__file__).parent.glob("*.py")),
    Path(samspill.booking_rules.__file__),
    Path(samspill.intervals.__file__),
    Path(samspill.recurrence.__file__),
    Path(samspill.pricing.__file__),
    Path(samspill.errors.__file__),
]


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.name)
def test_domain_module_is_pure(path: Path) -> None:
    assert imported_roots(path).isdisjoint(FORBIDDEN)


def test_the_domain_package_has_modules() -> None:
    assert len(DOMAIN_FILES) > 5


def test_the_domain_shares_pricing_with_the_kernel() -> None:
    assert facilities.domain.BookerCategory is samspill.pricing.BookerCategory
    assert facilities.domain.SpaceKind is samspill.pricing.SpaceKind
    assert facilities.domain.quote is samspill.pricing.quote
