"""The service's table registry, its messaging tables and access log, and the column kinds its
tables share.

Every feature's `tables.py` builds on `Table`, so `Table.metadata` holds all of the service's
tables (the migrations compare against it). Times are stored in UTC (`timestamptz`); the
wall-clock times of release windows are local Europe/Oslo times, stored as `time` with their
dates, and resolved to instants by the domain.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from samspill.access_log import access_log_table
from samspill.db import service_registry
from samspill.messaging import messaging_tables


class Table(SQLModel, registry=service_registry()):
    """Base of every facilities table."""


messaging = messaging_tables(Table.metadata)
access_log = access_log_table(Table.metadata)


def jsonb(default: Any) -> Any:
    return Field(
        default_factory=lambda: type(default)(default),
        sa_column=Column(JSONB, nullable=False, server_default=text(f"'{_json_text(default)}'")),
    )


def _json_text(value: Any) -> str:
    return "[]" if isinstance(value, list) else "{}"


def created_at() -> Any:
    return Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def updated_at() -> Any:
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        ),
    )
