"""Tables of the facilities service, in a registry of their own."""

from sqlmodel import SQLModel

from samspill.db import service_registry
from samspill.messaging import messaging_tables


class Table(SQLModel, registry=service_registry()):
    """Base of every facilities table."""


messaging = messaging_tables(Table.metadata)
