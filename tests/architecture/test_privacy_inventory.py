"""The inventory of personal data (docs/privacy-inventory.toml) classifies exactly what exists.

Every column of every service's tables (the metadata the service definition migrates) and every
field of every event contract (its JSON Schema, nested states by dotted path) must be named in
the inventory, and the inventory may name nothing that does not exist. A personal entry must
say why it is held, on what legal basis, for how long and what erasure does to it.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

import pytest

from samspill.events.schemas import CONTRACTS

INVENTORY = Path(__file__).resolve().parents[2] / "docs" / "privacy-inventory.toml"
SERVICES = ("facilities", "booking", "notifications")
REQUIRED = ("purpose", "legal_basis", "retention", "on_erasure")
Schema = dict[str, Any]


def inventory() -> dict[str, Any]:
    with INVENTORY.open("rb") as file:
        return tomllib.load(file)


def table_columns(service: str) -> dict[str, set[str]]:
    metadata = importlib.import_module(f"{service}.main").definition.metadata
    return {table.name: {c.name for c in table.columns} for table in metadata.sorted_tables}


def _resolve(schema: Schema, root: Schema) -> Schema:
    while "$ref" in schema:
        schema = root.get("$defs", {})[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def field_paths(schema: Schema, root: Schema, prefix: str = "") -> set[str]:
    """The leaf fields of a schema by dotted path: an object's (or an array item's) fields
    stand for the object; `anyOf` branches (optional states) are walked too."""
    schema = _resolve(schema, root)
    found: set[str] = set()
    for branch in (*schema.get("anyOf", ()), *schema.get("oneOf", ()), *schema.get("allOf", ())):
        found |= field_paths(branch, root, prefix)
    if "items" in schema:
        found |= field_paths(schema["items"], root, prefix)
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        nested = field_paths(sub, root, path)
        found |= nested or {path}
    return found


def event_fields() -> dict[str, set[str]]:
    """Every event type's fields, without the `type` literal every event carries."""
    return {
        name: field_paths(schema, schema) - {"type"}
        for contract in CONTRACTS
        for name, schema in contract.json_schemas().items()
    }


def differences(actual: dict[str, set[str]], listed: dict[str, dict[str, Any]]) -> list[str]:
    problems = [f"{name}: not in the inventory" for name in actual.keys() - listed.keys()]
    problems += [f"{name}: in the inventory, does not exist" for name in listed.keys() - actual]
    for name in actual.keys() & listed.keys():
        new, gone = actual[name] - listed[name].keys(), listed[name].keys() - actual[name]
        problems += [f"{name}.{field}: not classified" for field in new]
        problems += [f"{name}.{field}: does not exist" for field in gone]
    return sorted(problems)


def entries(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every classified item with where it is: tables, events, the portal session, the logs."""
    found: list[tuple[str, dict[str, Any]]] = []
    for service, tables in document.get("tables", {}).items():
        for table, columns in tables.items():
            found += [(f"{service}.{table}.{c}", e) for c, e in columns.items()]
    for event, fields in document.get("events", {}).items():
        found += [(f"{event} {f}", e) for f, e in fields.items()]
    for part in ("portal", "logs"):
        for group, items in document.get(part, {}).items():
            found += [(f"{part}.{group}.{key}", e) for key, e in items.items()]
    return found


def incomplete(document: dict[str, Any]) -> list[str]:
    """Entries without a `personal` verdict, and personal ones missing a required key."""
    profiles = document.get("profiles", {})
    problems: list[str] = []
    for where, entry in entries(document):
        if not isinstance(entry, dict) or not isinstance(entry.get("personal"), bool):
            problems.append(f"{where}: needs personal = true or false")
            continue
        if not entry["personal"]:
            continue
        profile = entry.get("profile")
        if profile is not None and profile not in profiles:
            problems.append(f"{where}: unknown profile {profile!r}")
            continue
        merged = {**profiles.get(profile, {}), **entry}
        missing = [key for key in REQUIRED if not str(merged.get(key) or "").strip()]
        if missing:
            problems.append(f"{where}: personal without {', '.join(missing)}")
    return problems


@pytest.mark.parametrize("service", SERVICES)
def test_every_column_is_classified_and_nothing_else(service: str) -> None:
    listed = inventory().get("tables", {}).get(service, {})
    assert differences(table_columns(service), listed) == []


def test_every_event_field_is_classified_and_nothing_else() -> None:
    assert differences(event_fields(), inventory().get("events", {})) == []


def test_personal_entries_say_why_how_long_and_what_erasure_does() -> None:
    assert incomplete(inventory()) == []


def test_the_portal_session_and_the_logs_are_classified() -> None:
    document = inventory()
    assert document["portal"]["session"]
    assert document["logs"]


def test_the_checks_can_fail() -> None:
    """A new column, a vanished field and a personal entry without a basis are each named."""
    actual = {"loan": {"loan_id", "contact", "nickname"}}
    listed = {"loan": {"loan_id": {"personal": False}, "contact": {}, "gone": {}}, "old": {}}
    assert differences(actual, listed) == [
        "loan.gone: does not exist",
        "loan.nickname: not classified",
        "old: in the inventory, does not exist",
    ]
    document = {
        "profiles": {"p": {"purpose": "x", "legal_basis": "y", "retention": "z"}},
        "tables": {"s": {"t": {"a": {"personal": True, "profile": "p"}, "b": {}}}},
    }
    assert incomplete(document) == [
        "s.t.a: personal without on_erasure",
        "s.t.b: needs personal = true or false",
    ]
    schema: Schema = {
        "properties": {
            "type": {"const": "x"},
            "loan": {"$ref": "#/$defs/Loan"},
            "closure": {"anyOf": [{"$ref": "#/$defs/Closure"}, {"type": "null"}]},
        },
        "$defs": {
            "Loan": {"properties": {"lines": {"items": {"properties": {"label": {}}}}}},
            "Closure": {"properties": {"note": {}}},
        },
    }
    assert field_paths(schema, schema) == {"type", "loan.lines.label", "closure.note"}
