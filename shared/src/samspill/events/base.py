"""Event contracts: the base class, the CloudEvents envelope and the Kafka binary-mode codec.

An event is a pydantic model with a versioned `type` literal such as
`samspill.booking.confirmed.v1`. In Kafka the CloudEvents attributes travel as `ce_*` headers
and the value is the event's JSON data (CloudEvents 1.0 binary content mode).
"""

from __future__ import annotations

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


class EventData(BaseModel):
    """Base of every event contract. Subclasses declare `type: Literal["samspill.x.y.v1"]`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    topic: ClassVar[str] = ""

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
        return [(name, value.encode()) for name, value in attributes.items()]

    def value(self) -> bytes:
        return encode_data(self.data)


def encode_data(data: EventData) -> bytes:
    return data.model_dump_json(exclude={"type"}).encode()


class TopicContract:
    """The discriminated union of every event type published on one topic."""

    def __init__(
        self, topic: str, events: Sequence[type[EventData]], union: Any | None = None
    ) -> None:
        self.topic = topic
        self.events = {event.event_type(): event for event in events}
        self.union: TypeAdapter[Any] | None = TypeAdapter(union) if union is not None else None
        for event in events:
            event.topic = topic

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
        )

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """One JSON Schema per event type (the data, with its `type` constant)."""
        return {name: model.model_json_schema() for name, model in sorted(self.events.items())}


def header(headers: Sequence[tuple[str, bytes]] | None, name: str) -> str | None:
    for key, raw in headers or ():
        if key == name:
            return raw.decode("utf-8", "replace")
    return None


def dlq_topic(service: str) -> str:
    return f"samspill.dlq.{service}"


def as_mapping(headers: Sequence[tuple[str, bytes]] | None) -> Mapping[str, str]:
    return {name: raw.decode("utf-8", "replace") for name, raw in headers or ()}
