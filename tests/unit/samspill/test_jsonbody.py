"""Answers written with orjson have the bytes pydantic would have written for the model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from pydantic import BaseModel, TypeAdapter

from samspill.jsonbody import json_bytes, json_response
from samspill.recurrence import OSLO


class Who(StrEnum):
    ANYONE = "anyone"


class Slot(BaseModel):
    start: datetime
    end: datetime
    local_start: str


class Answer(BaseModel):
    space_id: uuid.UUID
    name: str
    capacity: int
    features: list[str]
    who: Who
    approval_required: bool
    slots: list[Slot]


def test_same_bytes_as_pydantic() -> None:
    starts = [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 30, 15, 123456, tzinfo=OSLO),
        datetime(2026, 6, 1, 18, tzinfo=timezone(timedelta(hours=2))),
    ]
    plain = [
        {
            "space_id": uuid.uuid4(),
            "name": "Gymsal – Skedsmo «øst» 🏀",
            "capacity": 30,
            "features": ["basket", "scene"],
            "who": Who.ANYONE,
            "approval_required": False,
            "slots": [
                {"start": start, "end": start + timedelta(hours=1), "local_start": "17:00"}
                for start in starts
            ],
        }
    ]
    adapter = TypeAdapter(list[Answer])
    assert json_bytes(plain) == adapter.dump_json(adapter.validate_python(plain))


def test_response_is_json() -> None:
    response = json_response({"a": 1}, status_code=201)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.body == b'{"a":1}'
