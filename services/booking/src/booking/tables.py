"""The base of every booking table, in a registry of its own, and the kernel's messaging
tables and access log on it.

Every feature's `tables.py` derives from `Table`; `booking.main` and the migrations' env
import every tables module, so `Table.metadata` holds them all.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from samspill.access_log import access_log_table
from samspill.db import service_registry
from samspill.messaging import messaging_tables


class Table(SQLModel, registry=service_registry()):
    """Base of every booking table."""


messaging = messaging_tables(Table.metadata)
access_log = access_log_table(Table.metadata)
