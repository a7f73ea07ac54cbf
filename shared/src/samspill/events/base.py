"""Event contracts: the base class, the CloudEvents envelope and the Kafka binary-mode codec.

An event is a pydantic model with a versioned `type` literal such as
`samspill.booking.confirmed.v1`. In Kafka the CloudEvents attributes travel as `ce_*` headers
and the value is the event's JSON data (CloudEvents 1.0 binary content mode).

A topic may have a state topic beside it (`TopicContract.state_topic`): a compacted topic that
keeps, per aggregate, the latest full-state event, so a read model can be rebuilt from it long
after the event topic dropped the events. An event type that carries its aggregate's full state
names its compaction key (`EventData.state_key`); the outbox relay sends such an event to both
topics, and the state topic's record key is the compaction key. An event that ends its
aggregate (`state_deletes`) leaves a tombstone (a record without value) under the key instead,
so compaction drops what the key held. Other events (one-off triggers) go to the event topic
only.

An envelope marked `republished` (the CloudEvents extension `ce_republished`) carries a state
published again as it stands, not a change: consumers apply its state and send no messages.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = list[tuple[str, bytes]]
REPUBLISHED_HEADER = "ce_republished"


@dataclass(frozen=True)
class StateEntry:
    """What an event leaves on its topic's state topic: the latest state under `key` (the
    aggregate's kind and id, e.g. `booking:<id>`), or with `deletes` a tombstone under it."""

    key: str
    deletes: bool = False

    def digest(self) -> str:
        return state_key_digest(self.key)


def state_key_digest(key: str) -> str:
    """A compaction key as the inbox records it: a digest, so no person's id is stored there."""
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


class EventData(BaseModel):
    """Base of every event contract. Subclasses declare `type: Literal["samspill.x.y.v1"]`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    topic: ClassVar[str] = ""
    # A state event: its compaction key on the state topic, formatted with the event's fields
    # (e.g. "booking:{booking.booking_id}"). None: the event goes to the event topic only.
    state_key: ClassVar[str | None] = None
    # The event ends its aggregate: a tombstone under the key instead of the event.
    state_deletes: ClassVar[bool] = False

    def state_entry(self) -> StateEntry | None:
        """Where the event goes on a state topic, if it is a state event."""
        if self.state_key is None:
            return None
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return StateEntry(self.state_key.format_map(fields), deletes=self.state_deletes)

    def aggregate_id(self) -> str:
        """The id of the aggregate the event is about: its CloudEvents `subject`.

        It is the first field holding an aggregate's state (a model naming its `id_field`), so a
        booking cancelled by a closure is about the booking, not the closure.
        """
        for name in type(self).model_fields:
            value = getattr(self, name)
            id_field = getattr(value, "id_field", None)
            if isinstance(value, BaseModel) and isinstance(id_field, str):
                return str(getattr(value, id_field))
        raise TypeError(f"{type(self).__name__} holds no aggregate state: define `aggregate_id`")

    @classmethod
    def event_type(cls) -> str:
        default = cls.model_fields["type"].default
        if not isinstance(default, str):
            raise TypeError(f"{cls.__name__} must give `type` a literal default")
        return default


class UndecodableEvent(ValueError):
    """A Kafka record that is not a valid Samspill event (a poison message)."""


@dataclass(frozen=True)
class Envelope:
    """A CloudEvent around one event's data."""

    data: EventData
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    source: str = "/samspill"
    subject: str | None = None
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None
    # A state published again as it stands (a backfill of the state topic), not a change: the
    # CloudEvents extension `republished`. Consumers apply its state and send no messages.
    republished: bool = False

    @property
    def type(self) -> str:
        return self.data.type

    def headers(self) -> Headers:
        attributes = {
            "ce_specversion": SPEC_VERSION,
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "content-type": CONTENT_TYPE,
        }
        if self.subject is not None:
            attributes["ce_subject"] = self.subject
        if self.traceparent is not None:
            attributes["traceparent"] = self.traceparent
        if self.republished:
            attributes[REPUBLISHED_HEADER] = "true"
        return [(name, value.encode()) for name, value in attributes.items()]

    def value(self) -> bytes:
        return encode_data(self.data)


def encode_data(data: EventData) -> bytes:
    return data.model_dump_json(exclude={"type"}).encode()


_CONTRACTS: dict[str, TopicContract] = {}


class TopicContract:
    """The discriminated union of every event type published on one topic, and the name of its
    state topic if it has one."""

    def __init__(
        self,
        topic: str,
        events: Sequence[type[EventData]],
        union: Any | None = None,
        *,
        state_topic: str | None = None,
    ) -> None:
        self.topic = topic
        self.state_topic = state_topic
        self.events = {event.event_type(): event for event in events}
        self.union: TypeAdapter[Any] | None = TypeAdapter(union) if union is not None else None
        for event in events:
            event.topic = topic
        _CONTRACTS[topic] = self

    def state_entry(self, data: EventData) -> StateEntry | None:
        """Where `data` goes on this topic's state topic; None without one or for an event
        that is not a state event."""
        return data.state_entry() if self.state_topic is not None else None

    def state_events(self) -> dict[str, type[EventData]]:
        """The event types that go to the state topic (none without one)."""
        if self.state_topic is None:
            return {}
        return {name: event for name, event in self.events.items() if event.state_key}

    def decode(self, headers: Sequence[tuple[str, bytes]] | None, value: bytes | None) -> Envelope:
        attrs = {name: raw.decode("utf-8", "replace") for name, raw in headers or ()}
        event_type = attrs.get("ce_type")
        if attrs.get("ce_specversion") != SPEC_VERSION or not event_type or "ce_id" not in attrs:
            raise UndecodableEvent("not a CloudEvents 1.0 binary-mode record")
        model = self.events.get(event_type)
        if model is None:
            raise UndecodableEvent(f"unknown event type {event_type!r} on {self.topic}")
        try:
            payload = json.loads(value or b"null")
            if not isinstance(payload, dict):
                raise UndecodableEvent("event data is not a JSON object")
            fields = {**payload, "type": event_type}
            data = (
                self.union.validate_python(fields) if self.union else model.model_validate(fields)
            )
            time = datetime.fromisoformat(attrs.get("ce_time", "").replace("Z", "+00:00"))
        except (ValueError, ValidationError) as exc:
            raise UndecodableEvent(f"invalid {event_type}: {exc}") from exc
        return Envelope(
            data=data,
            id=attrs["ce_id"],
            source=attrs.get("ce_source", ""),
            subject=attrs.get("ce_subject"),
            time=time,
            traceparent=attrs.get("traceparent"),
            republished=attrs.get(REPUBLISHED_HEADER) == "true",
        )

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """One JSON Schema per event type (the data, with its `type` constant)."""
        return {name: model.model_json_schema() for name, model in sorted(self.events.items())}


def contract_of(topic: str) -> TopicContract | None:
    """The contract of a topic, as defined (the relay asks it where a row's state goes)."""
    return _CONTRACTS.get(topic)


def header(headers: Sequence[tuple[str, bytes]] | None, name: str) -> str | None:
    for key, raw in headers or ():
        if key == name:
            return raw.decode("utf-8", "replace")
    return None


def dlq_topic(service: str) -> str:
    return f"samspill.dlq.{service}"


def as_mapping(headers: Sequence[tuple[str, bytes]] | None) -> Mapping[str, str]:
    return {name: raw.decode("utf-8", "replace") for name, raw in headers or ()}
