"""The base of every notifications table, in a registry of the service's own, and the kernel's
messaging tables (outbox, inbox) and access log in the same metadata.

Each feature keeps its tables in its own `tables.py`; `main.py` imports them all, so
`Table.metadata` holds every table of the service.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from samspill.access_log import access_log_table
from samspill.db import service_registry
from samspill.messaging import messaging_tables


class Table(SQLModel, registry=service_registry()):
    """Base of every notifications table."""


messaging = messaging_tables(Table.metadata)
access_log = access_log_table(Table.metadata)
