"""JSON Schema export of every event contract, an AsyncAPI document, and a compatibility check.

Read models are rebuilt by replaying topics from the start (or a state topic, which keeps the
latest state of every aggregate for ever), so a consumer on today's contract must still read
every event ever published. Allowed changes are therefore additive: a new
optional property, a new event type, a new enum value. Removing or renaming a property, making
one required, or changing its type breaks replay; `incompatibilities` names such changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from samspill.events import booking, facilities
from samspill.events.base import TopicContract

CONTRACTS: tuple[TopicContract, ...] = (facilities.contract, booking.contract)

Schema = dict[str, Any]

STATE_CHANNEL = (
    "Compacted: per aggregate the latest full-state event, the same record as on the event "
    "topic, keyed by `x-state-key` (formatted with the event's fields). A message marked "
    "`x-state-deletes` leaves a tombstone (no value) under its key instead. Records of one "
    "aggregate share the partition its event-topic key chooses."
)


def current_schemas() -> dict[str, Schema]:
    """Every event type's JSON Schema, by type name."""
    return {name: schema for c in CONTRACTS for name, schema in c.json_schemas().items()}


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in CONTRACTS:
        channel_messages = {}
        state_messages = {}
        for name, schema in contract.json_schemas().items():
            message_id = name.replace(".", "_")
            event = contract.events[name]
            messages[message_id] = {
                "name": name,
                "contentType": "application/json",
                "payload": schema,
                "bindings": {"kafka": {"key": {"type": "string"}}},
            }
            reference = {"$ref": f"#/components/messages/{message_id}"}
            channel_messages[message_id] = reference
            if contract.state_topic and event.state_key:
                messages[message_id]["x-state-key"] = event.state_key
                if event.state_deletes:
                    messages[message_id]["x-state-deletes"] = True
                state_messages[message_id] = reference
        channels[contract.topic.replace(".", "_")] = {
            "address": contract.topic,
            "messages": channel_messages,
        }
        if contract.state_topic:
            channels[contract.state_topic.replace(".", "_")] = {
                "address": contract.state_topic,
                "description": STATE_CHANNEL,
                "messages": state_messages,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Samspill events",
            "version": "1",
            "description": "CloudEvents 1.0 in Kafka binary content mode (ce_* headers).",
        },
        "channels": channels,
        "components": {"messages": messages},
    }


def export(directory: Path) -> list[Path]:
    """Write `<type>.json` per event type and `asyncapi.json`; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current_schemas().items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        written.append(path)
    asyncapi = directory / "asyncapi.json"
    asyncapi.write_text(json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n")
    written.append(asyncapi)
    return written


def load_published(directory: Path) -> dict[str, Schema]:
    return {
        path.stem: json.loads(path.read_text())
        for path in sorted(directory.glob("samspill.*.json"))
    }


def incompatibilities(published: Schema, current: Schema) -> list[str]:
    """Changes from `published` to `current` that a replaying consumer could not read."""
    return _compare(published, current, published, current, "")


def _resolve(schema: Schema, root: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root.get("$defs", {}).get(name, {})
    return schema


def _compare(old: Schema, new: Schema, old_root: Schema, new_root: Schema, at: str) -> list[str]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    problems: list[str] = []
    if not _types(old) <= _types(new):
        problems.append(f"{at or '/'}: type {sorted(_types(old))} became {sorted(_types(new))}")
    for keyword in ("const", "format"):
        if old.get(keyword) != new.get(keyword):
            problems.append(f"{at or '/'}: {keyword} changed")
    if "enum" in old and not set(old["enum"]) <= set(new.get("enum") or old["enum"]):
        problems.append(f"{at or '/'}: enum values removed")
    problems += _compare_properties(old, new, old_root, new_root, at)
    for branch in ("anyOf", "oneOf"):
        if branch in old and branch in new:
            for i, (a, b) in enumerate(zip(old[branch], new[branch], strict=False)):
                problems += _compare(a, b, old_root, new_root, f"{at}/{branch}[{i}]")
    if "items" in old and "items" in new:
        problems += _compare(old["items"], new["items"], old_root, new_root, f"{at}/items")
    return problems


def _compare_properties(
    old: Schema, new: Schema, old_root: Schema, new_root: Schema, at: str
) -> list[str]:
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props.keys() - new_props.keys():
        problems.append(f"{at}/{name}: property removed")
    for name in set(new.get("required", ())) - set(old.get("required", ())):
        problems.append(f"{at}/{name}: property became required")
    for name in old_props.keys() & new_props.keys():
        problems += _compare(old_props[name], new_props[name], old_root, new_root, f"{at}/{name}")
    return problems


def _types(schema: Schema) -> set[str]:
    if "type" in schema:
        value = schema["type"]
        return set(value) if isinstance(value, list) else {value}
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    return {t for branch in branches for t in _types(branch)} if branches else set()
